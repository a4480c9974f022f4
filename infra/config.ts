/**
 * The deployment's configuration: typed, with defaults, validated at synth. Every problem is reported at once,
 * each prefixed with the key it is about, so that `cdk synth` fails with a message a user can act on.
 *
 * Sources, later ones winning:
 * 1. the `lantern` object in cdk.json's context (the example configuration of the repository);
 * 2. a JSON file named by the context key `lanternConfig` (`cdk deploy -c lanternConfig=lantern.prod.json`);
 * 3. single keys on the command line: `-c lantern:alertEmail=sec@example.com -c lantern:distributions=E1,E2`
 *    (lists comma-separated, numbers and booleans parsed).
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { INGEST_EVENT_SOURCE_MAPPING } from '../functions/ingest/mapping.js';
import { cloudFrontRanges } from '../shared/response/addresses.js';
import { DEFAULT_RESPONSE_CONFIG, WAF_IP_SET_CAPACITY, worstCaseBlockedAddresses } from '../shared/response/config.js';

export type Mode = 'monitor' | 'enforce';
export type WafScope = 'CLOUDFRONT' | 'REGIONAL';
export type Attachment = 'custom-resource' | 'manual';

export interface RestApiStage {
  /** REST API id (10 characters, e.g. `a1b2c3d4e5`). */
  apiId: string;
  stage: string;
}

/**
 * The ingest event source mapping: defaults from its one definition, functions/ingest/mapping.ts (the local cloud's
 * poller uses the same). Large batches are the main lever on DynamoDB write units (one write per touched document
 * per batch, docs/data-model.md). A shard takes at most 1,000 records/s, so with the 5 s default the window, not
 * the size, closes a batch: at low volume a longer window trades detection latency for cost (docs/deploy.md, cost). The parallelization factor
 * is not configurable: the engine applies a shard's records in order (its watermarks rely on it).
 */
export interface IngestTuning {
  /** Records per invocation (default INGEST_EVENT_SOURCE_MAPPING.batchSize: 10,000). */
  batchSize: number;
  /** Seconds Lambda waits to fill a batch (default 5): also the detection latency it adds. */
  batchWindowSeconds: number;
  /** Retries of a failing batch before it goes to the on-failure queue (default 10). */
  retryAttempts: number;
  /** Records older than this go to the on-failure queue unprocessed (default 86,400 s). */
  maxRecordAgeSeconds: number;
  /** Memory of the ingest function, MB (default 1769: one full vCPU; the engine is CPU-bound). */
  memoryMb: number;
}

export interface LanternConfig {
  /** CloudFormation stack name (default `Lantern`); the edge stack is `<stackName>-Edge`. */
  stackName: string;
  /**
   * Region to deploy to (required: the stack pins its environment, so that synth is deterministic and offline, and
   * the state table's customer managed key is a per-region replica setting).
   */
  region: string;
  /** Account to deploy to (optional: a 12-digit id). */
  account?: string;
  /** `monitor` (default): decide and record, enforce nothing. `enforce`: apply blocks and throttles. */
  mode: Mode;
  /** Email address subscribed to the alert topic (optional). */
  alertEmail?: string;
  /** Name of an existing Secrets Manager secret holding the Slack incoming-webhook URL (optional). */
  slackSecretName?: string;
  /** CloudFront distribution ids whose viewer requests Lantern analyses (real-time logs). */
  distributions: string[];
  /** How the real-time log configuration (and the WebACL) reach the distributions (default custom-resource). */
  attachment: Attachment;
  /** Share of CloudFront requests sent to Lantern, percent 1–100 (default 100). */
  samplingRate: number;
  /** CloudWatch Logs groups of API Gateway access logs to subscribe to the log stream. */
  logGroups: string[];
  /** REST API stages: the quarantine usage plan covers them; REGIONAL WAF attaches to them. */
  restApis: RestApiStage[];
  /**
   * Which REST APIs the sweeper reads as the declared API (managed/shadow/zombie/unused): `all` of the region
   * (default), `none`, or REST API ids.
   */
  declaredApis: 'all' | 'none' | string[];
  /** The APIs are behind CloudFront: API Gateway's source IP is a CloudFront address, not the client. */
  behindCloudFront: boolean;
  /** Where the WAF IP sets and WebACL live: CLOUDFRONT (us-east-1, default when distributions are named) or REGIONAL. */
  wafScope: WafScope;
  /** Associate the WebACL with the named distributions (CLOUDFRONT) or REST API stages (REGIONAL) (default false). */
  attachWebAcl: boolean;
  /** Never acted on. */
  allowlist: { cidrs: string[]; apiKeys: string[]; principals: string[] };
  /** Never blocked, beyond the built-in private ranges: your NAT gateways, offices, monitoring, proxies. */
  protectedCidrs: string[];
  /**
   * A local copy of https://ip-ranges.amazonaws.com/ip-ranges.json (download it before deploying: synth stays
   * offline): bundled with the functions that act, its CloudFront ranges are never blocked.
   */
  awsIpRangesFile?: string;
  /** Days CloudWatch Logs keep the functions' and console API's logs (one of CloudWatch's values; default 30). */
  retentionDays: number;
  /**
   * Cap on new blocks per hour before the policy alerts instead (default 50). With the responder's longest block
   * (7 days) the addresses blocked at once must fit a WAF IP set: at most 58 (`MAX_BLOCKS_PER_HOUR`).
   */
  maxBlocksPerHour: number;
  /** Cap on new API key throttles per hour before the policy alerts instead (default 50). */
  maxThrottlesPerHour: number;
  /** Quarantine usage plan: the throttle an offending API key is moved under. */
  quarantine: { rateLimit: number; burstLimit: number };
  ingest: IngestTuning;
  /** Console hosting (S3 + CloudFront + Cognito + REST API) (default true). */
  console: boolean;
  /** Delete the state table and buckets with the stack (default false: retained). */
  destroyOnDelete: boolean;
}

/** The stack's configuration is wrong: every problem at once. */
export class LanternConfigError extends Error {
  override name = 'LanternConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid Lantern configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** CloudWatch Logs retention values (days). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const CONFIG_KEYS = [
  'stackName',
  'region',
  'account',
  'mode',
  'alertEmail',
  'slackSecretName',
  'distributions',
  'attachment',
  'samplingRate',
  'logGroups',
  'restApis',
  'declaredApis',
  'behindCloudFront',
  'wafScope',
  'attachWebAcl',
  'allowlist',
  'protectedCidrs',
  'awsIpRangesFile',
  'retentionDays',
  'maxBlocksPerHour',
  'maxThrottlesPerHour',
  'quarantine',
  'ingest',
  'console',
  'destroyOnDelete',
] as const;

/**
 * The largest `maxBlocksPerHour` whose worst case fits a WAF IP set, with the blocks the stack's responder makes
 * (its default longest block: the stack does not change it).
 */
export const MAX_BLOCKS_PER_HOUR = Math.floor(
  WAF_IP_SET_CAPACITY /
    worstCaseBlockedAddresses({ maxNewBlocksPerHour: 1, maxDurationMs: DEFAULT_RESPONSE_CONFIG.maxDurationMs }),
);

/** The ingest tuning a deployment gets when it sets none (the capacity model reads these). */
export const INGEST_DEFAULTS: IngestTuning = {
  batchSize: INGEST_EVENT_SOURCE_MAPPING.batchSize,
  batchWindowSeconds: INGEST_EVENT_SOURCE_MAPPING.maximumBatchingWindowSeconds,
  retryAttempts: INGEST_EVENT_SOURCE_MAPPING.maximumRetryAttempts,
  maxRecordAgeSeconds: INGEST_EVENT_SOURCE_MAPPING.maximumRecordAgeSeconds,
  memoryMb: 1769,
};
const INGEST_KEYS = ['batchSize', 'batchWindowSeconds', 'retryAttempts', 'maxRecordAgeSeconds', 'memoryMb'];

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a raw configuration object (from context or a file). Throws LanternConfigError listing every problem. */
export function parseConfig(
  raw: unknown,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): LanternConfig {
  const problems: string[] = [];
  const at = (key: string, message: string) => problems.push(`lantern.${key}: ${message}`);
  if (raw !== undefined && !isObject(raw)) throw new LanternConfigError(['lantern: must be an object']);
  const input: Raw = raw ?? {};
  for (const key of Object.keys(input)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) at(key, `unknown key (known: ${CONFIG_KEYS.join(', ')})`);
  }

  const str = (key: string, value: unknown): string | undefined => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      at(key, `must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };
  const list = (key: string, value: unknown): string[] => {
    if (value === undefined || value === null || value === '') return [];
    if (typeof value === 'string')
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      at(key, 'must be a list of strings');
      return [];
    }
    return (value as string[]).map((s) => s.trim());
  };
  const int = (key: string, value: unknown, fallback: number, min: number, max: number): number => {
    if (value === undefined || value === null || value === '') return fallback;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      at(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  };
  const bool = (key: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    at(key, `must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T => {
    const s = str(key, value);
    if (s === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(s)) {
      at(key, `must be one of ${allowed.join(', ')}, got "${s}"`);
      return fallback;
    }
    return s as T;
  };

  const stackName = str('stackName', input.stackName) ?? 'Lantern';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(stackName))
    at(
      'stackName',
      `"${stackName}" is not a CloudFormation stack name (letters, digits, hyphens; starts with a letter)`,
    );

  const region = str('region', input.region);
  if (region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region))
    at('region', `"${region}" is not an AWS region (e.g. eu-west-1)`);
  const account = str('account', typeof input.account === 'number' ? String(input.account) : input.account);
  if (account !== undefined && !/^\d{12}$/.test(account))
    at('account', `"${account}" is not a 12-digit AWS account id`);

  const mode = oneOf<Mode>('mode', input.mode, ['monitor', 'enforce'], 'monitor');

  const alertEmail = str('alertEmail', input.alertEmail);
  if (alertEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alertEmail))
    at('alertEmail', `"${alertEmail}" is not an email address`);

  const slackSecretName = str('slackSecretName', input.slackSecretName);
  if (slackSecretName !== undefined && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(slackSecretName)) {
    at('slackSecretName', `"${slackSecretName}" is not a Secrets Manager secret name (letters, digits, /_+=.@-)`);
  }

  const distributions = list('distributions', input.distributions);
  for (const d of distributions) {
    if (!/^E[A-Z0-9]{8,20}$/.test(d))
      at('distributions', `"${d}" is not a CloudFront distribution id (e.g. E2QWRUHAPOMQZL)`);
  }
  const attachment = oneOf<Attachment>(
    'attachment',
    input.attachment,
    ['custom-resource', 'manual'],
    'custom-resource',
  );
  const samplingRate = int('samplingRate', input.samplingRate, 100, 1, 100);

  const logGroups = list('logGroups', input.logGroups);
  for (const g of logGroups) {
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(g)) at('logGroups', `"${g}" is not a CloudWatch Logs group name`);
  }

  const restApis: RestApiStage[] = [];
  for (const entry of list('restApis', input.restApis)) {
    const match = /^([a-z0-9]{10})\/([A-Za-z0-9_-]{1,128})$/.exec(entry);
    if (!match) at('restApis', `"${entry}" must be "<restApiId>/<stage>" (e.g. a1b2c3d4e5/prod)`);
    else restApis.push({ apiId: match[1]!, stage: match[2]! });
  }
  let declaredApis: LanternConfig['declaredApis'] = 'all';
  if (input.declaredApis === 'all' || input.declaredApis === 'none' || input.declaredApis === undefined)
    declaredApis = input.declaredApis ?? 'all';
  else {
    const ids = list('declaredApis', input.declaredApis);
    for (const id of ids)
      if (!/^[a-z0-9]{10}$/.test(id)) at('declaredApis', `"${id}" is not a REST API id (e.g. a1b2c3d4e5)`);
    if (ids.length === 0) at('declaredApis', 'must be "all", "none" or a non-empty list of REST API ids');
    declaredApis = ids;
  }

  const behindCloudFront = bool('behindCloudFront', input.behindCloudFront, false);
  const wafScope = oneOf<WafScope>(
    'wafScope',
    input.wafScope,
    ['CLOUDFRONT', 'REGIONAL'],
    distributions.length > 0 || restApis.length === 0 ? 'CLOUDFRONT' : 'REGIONAL',
  );
  const attachWebAcl = bool('attachWebAcl', input.attachWebAcl, false);
  if (region === undefined) {
    at(
      'region',
      wafScope === 'CLOUDFRONT'
        ? 'is required (e.g. eu-west-1); with wafScope CLOUDFRONT the WAF resources go to us-east-1 and the rest to this region (us-east-1: one stack)'
        : 'is required (e.g. eu-west-1): the region of the stack, its APIs and their access-log groups',
    );
  }
  if (attachWebAcl && wafScope === 'CLOUDFRONT' && distributions.length === 0)
    at('attachWebAcl', 'needs distributions when wafScope is CLOUDFRONT');
  if (attachWebAcl && wafScope === 'REGIONAL' && restApis.length === 0)
    at('attachWebAcl', 'needs restApis when wafScope is REGIONAL');
  if (attachWebAcl && wafScope === 'CLOUDFRONT' && attachment === 'manual')
    at(
      'attachWebAcl',
      'is done by the custom resource: set attachment to custom-resource, or attach the WebACL yourself',
    );

  const allowRaw = input.allowlist === undefined ? {} : input.allowlist;
  const allowlist = { cidrs: [] as string[], apiKeys: [] as string[], principals: [] as string[] };
  if (!isObject(allowRaw)) at('allowlist', 'must be an object { cidrs, apiKeys, principals }');
  else {
    for (const key of Object.keys(allowRaw)) {
      if (!['cidrs', 'apiKeys', 'principals'].includes(key))
        at(`allowlist.${key}`, 'unknown key (known: cidrs, apiKeys, principals)');
    }
    allowlist.cidrs = list('allowlist.cidrs', allowRaw.cidrs);
    allowlist.apiKeys = list('allowlist.apiKeys', allowRaw.apiKeys);
    allowlist.principals = list('allowlist.principals', allowRaw.principals);
    for (const c of allowlist.cidrs)
      if (!isCidr(c)) at('allowlist.cidrs', `"${c}" is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24)`);
    for (const k of allowlist.apiKeys)
      if (!/^[A-Za-z0-9]{1,64}$/.test(k)) at('allowlist.apiKeys', `"${k}" is not an API key id`);
  }

  const protectedCidrs = list('protectedCidrs', input.protectedCidrs);
  for (const c of protectedCidrs)
    if (!isCidr(c)) at('protectedCidrs', `"${c}" is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24)`);

  const awsIpRangesFile = str('awsIpRangesFile', input.awsIpRangesFile);
  if (awsIpRangesFile !== undefined) {
    try {
      if (cloudFrontRanges(JSON.parse(readFile(awsIpRangesFile)) as unknown).length === 0) {
        at('awsIpRangesFile', `"${awsIpRangesFile}" lists no CLOUDFRONT ranges (is it ip-ranges.json?)`);
      }
    } catch (error: unknown) {
      at(
        'awsIpRangesFile',
        `cannot read "${awsIpRangesFile}" as JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  const retentionDays = int('retentionDays', input.retentionDays, 30, 1, 3653);
  if (!(RETENTION_DAYS as readonly number[]).includes(retentionDays)) {
    at('retentionDays', `must be one of CloudWatch Logs' values (${RETENTION_DAYS.join(', ')}), got ${retentionDays}`);
  }
  const maxBlocksPerHour = int('maxBlocksPerHour', input.maxBlocksPerHour, 50, 0, 10_000);
  const maxDurationMs = DEFAULT_RESPONSE_CONFIG.maxDurationMs;
  const worstCase = worstCaseBlockedAddresses({ maxNewBlocksPerHour: maxBlocksPerHour, maxDurationMs });
  if (worstCase > WAF_IP_SET_CAPACITY) {
    // The responder would refuse it at cold start (validateResponseConfig): say so at synth, before deploying.
    at(
      'maxBlocksPerHour',
      `${maxBlocksPerHour} new blocks an hour, with blocks of up to ${maxDurationMs / 3_600_000} h, can hold ${worstCase} addresses blocked at once, more than a WAF IP set's ${WAF_IP_SET_CAPACITY}: at most ${MAX_BLOCKS_PER_HOUR}`,
    );
  }
  const maxThrottlesPerHour = int('maxThrottlesPerHour', input.maxThrottlesPerHour, 50, 0, 10_000);

  const quarantineRaw = input.quarantine === undefined ? {} : input.quarantine;
  let quarantine = { rateLimit: 1, burstLimit: 2 };
  if (!isObject(quarantineRaw)) at('quarantine', 'must be an object { rateLimit, burstLimit }');
  else {
    quarantine = {
      rateLimit: int('quarantine.rateLimit', quarantineRaw.rateLimit, 1, 1, 10_000),
      burstLimit: int('quarantine.burstLimit', quarantineRaw.burstLimit, 2, 1, 5_000),
    };
  }

  const ingestRaw = input.ingest === undefined ? {} : input.ingest;
  let ingest = INGEST_DEFAULTS;
  if (!isObject(ingestRaw)) at('ingest', 'must be an object');
  else {
    for (const key of Object.keys(ingestRaw)) {
      if (key === 'parallelizationFactor') {
        at('ingest.parallelizationFactor', "is fixed at 1: the engine applies a shard's records in order");
      } else if (!INGEST_KEYS.includes(key)) at(`ingest.${key}`, `unknown key (known: ${INGEST_KEYS.join(', ')})`);
    }
    ingest = {
      batchSize: int('ingest.batchSize', ingestRaw.batchSize, INGEST_DEFAULTS.batchSize, 1, 10_000),
      batchWindowSeconds: int(
        'ingest.batchWindowSeconds',
        ingestRaw.batchWindowSeconds,
        INGEST_DEFAULTS.batchWindowSeconds,
        0,
        300,
      ),
      retryAttempts: int('ingest.retryAttempts', ingestRaw.retryAttempts, INGEST_DEFAULTS.retryAttempts, 0, 10_000),
      maxRecordAgeSeconds: int(
        'ingest.maxRecordAgeSeconds',
        ingestRaw.maxRecordAgeSeconds,
        INGEST_DEFAULTS.maxRecordAgeSeconds,
        60,
        604_800,
      ),
      memoryMb: int('ingest.memoryMb', ingestRaw.memoryMb, INGEST_DEFAULTS.memoryMb, 128, 10_240),
    };
  }

  const consoleEnabled = bool('console', input.console, true);
  const destroyOnDelete = bool('destroyOnDelete', input.destroyOnDelete, false);

  if (problems.length > 0) throw new LanternConfigError(problems);
  return {
    stackName,
    region: region ?? '',
    ...(account !== undefined ? { account } : {}),
    mode,
    ...(alertEmail !== undefined ? { alertEmail } : {}),
    ...(slackSecretName !== undefined ? { slackSecretName } : {}),
    distributions,
    attachment,
    samplingRate,
    logGroups,
    restApis,
    declaredApis,
    behindCloudFront,
    wafScope,
    attachWebAcl,
    allowlist,
    protectedCidrs,
    ...(awsIpRangesFile !== undefined ? { awsIpRangesFile } : {}),
    retentionDays,
    maxBlocksPerHour,
    maxThrottlesPerHour,
    quarantine,
    ingest,
    console: consoleEnabled,
    destroyOnDelete,
  };
}

export function isCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (ip === undefined || bits === undefined || rest.length > 0 || !/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (isIPv4(ip)) return n <= 32;
  if (isIPv6(ip)) return n <= 128;
  return false;
}

/** Anything with CDK's `tryGetContext` (an App or a construct node). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * Reads the configuration from the context: the `lantern` object, then the file named by `lanternConfig`, then
 * `lantern:<key>` overrides. Validated: throws LanternConfigError.
 */
export function loadConfig(
  context: ContextSource,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): LanternConfig {
  let merged: Raw = {};
  const base = context.tryGetContext('lantern');
  if (base !== undefined) {
    const parsed = typeof base === 'string' ? parseJson(base, 'context lantern') : base;
    if (!isObject(parsed)) throw new LanternConfigError(['lantern: must be an object']);
    merged = { ...parsed };
  }
  const file = context.tryGetContext('lanternConfig');
  if (file !== undefined) {
    if (typeof file !== 'string') throw new LanternConfigError(['lanternConfig: must be a path to a JSON file']);
    let text: string;
    try {
      text = readFile(file);
    } catch (error: unknown) {
      throw new LanternConfigError([
        `lanternConfig: cannot read "${file}" (${error instanceof Error ? error.message : String(error)})`,
      ]);
    }
    const parsed = parseJson(text, file);
    if (!isObject(parsed)) throw new LanternConfigError([`lanternConfig: "${file}" must hold a JSON object`]);
    merged = { ...merged, ...parsed };
  }
  for (const key of CONFIG_KEYS) {
    const value = context.tryGetContext(`lantern:${key}`);
    if (value !== undefined)
      merged[key] =
        key === 'allowlist' || key === 'quarantine' || key === 'ingest'
          ? parseJson(String(value), `lantern:${key}`)
          : value;
  }
  return parseConfig(merged, readFile);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new LanternConfigError([
      `${where}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
}
