/**
 * The privilege of each Lantern function (docs/threat-model.md, "Privilege of each function"): from the synthesized
 * template, every action each function's role may call, as an exact list. A new permission fails here until the
 * threat model says why the function needs it. stack.test.ts checks the resources the actions are scoped to.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_ACTIONS } from '../../infra/constructs/state.js';
import { FULL_CONTEXT, type Synthesized, statements, synth } from './helpers.js';

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const STORE_KEY = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
const STORE = [...STORE_ACTIONS, ...STORE_KEY];
const STREAM_READ = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
];
const STREAM_PUT = ['kinesis:PutRecord', 'kinesis:PutRecords'];
const QUEUE_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const WAF_SETS = ['wafv2:GetIPSet', 'wafv2:GetRegexPatternSet', 'wafv2:UpdateIPSet', 'wafv2:UpdateRegexPatternSet'];
/** GET /usageplans and /apikeys/*, POST and DELETE of usage plan keys (resources: stack.test.ts). */
const USAGE_PLAN_KEYS = ['apigateway:DELETE', 'apigateway:GET', 'apigateway:POST'];
const SLACK_SECRET = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];

/** What each function may do, and why (the threat model's table). */
const EXPECTED: Record<string, string[]> = {
  // Reads logs, writes state, publishes findings; never acts.
  AnalysisIngestRole: [...LOGS, ...STORE, ...STREAM_READ, ...STREAM_PUT, ...QUEUE_SEND],
  // Housekeeping of the state, and reading the declared REST APIs from API Gateway (GET only: resources: cdk-nag).
  AnalysisSweeperRole: [...LOGS, ...STORE, 'apigateway:GET'],
  // The single writer to WAF and usage plans, and the only function that alerts.
  ResponseResponderRole: [
    ...LOGS,
    ...STORE,
    ...STREAM_READ,
    ...QUEUE_SEND,
    ...WAF_SETS,
    ...USAGE_PLAN_KEYS,
    'sns:Publish',
    ...SLACK_SECRET,
  ],
  // Lifts what has expired (same sets and plans) and republishes unanswered findings; never alerts.
  ResponseExpirerRole: [...LOGS, ...STORE, ...STREAM_PUT, ...WAF_SETS, ...USAGE_PLAN_KEYS],
  // The console's unblock / extend / allowlist act through the same enforcers; no alerting, no streams.
  ConsoleApiFunctionRole: [...LOGS, ...STORE, ...WAF_SETS, ...USAGE_PLAN_KEYS],
};

function actionsByRole(template: Synthesized['main']): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of statements(template)) {
    const role = Object.keys(EXPECTED).find((r) => s.policy.startsWith(r));
    if (!role) continue;
    const set = out.get(role) ?? new Set<string>();
    for (const a of s.Action) set.add(a);
    out.set(role, set);
  }
  return out;
}

describe('privilege of each function', () => {
  let built: Synthesized;
  let roles: Map<string, Set<string>>;
  beforeAll(() => {
    built = synth(FULL_CONTEXT, { nag: false });
    roles = actionsByRole(built.main);
  });

  it.each(Object.keys(EXPECTED))('%s may call exactly the actions its code needs', (role) => {
    expect([...(roles.get(role) ?? [])].sort()).toEqual([...new Set(EXPECTED[role])].sort());
  });

  it('only the responder, the expirer and the console API may change WAF sets or usage plans', () => {
    const writers = [...roles]
      .filter(([, actions]) => [...actions].some((a) => a.startsWith('wafv2:Update') || /^apigateway:(?!GET$)/.test(a)))
      .map(([role]) => role);
    expect(writers.sort()).toEqual(['ConsoleApiFunctionRole', 'ResponseExpirerRole', 'ResponseResponderRole']);
  });

  it('the functions that read attacker-controlled logs (ingest, sweeper) cannot act, alert or read a secret', () => {
    for (const role of ['AnalysisIngestRole', 'AnalysisSweeperRole']) {
      // Reading API Gateway's configuration (the sweeper's declared-API sync) is not acting: only GET is let through.
      const forbidden = [...(roles.get(role) ?? [])].filter((a) =>
        /^(wafv2|secretsmanager|sns|iam):|^apigateway:(?!GET$)/.test(a),
      );
      expect(forbidden, role).toEqual([]);
    }
  });

  it('no role of the stack grants an IAM, KMS key-management or table-management action, nor a wildcard on data', () => {
    const risky = statements(built.main).flatMap((s) =>
      s.Action.filter(
        (a) =>
          /^iam:(?!PassRole$)/.test(a) ||
          /^kms:(Create|Delete|Disable|Put|Schedule|ReEncrypt|Import|Update|Revoke|Retire|CreateGrant)/.test(a) ||
          /^dynamodb:(Scan|DeleteTable|UpdateTable|CreateTable|Export|Restore|PartiQL)/.test(a) ||
          /^(dynamodb|kinesis|sqs|sns|wafv2|secretsmanager):\*$/.test(a),
      ).map((a) => `${s.policy} ${a}`),
    );
    expect(risky).toEqual([]);
  });

  it('the only iam:PassRole is the attachment of the real-time log role to the distributions', () => {
    const passRole = statements(built.main).filter((s) => s.Action.includes('iam:PassRole'));
    expect(passRole.map((s) => s.policy.replace(/[0-9A-F]{8}$/, ''))).toEqual(['IngestionAttachRoleDefaultPolicy']);
    expect(JSON.stringify(passRole[0]?.Resource)).toContain('RealtimeLogRole');
  });
});
