/**
 * The responder's and expirer's configuration, from the environment the stack sets, read and validated once at cold
 * start. Every problem is named at once (ConfigError).
 */
import { readFileSync } from 'node:fs';
import type { WafScope, WafSetRef } from '../../shared/adapters/waf/waf-enforcer.js';
import { cloudFrontRanges } from '../../shared/response/addresses.js';
import {
  type CompiledResponseConfig,
  compileResponseConfig,
  DEFAULT_RESPONSE_CONFIG,
  type ResponseConfig,
  ResponseConfigError,
} from '../../shared/response/config.js';
import { ConfigError, requireTable } from '../ingest/config.js';

export { ConfigError };

/** Environment variables of the responder and expirer functions. */
export const RESPONDER_ENV = {
  mode: 'LANTERN_RESPONSE_MODE',
  /** JSON: any ResponseConfig fields (rules, durations, caps, lists) over the defaults. */
  policy: 'LANTERN_RESPONSE_POLICY',
  allowCidrs: 'LANTERN_ALLOW_CIDRS',
  allowApiKeys: 'LANTERN_ALLOW_API_KEYS',
  allowPrincipals: 'LANTERN_ALLOW_PRINCIPALS',
  protectedCidrs: 'LANTERN_PROTECTED_CIDRS',
  /** Path of a bundled copy of https://ip-ranges.amazonaws.com/ip-ranges.json: its CloudFront ranges are protected. */
  ipRangesFile: 'LANTERN_AWS_IP_RANGES_FILE',
  /** `aws` (WAF + usage plans) or `local` (records only). */
  enforcer: 'LANTERN_ENFORCER',
  wafScope: 'LANTERN_WAF_SCOPE',
  /** `name|id` of each set. */
  wafIpv4Set: 'LANTERN_WAF_IPV4_SET',
  wafIpv6Set: 'LANTERN_WAF_IPV6_SET',
  wafKeySet: 'LANTERN_WAF_API_KEY_SET',
  quarantinePlan: 'LANTERN_QUARANTINE_USAGE_PLAN_ID',
  fallbackPlan: 'LANTERN_FALLBACK_USAGE_PLAN_ID',
  alertTopic: 'LANTERN_ALERT_TOPIC_ARN',
  slackSecret: 'LANTERN_SLACK_WEBHOOK_SECRET_ID',
  consoleUrl: 'LANTERN_CONSOLE_URL',
  /** The findings stream (name or ARN): the expirer republishes findings the responder never answered. */
  findingsStream: 'LANTERN_FINDINGS_STREAM',
  region: 'AWS_REGION',
} as const;

export interface ResponderConfig {
  tableName: string;
  region: string;
  policy: CompiledResponseConfig;
  enforcer:
    | { kind: 'local' }
    | {
        kind: 'aws';
        waf?: { scope: WafScope; region: string; ipv4: WafSetRef; ipv6: WafSetRef; apiKeys?: WafSetRef };
        usagePlans?: { quarantinePlanId: string; fallbackPlanId?: string };
      };
  alertTopicArn?: string;
  slackSecretId?: string;
  findingsStream?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function setRef(env: Env, name: string, problems: string[]): WafSetRef | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const [setName, id, extra] = value.split('|');
  if (!setName || !id || extra !== undefined) {
    problems.push(`${name} must be "<name>|<id>" of a WAF set, got "${value}"`);
    return undefined;
  }
  return { name: setName, id };
}

export function loadResponderConfig(
  env: Env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ResponderConfig {
  const problems: string[] = [];
  const tableName = requireTable(env, problems);
  const region = env[RESPONDER_ENV.region]?.trim() || 'us-east-1';

  let policy: Partial<ResponseConfig> = {};
  const policyJson = env[RESPONDER_ENV.policy]?.trim();
  if (policyJson) {
    try {
      policy = JSON.parse(policyJson) as Partial<ResponseConfig>;
      if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) throw new Error('not an object');
    } catch {
      problems.push(`${RESPONDER_ENV.policy} must be a JSON object of response settings`);
      policy = {};
    }
  }
  const mode = env[RESPONDER_ENV.mode]?.trim() || policy.mode || DEFAULT_RESPONSE_CONFIG.mode;
  if (mode !== 'monitor' && mode !== 'enforce')
    problems.push(`${RESPONDER_ENV.mode} must be monitor or enforce, got "${mode}"`);

  const protectedCidrs = [...(policy.protectedCidrs ?? []), ...list(env, RESPONDER_ENV.protectedCidrs)];
  const ipRangesFile = env[RESPONDER_ENV.ipRangesFile]?.trim();
  if (ipRangesFile) {
    try {
      const ranges = cloudFrontRanges(JSON.parse(readFile(ipRangesFile)));
      if (ranges.length === 0)
        problems.push(`${RESPONDER_ENV.ipRangesFile}: ${ipRangesFile} lists no CLOUDFRONT ranges`);
      protectedCidrs.push(...ranges);
    } catch (error: unknown) {
      problems.push(
        `${RESPONDER_ENV.ipRangesFile}: cannot read ${ipRangesFile} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  const allow = {
    cidrs: [...(policy.allow?.cidrs ?? []), ...list(env, RESPONDER_ENV.allowCidrs)],
    apiKeys: [...(policy.allow?.apiKeys ?? []), ...list(env, RESPONDER_ENV.allowApiKeys)],
    principals: [...(policy.allow?.principals ?? []), ...list(env, RESPONDER_ENV.allowPrincipals)],
  };
  const consoleUrl = env[RESPONDER_ENV.consoleUrl]?.trim() || policy.consoleUrl;

  const enforcerKind = env[RESPONDER_ENV.enforcer]?.trim() || 'aws';
  let enforcer: ResponderConfig['enforcer'] = { kind: 'local' };
  if (enforcerKind === 'aws') {
    const scope = env[RESPONDER_ENV.wafScope]?.trim() || 'REGIONAL';
    if (scope !== 'CLOUDFRONT' && scope !== 'REGIONAL')
      problems.push(`${RESPONDER_ENV.wafScope} must be CLOUDFRONT or REGIONAL, got "${scope}"`);
    const ipv4 = setRef(env, RESPONDER_ENV.wafIpv4Set, problems);
    const ipv6 = setRef(env, RESPONDER_ENV.wafIpv6Set, problems);
    const apiKeys = setRef(env, RESPONDER_ENV.wafKeySet, problems);
    if (Boolean(ipv4) !== Boolean(ipv6))
      problems.push(
        `${RESPONDER_ENV.wafIpv4Set} and ${RESPONDER_ENV.wafIpv6Set} go together (one IP version per WAF set)`,
      );
    if (apiKeys && !ipv4) problems.push(`${RESPONDER_ENV.wafKeySet} needs the IP sets too`);
    const quarantinePlanId = env[RESPONDER_ENV.quarantinePlan]?.trim();
    const fallbackPlanId = env[RESPONDER_ENV.fallbackPlan]?.trim();
    if (fallbackPlanId && !quarantinePlanId)
      problems.push(`${RESPONDER_ENV.fallbackPlan} needs ${RESPONDER_ENV.quarantinePlan}`);
    if (mode === 'enforce' && !ipv4)
      problems.push(
        `enforce mode needs the WAF IP sets (${RESPONDER_ENV.wafIpv4Set}, ${RESPONDER_ENV.wafIpv6Set}) or ${RESPONDER_ENV.enforcer}=local`,
      );
    enforcer = {
      kind: 'aws',
      ...(ipv4 && ipv6
        ? {
            waf: {
              scope: scope as WafScope,
              region: scope === 'CLOUDFRONT' ? 'us-east-1' : region,
              ipv4,
              ipv6,
              ...(apiKeys ? { apiKeys } : {}),
            },
          }
        : {}),
      ...(quarantinePlanId ? { usagePlans: { quarantinePlanId, ...(fallbackPlanId ? { fallbackPlanId } : {}) } } : {}),
    };
  } else if (enforcerKind !== 'local')
    problems.push(`${RESPONDER_ENV.enforcer} must be aws or local, got "${enforcerKind}"`);

  const alertTopicArn = env[RESPONDER_ENV.alertTopic]?.trim();
  if (alertTopicArn && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/.test(alertTopicArn))
    problems.push(`${RESPONDER_ENV.alertTopic} "${alertTopicArn}" is not an SNS topic ARN`);
  const slackSecretId = env[RESPONDER_ENV.slackSecret]?.trim();
  const findingsStream = env[RESPONDER_ENV.findingsStream]?.trim();
  if (findingsStream && !/^(arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/)?[\w.-]{1,128}$/.test(findingsStream)) {
    problems.push(`${RESPONDER_ENV.findingsStream} "${findingsStream}" is not a Kinesis stream name or ARN`);
  }

  let compiled: CompiledResponseConfig | undefined;
  try {
    compiled = compileResponseConfig({
      ...DEFAULT_RESPONSE_CONFIG,
      ...policy,
      rules: { ...DEFAULT_RESPONSE_CONFIG.rules, ...(policy.rules ?? {}) },
      mode: mode as ResponseConfig['mode'],
      allow,
      protectedCidrs,
      ...(consoleUrl ? { consoleUrl } : {}),
      // The local enforcer records everything; so does monitor mode before any AWS enforcer is configured
      // (it then shows what Lantern would do with every enforcer deployed).
      capabilities:
        enforcer.kind === 'local' || (mode === 'monitor' && !enforcer.waf && !enforcer.usagePlans)
          ? { blockAddresses: true, blockKeys: true, throttleKeys: true }
          : {
              blockAddresses: enforcer.waf !== undefined,
              blockKeys: enforcer.waf?.apiKeys !== undefined,
              throttleKeys: enforcer.usagePlans !== undefined,
            },
    });
  } catch (error: unknown) {
    if (!(error instanceof ResponseConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0 || !compiled) throw new ConfigError(problems);
  return {
    tableName,
    region,
    policy: compiled,
    enforcer,
    ...(alertTopicArn ? { alertTopicArn } : {}),
    ...(slackSecretId ? { slackSecretId } : {}),
    ...(findingsStream ? { findingsStream } : {}),
  };
}
