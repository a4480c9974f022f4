/**
 * The real `cdk synth` path on the repository's configuration (cdk.json): cdk-nag AwsSolutions as a validation
 * plugin and CDK's CloudFormation schema validation. An unacknowledged cdk-nag finding fails the synth; so this
 * test fails with the report. (Slow: ~15 s, the schema validation; the assertion tests skip it.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect, test } from 'vitest';
import { createApp } from '../../infra/app.js';
import { REPO_ROOT } from '../../infra/constructs/function.js';

test('cdk synth of cdk.json: cdk-nag and template validation pass', () => {
  // Prepare
  const previous = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  try {
    // Act
    // (the same plugin createApp adds, observed: its report is empty when everything is compliant or acknowledged)
    const { app } = createApp({ ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, { nag: false });
    const pack = new AwsSolutionsChecks(app, { verbose: true });
    const nagReports: PolicyValidationPluginReport[] = [];
    const validate = pack.validate.bind(pack);
    pack.validate = (context) => {
      const report = validate(context);
      nagReports.push(report);
      return report;
    };
    Validations.of(app).addPlugins(pack);
    const assembly = app.synth();
    // Assess
    expect(nagReports).toHaveLength(1);
    expect(nagReports[0]!.violations).toEqual([]);
    const report = readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8');
    expect(report).not.toMatch(/"severity":\s*"(error|fatal)"/);
    // cdk.json deploys to us-east-1: one stack, its CLOUDFRONT-scope WAF resources in it.
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['Lantern']);
    const resources = Object.values(
      assembly.getStackByName('Lantern').template.Resources as Record<
        string,
        { Type: string; Properties: { Scope?: string } }
      >,
    );
    const waf = resources.filter(
      (r) => r.Type.startsWith('AWS::WAFv2::') && r.Type !== 'AWS::WAFv2::WebACLAssociation',
    );
    expect(waf.map((r) => r.Properties.Scope)).toEqual([
      'CLOUDFRONT',
      'CLOUDFRONT',
      'CLOUDFRONT',
      'CLOUDFRONT',
      'CLOUDFRONT',
    ]);
  } finally {
    if (previous !== undefined) process.env.CDK_VALIDATION = previous;
  }
}, 180_000); // ~15 s alone; CI runs it next to the other test files on two cores
