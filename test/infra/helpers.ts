/**
 * One synthesized app per configuration, shared by the infra tests of a file (synth is the slow part). Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`): the tests check the templates, not the bundles (`npx cdk synth` bundles).
 */
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from '../../infra/app.js';

// CDK's built-in CloudFormation schema validation takes ~15 s per synth: one test (cdk-nag.test.ts) runs the real
// `cdk synth` path with it; the assertion tests skip it.
process.env.CDK_VALIDATION = 'false';

/** A small ip-ranges.json (documentation addresses standing in for CloudFront's). */
export const IP_RANGES_FIXTURE = fileURLToPath(new URL('./fixtures/ip-ranges.json', import.meta.url));

export const FULL_CONTEXT = {
  region: 'eu-west-1',
  account: '123456789012',
  mode: 'monitor',
  alertEmail: 'security@example.com',
  slackSecretName: 'lantern/slack-webhook',
  distributions: ['E2QWRUHAPOMQZL'],
  logGroups: ['API-Gateway-Access-Logs_a1b2c3d4e5/prod'],
  restApis: ['a1b2c3d4e5/prod'],
  attachWebAcl: true,
  samplingRate: 50,
  retentionDays: 90,
  allowlist: { cidrs: ['203.0.113.0/24', '2001:db8::/32'], apiKeys: ['abc123'], principals: ['ops-bot'] },
  protectedCidrs: ['198.51.100.10/32'],
  awsIpRangesFile: IP_RANGES_FIXTURE,
};

export interface Synthesized {
  main: Template;
  edge?: Template;
  built: ReturnType<typeof createApp>;
  /** cdk-nag AwsSolutions findings left after the stack's acknowledgements. */
  nag: { severity: string; ruleName: string; paths: string[] }[];
}

export function synth(lantern: Record<string, unknown>, options: { nag?: boolean } = {}): Synthesized {
  const built = createApp({ lantern, 'aws:cdk:bundling-stacks': [] }, { nag: false });
  const main = Template.fromStack(built.main);
  const edge = built.edge ? Template.fromStack(built.edge) : undefined;
  let nag: Synthesized['nag'] = [];
  if (options.nag ?? true) {
    const report = new AwsSolutionsChecks(built.app).validateScope(built.app);
    nag = report.violations.map((v) => ({
      severity: v.severity ?? 'error',
      ruleName: v.ruleName,
      paths: v.violatingResources.map((r) => r.constructPath ?? ''),
    }));
  }
  return { main, ...(edge ? { edge } : {}), built, nag };
}

/** Every IAM policy statement of a template, with the policy's logical id. */
export function statements(template: Template): Array<{ policy: string; Action: string[]; Resource: unknown[] }> {
  const out: Array<{ policy: string; Action: string[]; Resource: unknown[] }> = [];
  for (const [policy, resource] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    const doc = (
      resource as {
        Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } };
      }
    ).Properties.PolicyDocument;
    for (const s of doc.Statement) {
      out.push({
        policy,
        Action: Array.isArray(s.Action) ? s.Action : [s.Action],
        Resource: Array.isArray(s.Resource) ? s.Resource : [s.Resource],
      });
    }
  }
  return out;
}
