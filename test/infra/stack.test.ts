/**
 * The stack's security-relevant properties, asserted on the synthesized templates of two configurations:
 * FULL (eu-west-1: CLOUDFRONT-scope WAF in a us-east-1 edge stack, distributions, log groups, REST API, alerts)
 * and REGIONAL (eu-central-1, WAF next to the REST API, no console). One synth each, shared by every test.
 */

import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import { loadResponderConfig } from '../../functions/responder/config.js';
import { LanternFunction, NODE_RUNTIME } from '../../infra/constructs/function.js';
import { STORE_ACTIONS } from '../../infra/constructs/state.js';
import { BlockList } from '../../infra/constructs/waf.js';
import { RECOMMENDED_APIGW_ACCESS_LOG_FORMAT } from '../../shared/decoders/apigw.js';
import { DEFAULT_REALTIME_FIELDS } from '../../shared/decoders/cloudfront-realtime.js';
import { STATE_TABLE } from '../../shared/store/tables.js';
import { FULL_CONTEXT, IP_RANGES_FIXTURE, type Synthesized, statements, synth } from './helpers.js';

let full: Synthesized;
let regional: Synthesized;
let main: Template;

beforeAll(() => {
  full = synth(FULL_CONTEXT);
  regional = synth({
    region: 'eu-central-1',
    wafScope: 'REGIONAL',
    restApis: ['a1b2c3d4e5/prod'],
    attachWebAcl: true,
    behindCloudFront: true,
    console: false,
    maxThrottlesPerHour: 7,
  });
  main = full.main;
}, 180_000);

const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };

/** Lantern's own function roles (the constructs' `Role`), by logical id prefix. */
function lanternFunctionPolicies(template: Template) {
  return statements(template).filter((s) => /(Ingest|Sweeper|Responder|Expirer|ApiFunction)Role/.test(s.policy));
}

describe('ingestion', () => {
  test('log stream: on-demand, encrypted with the stack key', () => {
    main.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn },
    });
  });

  test("real-time log config: the decoder's default field set, the configured sampling rate, a role CloudFront assumes", () => {
    main.hasResourceProperties('AWS::CloudFront::RealtimeLogConfig', {
      Fields: [...DEFAULT_REALTIME_FIELDS],
      SamplingRate: 50,
      EndPoints: [
        {
          StreamType: 'Kinesis',
          KinesisStreamConfig: { StreamArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogStream'), 'Arn'] } },
        },
      ],
    });
    main.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Condition: Match.absent() }),
        ],
      },
    });
    const cloudFront = statements(main).filter((s) => s.policy.includes('RealtimeLogRole'));
    expect(cloudFront.flatMap((s) => s.Action).sort()).toEqual(
      [
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:PutRecord',
        'kinesis:PutRecords',
        'kms:GenerateDataKey',
      ].sort(),
    );
  });

  test('the attachment custom resource targets the named distribution, and may touch only it', () => {
    main.hasResourceProperties('Custom::LanternDistributionAttachment', {
      DistributionId: 'E2QWRUHAPOMQZL',
      RealtimeLogConfigArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RealtimeLogConfig'), 'Arn'] },
      WebAclArn: Match.anyValue(),
    });
    const attach = statements(main).filter(
      (s) => s.policy.includes('AttachRole') && s.Action.includes('cloudfront:UpdateDistribution'),
    );
    expect(attach).toHaveLength(1);
    expect(JSON.stringify(attach[0]!.Resource)).toContain(':distribution/E2QWRUHAPOMQZL');
  });

  test('API Gateway access-log groups are subscribed to the stream through a role CloudWatch Logs assumes', () => {
    main.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: 'API-Gateway-Access-Logs_a1b2c3d4e5/prod',
      FilterPattern: '',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogStream'), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SubscriptionRole'), 'Arn'] },
    });
    const subscription = statements(main).filter((s) => s.policy.includes('SubscriptionRole'));
    expect(subscription.flatMap((s) => s.Action).sort()).toEqual(['kinesis:PutRecord', 'kms:GenerateDataKey']);
  });
});

describe('analysis', () => {
  test('ingest mapping = functions/ingest/mapping.ts (what the local cloud runs): batch, bisect, bounded retries, record age, partial batch responses, on-failure queue', () => {
    const m = INGEST_EVENT_SOURCE_MAPPING;
    expect([m.bisectBatchOnFunctionError, m.reportBatchItemFailures, m.parallelizationFactor]).toEqual([true, true, 1]);
    main.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogStream'), 'Arn'] },
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowSeconds,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: m.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: m.maximumRecordAgeSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: m.startingPosition,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('IngestFailures'), 'Arn'] } },
      },
    });
  });

  test('on-failure queues: encrypted with the stack key, TLS enforced', () => {
    const queues = main.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    main.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    main.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });

  test('the sweeper runs every 15 minutes, the expirer every minute', () => {
    main.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    main.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  test("every function's handler exists (no placeholder is deployed)", () => {
    const functions = full.built.app.node.findAll().filter((c): c is LanternFunction => c instanceof LanternFunction);
    expect(functions.map((f) => f.node.id).sort()).toEqual([
      'ApiFunction',
      'Expirer',
      'Ingest',
      'Responder',
      'Sweeper',
    ]);
    for (const f of functions) expect(f.built).toBe(true);
  });

  test('every function: the newest Node.js runtime aws-cdk-lib offers, arm64', () => {
    const newest = Object.keys(lambda.Runtime)
      .map((name) => /^NODEJS_(\d+)_X$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(b[1]) - Number(a[1]))[0]![0];
    expect(NODE_RUNTIME.name).toBe((lambda.Runtime as unknown as Record<string, lambda.Runtime>)[newest]!.name);
    // Lantern's functions (aws-cdk-lib's own handlers, e.g. the bucket deployment, choose their runtimes).
    const functions = Object.entries(main.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
      String(fn.Properties.Description).startsWith('Lantern'),
    );
    expect(functions.length).toBeGreaterThanOrEqual(6);
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe(NODE_RUNTIME.name);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });
});

describe('state', () => {
  test('DynamoDB from the shared definition: on-demand, PITR, KMS, TTL, deletion protection', () => {
    main.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: STATE_TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: STATE_TABLE.sortKey!.name, KeyType: 'RANGE' },
      ],
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      TimeToLiveSpecification: { AttributeName: STATE_TABLE.timeToLiveAttribute, Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { KMSMasterKeyId: keyArn },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  test('every taggable resource carries the lantern:stack tag (cost allocation)', () => {
    main.hasResourceProperties('AWS::Kinesis::Stream', {
      Tags: Match.arrayWith([{ Key: 'lantern:stack', Value: 'Lantern' }]),
    });
    full.edge!.hasResourceProperties('AWS::WAFv2::WebACL', {
      Tags: Match.arrayWith([{ Key: 'lantern:stack', Value: 'Lantern' }]),
    });
  });

  test('the stack key rotates', () => {
    main.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });
});

describe('IAM is scoped to the resources the code uses', () => {
  test("no Lantern function may act on '*' or use a wildcard action", () => {
    const policies = lanternFunctionPolicies(main);
    expect(policies.length).toBeGreaterThan(10);
    for (const s of policies) {
      expect(s.Resource).not.toContain('*');
      for (const action of s.Action) expect(action).not.toMatch(/\*/);
    }
  });

  test('the ingest function: store actions on the state table, read the log stream, put to the findings stream', () => {
    const ingest = statements(main).filter((s) => s.policy.includes('IngestRole'));
    const store = ingest.find((s) => s.Action.includes('dynamodb:Query'))!;
    expect(store.Action).toEqual([...STORE_ACTIONS]);
    expect(store.Resource).toHaveLength(1);
    expect(store.Resource[0]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^State/), 'Arn'] });
    const put = ingest.find((s) => s.Action.includes('kinesis:PutRecords'))!;
    expect(JSON.stringify(put.Resource)).toContain('FindingsStream');
    const read = ingest.find((s) => s.Action.includes('kinesis:GetRecords'))!;
    expect(JSON.stringify(read.Resource)).toContain('LogStream');
  });

  test('no function may Scan the table (TTL expires items in AWS; the scan is the local TTL emulation)', () => {
    expect(statements(main).filter((s) => s.Action.includes('dynamodb:Scan'))).toEqual([]);
  });

  test('only the responder alerts: SNS publish and the Slack secret', () => {
    const alerting = statements(main).filter(
      (s) => s.Action.includes('sns:Publish') || s.Action.includes('secretsmanager:GetSecretValue'),
    );
    expect(new Set(alerting.map((s) => s.policy.replace(/[0-9A-F]{8}$/, '')))).toEqual(
      new Set(['ResponseResponderRoleDefaultPolicy']),
    );
  });

  test('usage plans: exactly the calls that move a key between plans and read its value', () => {
    const apigw = statements(main)
      .filter((s) => s.policy.includes('ResponderRole'))
      .filter((s) => s.Action.some((a) => a.startsWith('apigateway:')))
      .map((s) => `${s.Action.join(',')} ${JSON.stringify(s.Resource).replace(/.*::(\/[^"]*)".*/, '$1')}`);
    expect(apigw.sort()).toEqual([
      'apigateway:DELETE /usageplans/*/keys/*',
      'apigateway:GET /apikeys/*',
      'apigateway:GET /usageplans',
      'apigateway:POST /usageplans/*/keys',
    ]);
  });

  test('the responder updates exactly the two IP sets and the API key pattern set', () => {
    const responder = statements(main).filter((s) => s.policy.includes('ResponderRole'));
    const ipSets = responder.find((s) => s.Action.includes('wafv2:UpdateIPSet'))!;
    expect(ipSets.Resource).toHaveLength(2);
    const keys = responder.find((s) => s.Action.includes('wafv2:UpdateRegexPatternSet'))!;
    expect(keys.Resource).toHaveLength(1);
    expect(responder.flatMap((s) => s.Action)).toContain('secretsmanager:GetSecretValue');
  });
});

describe('response: WAF in the right scope and region', () => {
  test('CLOUDFRONT scope outside us-east-1: IP sets, pattern set, rule group and WebACL in a us-east-1 edge stack', () => {
    expect(full.built.edge?.region).toBe('us-east-1');
    expect(full.built.main.region).toBe('eu-west-1');
    // Deployed first (cdk deploy --all), read through cross-region references.
    expect(full.built.main.dependencies).toContain(full.built.edge);
    const edge = full.edge!;
    edge.resourceCountIs('AWS::WAFv2::IPSet', 2);
    edge.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV4', Addresses: [] });
    edge.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', IPAddressVersion: 'IPV6', Addresses: [] });
    edge.hasResourceProperties('AWS::WAFv2::RegexPatternSet', { Scope: 'CLOUDFRONT' });
    edge.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    edge.hasResourceProperties('AWS::WAFv2::RuleGroup', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'BlockedIpv4', Action: { Block: {} } }),
        Match.objectLike({ Name: 'BlockedIpv6', Action: { Block: {} } }),
      ]),
    });
    main.resourceCountIs('AWS::WAFv2::IPSet', 0);
    main.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  test('REGIONAL scope: the block list next to the API, associated with the stage, matching the viewer address behind CloudFront', () => {
    const r = regional.main;
    expect(regional.built.edge).toBeUndefined();
    r.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV4' });
    r.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV6' });
    r.hasResourceProperties('AWS::WAFv2::RuleGroup', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            IPSetReferenceStatement: Match.objectLike({
              IPSetForwardedIPConfig: { HeaderName: 'X-Forwarded-For', Position: 'LAST', FallbackBehavior: 'NO_MATCH' },
            }),
          },
        }),
      ]),
    });
    r.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('::/restapis/a1b2c3d4e5/stages/prod')])],
      },
    });
  });

  test('a CLOUDFRONT-scope block list refuses a stack outside us-east-1', () => {
    const stack = new Stack(new App(), 'Elsewhere', { env: { region: 'eu-west-1' } });
    expect(
      () =>
        new BlockList(stack, 'B', { scope: 'CLOUDFRONT', namePrefix: 'x', behindCloudFront: false, associateWith: [] }),
    ).toThrow('WAF resources of scope CLOUDFRONT must be in us-east-1, not in stack Elsewhere (eu-west-1)');
  });

  test('findings stream: encrypted, one shard; responder: one batch at a time, partial batch responses, on-failure queue', () => {
    main.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 1,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn },
    });
    main.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FindingsStream'), 'Arn'] },
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderFailures'), 'Arn'] } },
      },
    });
  });

  test('quarantine usage plan: low throttle on the configured stages', () => {
    main.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 1, BurstLimit: 2 },
      ApiStages: [{ ApiId: 'a1b2c3d4e5', Stage: 'prod' }],
    });
  });

  test('the functions that act learn where the enforcers are, and the mode', () => {
    main.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LANTERN_RESPONSE_MODE: 'monitor',
          LANTERN_RESPONSE_POLICY: JSON.stringify({ maxNewBlocksPerHour: 50, maxNewThrottlesPerHour: 50 }),
          LANTERN_ENFORCER: 'aws',
          LANTERN_WAF_SCOPE: 'CLOUDFRONT',
          LANTERN_WAF_IPV4_SET: Match.anyValue(),
          LANTERN_WAF_IPV6_SET: Match.anyValue(),
          LANTERN_WAF_API_KEY_SET: Match.anyValue(),
          LANTERN_ALLOW_CIDRS: '203.0.113.0/24,2001:db8::/32',
          LANTERN_QUARANTINE_USAGE_PLAN_ID: Match.anyValue(),
          LANTERN_ALERT_TOPIC_ARN: Match.anyValue(),
          LANTERN_SLACK_WEBHOOK_SECRET_ID: 'lantern/slack-webhook',
          LANTERN_CONSOLE_URL: Match.anyValue(),
        }),
      },
    });
  });
});

/** A function's environment from the template, intrinsics replaced by plausible deployed values. */
function deployedEnvironment(template: Template, descriptionPrefix: string): Record<string, string> {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
    String(f.Properties.Description).startsWith(descriptionPrefix),
  );
  if (!fn) throw new Error(`no function described "${descriptionPrefix}..."`);
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(sep);
    }
    const ref = JSON.stringify(value);
    if (ref.includes('Topic')) return 'arn:aws:sns:eu-west-1:123456789012:Lantern-AlertsTopic-1A2B3C';
    if (ref.includes('Partition')) return 'aws';
    return 'deployed-7f3e2a';
  };
  return Object.fromEntries(
    Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, resolve(v)]),
  );
}

describe('the environment the stack gives each function is the one its code reads', () => {
  test('ingest', () => {
    const config = loadIngestConfig(deployedEnvironment(main, 'Lantern: decode'));
    expect(config.tableName).toBe('deployed-7f3e2a');
    expect(config.realtimeFields).toEqual([...DEFAULT_REALTIME_FIELDS]);
    expect(config.findingsStream).toBe('deployed-7f3e2a');
  });

  test('responder and expirer: CLOUDFRONT-scope WAF through us-east-1, the quarantine plan, SNS and Slack', () => {
    for (const prefix of ['Lantern: findings', 'Lantern: expire']) {
      const env = deployedEnvironment(main, prefix);
      expect(env.LANTERN_AWS_IP_RANGES_FILE).toBe('/var/task/ip-ranges.json');
      const config = loadResponderConfig(env, (file) => {
        expect(file).toBe('/var/task/ip-ranges.json');
        return readFileSync(IP_RANGES_FIXTURE, 'utf8');
      });
      expect(config.policy.protectedCidrs).toEqual(
        expect.arrayContaining(['192.0.2.0/26', '198.51.100.64/26', '2001:db8:cf::/48']),
      );
      expect(config.policy.mode).toBe('monitor');
      expect(config.policy.maxNewBlocksPerHour).toBe(50);
      expect(config.policy.maxNewThrottlesPerHour).toBe(50);
      expect(config.policy.allow.apiKeys).toEqual(['abc123']);
      expect(config.policy.protectedCidrs).toContain('198.51.100.10/32');
      expect(config.enforcer).toMatchObject({
        kind: 'aws',
        waf: {
          scope: 'CLOUDFRONT',
          region: 'us-east-1',
          ipv4: { name: 'Lantern-blocked-ipv4' },
          ipv6: { name: 'Lantern-blocked-ipv6' },
          apiKeys: { name: 'Lantern-blocked-api-keys' },
        },
        usagePlans: { quarantinePlanId: 'deployed-7f3e2a' },
      });
      expect(config.slackSecretId).toBe('lantern/slack-webhook');
      expect(config.alertTopicArn).toMatch(/^arn:aws:sns:/);
    }
  });

  test('the expirer may republish unanswered findings onto the findings stream (its reconciliation)', () => {
    const env = deployedEnvironment(main, 'Lantern: expire');
    expect(loadResponderConfig(env, () => readFileSync(IP_RANGES_FIXTURE, 'utf8')).findingsStream).toBe(
      'deployed-7f3e2a',
    );
    const writers = Object.entries(main.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      JSON.stringify(policy).includes('kinesis:PutRecords'),
    );
    expect(writers.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Expirer/), expect.stringMatching(/Ingest/)]),
    );
  });

  test('REGIONAL: the WAF client stays in the stack region; the throttle cap reaches the policy', () => {
    const config = loadResponderConfig({
      ...deployedEnvironment(regional.main, 'Lantern: findings'),
      AWS_REGION: 'eu-central-1',
    });
    expect(config.enforcer).toMatchObject({ waf: { scope: 'REGIONAL', region: 'eu-central-1' } });
    expect(config.policy.maxNewThrottlesPerHour).toBe(7);
  });
});

describe('alerts and monitoring', () => {
  test('SNS topic encrypted with the stack key, TLS enforced, email subscription from the config', () => {
    main.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    main.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
    main.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('alarms on iterator age, function errors, on-failure queue depth, DynamoDB throttles: all to the topic', () => {
    const alarms = Object.values(main.findResources('AWS::CloudWatch::Alarm'));
    const names = alarms.map((a) => a.Properties.MetricName ?? 'math');
    expect(names.filter((n) => n === 'IteratorAge')).toHaveLength(2);
    expect(names.filter((n) => n === 'Errors')).toHaveLength(5);
    expect(names.filter((n) => n === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(alarms.some((a) => JSON.stringify(a.Properties.Metrics ?? []).includes('ThrottledRequests'))).toBe(true);
    for (const a of alarms) expect(JSON.stringify(a.Properties.AlarmActions)).toContain('AlertsTopic');
    main.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('console', () => {
  test('assets: private, encrypted, TLS only, served through Origin Access Control with the CLOUDFRONT WebACL', () => {
    main.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.anyValue(),
      LoggingConfiguration: Match.anyValue(),
    });
    main.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    main.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.anyValue(),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [Match.objectLike({ PathPattern: '/api/*', ViewerProtocolPolicy: 'https-only' })],
      }),
    });
  });

  test('API: every method needs a Cognito token; access logs in the recommended format', () => {
    main.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'COGNITO_USER_POOLS' });
    main.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { Format: JSON.stringify(RECOMMENDED_APIGW_ACCESS_LOG_FORMAT) },
    });
  });

  test('users: no self sign-up, MFA required, strong passwords', () => {
    main.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true }) },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('no unacknowledged finding, errors or warnings, in either configuration', () => {
    expect(full.nag).toEqual([]);
    expect(regional.nag).toEqual([]);
  });

  test('every acknowledgement names a rule and carries a specific reason', () => {
    const acknowledged: Array<{ id: string; reason: string }> = [];
    for (const c of full.built.app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          // aws-cdk-lib acknowledges some of its own CloudFormation-validate warnings; ours are cdk-nag's.
          if (!id.startsWith('CloudFormation-Validate::')) acknowledged.push({ id, reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const a of acknowledged) {
      expect(a.id).toMatch(/AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(a.reason.length).toBeGreaterThan(60);
    }
  });
});
