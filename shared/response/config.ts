/**
 * How Lantern responds to findings: the typed configuration of the response policy, its defaults and validation.
 * Functions read it from their environment (functions/responder/config.ts) once at cold start and compile it here.
 */
import { FINDING_TYPES, type FindingType, SEVERITIES, type Severity } from '../detection/finding.js';
import { CidrList, parseCidr, RESERVED_CIDRS } from './addresses.js';

/** `monitor`: decide and record what would be done, enforce nothing (the default). `enforce`: act. */
export type ResponseMode = 'monitor' | 'enforce';

export interface Threshold {
  /** The finding's severity must be at least this. */
  minSeverity: Severity;
  /** The finding's confidence (0..1) must be at least this. */
  minConfidence: number;
}

/** What a finding type may lead to, beyond an alert. Absent: alert only. */
export interface TypeRule {
  /** Block the caller's address (WAF IP set) or API key (WAF key rule). */
  block?: Threshold;
  /** Throttle the caller's API key (quarantine usage plan). Ignored for callers without a key. */
  throttle?: Threshold;
}

export interface ResponseConfig {
  mode: ResponseMode;
  rules: Partial<Record<FindingType, TypeRule>>;
  /** First block / throttle lasts this long; each repeat offence multiplies it by `escalationFactor`, up to `maxDurationMs`. */
  blockDurationMs: number;
  throttleDurationMs: number;
  escalationFactor: number;
  maxDurationMs: number;
  /** A throttled API key that offends again this many times is blocked instead (repeat offender). */
  throttleToBlockAfter: number;
  /**
   * New blocks per clock hour; beyond it findings are alerted instead (a runaway detector must not block everyone).
   * With `maxDurationMs` it bounds the addresses blocked at once, which must fit a WAF IP set
   * (`worstCaseBlockedAddresses`): at most 58 with blocks of up to 7 days.
   */
  maxNewBlocksPerHour: number;
  /**
   * New API key throttles per clock hour; beyond it findings are alerted instead. A throttle is not a block, but a
   * runaway detector or a flood of framed keys must not quarantine every application either.
   */
  maxNewThrottlesPerHour: number;
  /** Findings below this severity are recorded but not alerted. */
  alertMinSeverity: Severity;
  /** Never act on these. */
  allow: { cidrs: string[]; apiKeys: string[]; principals: string[] };
  /**
   * Addresses never blocked in addition to the built-in private/reserved ranges: our own (NAT gateways, office,
   * monitoring), load balancers and proxies in front of the API, and the CloudFront edge ranges
   * (`cloudFrontRanges(ip-ranges.json)`): a CloudFront address in a log is a proxy, never a client.
   */
  protectedCidrs: string[];
  /** After a manual unblock, the same target is not acted on again for this long (the operator's word wins). */
  manualUnblockHoldMs: number;
  /** More alerts than this in one invocation are sent as one digest. */
  digestThreshold: number;
  /** Link to the console, in alerts (`{finding}` is replaced by the url-encoded finding id). */
  consoleUrl?: string;
  /**
   * What the deployment can enforce (set from which WAF sets and usage plan are configured): the policy only decides
   * actions that can happen, so that monitor mode shows what enforce mode would really do.
   */
  capabilities: { blockAddresses: boolean; blockKeys: boolean; throttleKeys: boolean };
}

const HOUR = 3_600_000;

export const DEFAULT_RESPONSE_CONFIG: ResponseConfig = {
  mode: 'monitor',
  rules: {
    'credential-stuffing': {
      block: { minSeverity: 'high', minConfidence: 0.7 },
      throttle: { minSeverity: 'medium', minConfidence: 0.6 },
    },
    scanning: { block: { minSeverity: 'high', minConfidence: 0.8 } },
    'volumetric-abuse': {
      block: { minSeverity: 'critical', minConfidence: 0.8 },
      throttle: { minSeverity: 'medium', minConfidence: 0.6 },
    },
    'bola-enumeration': {
      block: { minSeverity: 'critical', minConfidence: 0.8 },
      throttle: { minSeverity: 'high', minConfidence: 0.7 },
    },
    scraping: {
      block: { minSeverity: 'critical', minConfidence: 0.85 },
      throttle: { minSeverity: 'high', minConfidence: 0.7 },
    },
    'data-exfiltration': {
      block: { minSeverity: 'critical', minConfidence: 0.85 },
      throttle: { minSeverity: 'high', minConfidence: 0.7 },
    },
    // token-sharing, unauthenticated-access, shadow-api-traffic, zombie-api-traffic: about the API or a customer's
    // hygiene, not an attack to stop at the edge: alert only.
  },
  blockDurationMs: 1 * HOUR,
  throttleDurationMs: 1 * HOUR,
  escalationFactor: 4,
  maxDurationMs: 7 * 24 * HOUR,
  throttleToBlockAfter: 2,
  maxNewBlocksPerHour: 50,
  maxNewThrottlesPerHour: 50,
  alertMinSeverity: 'medium',
  allow: { cidrs: [], apiKeys: [], principals: [] },
  protectedCidrs: [],
  manualUnblockHoldMs: 24 * HOUR,
  digestThreshold: 5,
  capabilities: { blockAddresses: true, blockKeys: true, throttleKeys: true },
};

/** Addresses one AWS WAF IP set holds (WAF quotas page); IPv4 and IPv6 blocks each have a set of their own. */
export const WAF_IP_SET_CAPACITY = 10_000;

/**
 * How late an ended block may leave the IP set: the expirer lifts ended blocks every minute; an hour is allowed for
 * it to run late or retry.
 */
export const BLOCK_EXPIRY_ALLOWANCE_MS = HOUR;

/**
 * The most addresses Lantern can hold blocked at once, all in one IP set (one address family) in the worst case.
 * An address is in the set from its block's start until the expirer lifts it: for at most the longest block plus
 * the expiry allowance. Blocks started in that span count, and the cap is per clock hour: a span of L touches at most
 * ceil(L / 1 h) + 1 clock hours, each with up to `maxNewBlocksPerHour` new blocks. Extending a block adds no address.
 */
export function worstCaseBlockedAddresses(
  config: Pick<ResponseConfig, 'maxNewBlocksPerHour' | 'maxDurationMs'>,
): number {
  const hours = Math.ceil((config.maxDurationMs + BLOCK_EXPIRY_ALLOWANCE_MS) / HOUR) + 1;
  return config.maxNewBlocksPerHour * hours;
}

/** The configuration with its lists parsed once. */
export interface CompiledResponseConfig extends ResponseConfig {
  allowedRanges: CidrList;
  /** Reserved + protected ranges. */
  neverBlock: CidrList;
  reservedRanges: CidrList;
}

export class ResponseConfigError extends Error {
  override name = 'ResponseConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid response configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Names every problem at once. */
export function validateResponseConfig(config: ResponseConfig): string[] {
  const problems: string[] = [];
  if (config.mode !== 'monitor' && config.mode !== 'enforce')
    problems.push(`mode must be monitor or enforce, got "${String(config.mode)}"`);
  for (const [type, rule] of Object.entries(config.rules)) {
    if (!(FINDING_TYPES as readonly string[]).includes(type)) problems.push(`rules: unknown finding type "${type}"`);
    for (const [kind, t] of Object.entries(rule ?? {}) as Array<[string, Threshold | undefined]>) {
      if (!t) continue;
      if (!SEVERITIES.includes(t.minSeverity))
        problems.push(`rules.${type}.${kind}.minSeverity "${t.minSeverity}" is not a severity`);
      if (!(t.minConfidence >= 0 && t.minConfidence <= 1))
        problems.push(`rules.${type}.${kind}.minConfidence must be 0..1`);
    }
  }
  const positive = (name: keyof ResponseConfig) => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) problems.push(`${name} must be a positive number`);
  };
  positive('blockDurationMs');
  positive('throttleDurationMs');
  positive('maxDurationMs');
  positive('manualUnblockHoldMs');
  if (!(config.escalationFactor >= 1)) problems.push('escalationFactor must be >= 1');
  if (!(Number.isInteger(config.maxNewBlocksPerHour) && config.maxNewBlocksPerHour >= 0))
    problems.push('maxNewBlocksPerHour must be an integer >= 0');
  else if (Number.isFinite(config.maxDurationMs) && config.maxDurationMs > 0) {
    const worst = worstCaseBlockedAddresses(config);
    if (worst > WAF_IP_SET_CAPACITY) {
      const fits = Math.floor(WAF_IP_SET_CAPACITY / (worst / config.maxNewBlocksPerHour));
      problems.push(
        `maxNewBlocksPerHour ${config.maxNewBlocksPerHour} with blocks of up to ${config.maxDurationMs / HOUR} h can hold ${worst} addresses blocked at once, more than a WAF IP set's ${WAF_IP_SET_CAPACITY}: at most ${fits} with this maxDurationMs`,
      );
    }
  }
  if (!(Number.isInteger(config.maxNewThrottlesPerHour) && config.maxNewThrottlesPerHour >= 0))
    problems.push('maxNewThrottlesPerHour must be an integer >= 0');
  if (!(Number.isInteger(config.throttleToBlockAfter) && config.throttleToBlockAfter >= 1))
    problems.push('throttleToBlockAfter must be an integer >= 1');
  if (!(Number.isInteger(config.digestThreshold) && config.digestThreshold >= 1))
    problems.push('digestThreshold must be an integer >= 1');
  if (!SEVERITIES.includes(config.alertMinSeverity))
    problems.push(`alertMinSeverity "${config.alertMinSeverity}" is not a severity`);
  for (const c of config.allow.cidrs) if (!parseCidr(c)) problems.push(`allow.cidrs: "${c}" is not a CIDR range`);
  for (const c of config.protectedCidrs) if (!parseCidr(c)) problems.push(`protectedCidrs: "${c}" is not a CIDR range`);
  if (config.consoleUrl !== undefined && !/^https?:\/\//.test(config.consoleUrl))
    problems.push('consoleUrl must be an http(s) URL');
  return problems;
}

export function compileResponseConfig(config: ResponseConfig): CompiledResponseConfig {
  const problems = validateResponseConfig(config);
  if (problems.length > 0) throw new ResponseConfigError(problems);
  return {
    ...config,
    allowedRanges: new CidrList(config.allow.cidrs),
    neverBlock: new CidrList([...RESERVED_CIDRS, ...config.protectedCidrs]),
    reservedRanges: new CidrList(RESERVED_CIDRS),
  };
}
