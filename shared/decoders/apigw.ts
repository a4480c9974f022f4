/**
 * API Gateway access logs in JSON: one JSON object per CloudWatch Logs log event.
 *
 * Sources: API Gateway Developer Guide, "$context variables for data models, authorizers, mapping
 * templates, and CloudWatch access logging" (REST) and "Customizing HTTP API access logs" (HTTP);
 * CDK `AccessLogFormat.jsonWithStandardFields()`.
 *
 * Keys are whatever the stage's access log format names them; we accept CDK's standard-field keys,
 * the `$context` variable names themselves (flat, dotted as in `"waf.status"`, or nested as in
 * `{"waf":{"status":…}}`), and our own recommended format below. API Gateway writes `-` for a
 * variable with no value; `-` and empty strings are absent values here.
 */
import type { ApiEvent } from '../events/api-event.js';
import { type DecodeContext, type DecodeOutcome, LIMITS } from './decoder.js';
import { isLineTooLarge, isPlausibleTime, parseMethod, parseUint, trimNewline } from './fields.js';
import { percentDecodeOnce } from './percent.js';

/**
 * Lantern's recommended access log format for **REST APIs** (key -> `$context` variable), exported
 * for the CDK stack: `AccessLogFormat.custom(JSON.stringify(RECOMMENDED_APIGW_ACCESS_LOG_FORMAT))`.
 *
 * - `extendedRequestId` next to `requestId`: a client can set `requestId` (x-amzn-RequestId); the
 *   extended id is API Gateway's own and is our dedupe key.
 * - `requestTimeEpoch` (ms) rather than the text `requestTime` (second precision, locale-ish format).
 * - `path` (the actual path, with the stage prefix, which the decoder strips) *and* `resourcePath`
 *   (the matched template, authoritative for discovery).
 * - `apiKeyId` — the key's id, never `$context.identity.apiKey` (the secret itself).
 * - `principalId` and `sub`: custom-authorizer principal and Cognito/JWT subject.
 * - `caller`/`user`: IAM identities (SigV4-signed calls).
 * - `responseLatency`: total latency; `integrationLatency` kept for "slow backend vs. slow gateway".
 * - `wafResponseCode` (`WAF_ALLOW`/`WAF_BLOCK`): what WAF decided for this request.
 * - No `xff`: API Gateway has no `$context` variable for the X-Forwarded-For header, and
 *   `$context.identity.sourceIp` is already the TCP peer (a CloudFront address when behind
 *   CloudFront — set `behindCloudFront` so it is not treated as a client). Use CloudFront real-time
 *   logs for the viewer's address in that setup.
 * - No `routeKey`: REST APIs have no such variable (HTTP APIs do: see the HTTP API format).
 */
export const RECOMMENDED_APIGW_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  domainName: '$context.domainName',
  apiId: '$context.apiId',
  stage: '$context.stage',
  path: '$context.path',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  apiKeyId: '$context.identity.apiKeyId',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  principalId: '$context.authorizer.principalId',
  sub: '$context.authorizer.claims.sub',
  wafResponseCode: '$context.wafResponseCode',
  errorResponseType: '$context.error.responseType',
} as const;

/**
 * The same for **HTTP APIs** (v2): `routeKey` instead of `resourcePath`, no API keys, no WAF, JWT
 * claims under `authorizer.claims`.
 */
export const RECOMMENDED_HTTP_API_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  domainName: '$context.domainName',
  apiId: '$context.apiId',
  stage: '$context.stage',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  principalId: '$context.authorizer.principalId',
  sub: '$context.authorizer.claims.sub',
} as const;

type Json = Record<string, unknown>;

/** Reads `key` flat (`"waf.status"`) or nested (`{"waf":{"status":…}}`); `-`/empty -> undefined; numbers -> string. */
function read(obj: Json, key: string): string | undefined {
  let v: unknown = obj[key];
  if (v === undefined && key.indexOf('.') !== -1) {
    let cur: unknown = obj;
    for (const part of key.split('.')) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
        cur = undefined;
        break;
      }
      cur = (cur as Json)[part];
    }
    v = cur;
  }
  if (typeof v === 'string') return v === '' || v === '-' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function first(obj: Json, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = read(obj, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `$context.requestTime` (`02/Jul/2018:22:23:00 +0000`) to epoch ms. ISO 8601 with a zone is accepted too. */
export function parseApiGatewayRequestTime(s: string): number | undefined {
  const m = CLF_TIME.exec(s);
  if (m) {
    const month = MONTHS[m[2] as string];
    if (month === undefined) return undefined;
    const [d, y, h, mi, sec, oh, om] = [m[1], m[3], m[4], m[5], m[6], m[8], m[9]].map(Number) as number[];
    if (d === undefined || y === undefined || h === undefined || mi === undefined || sec === undefined)
      return undefined;
    if (d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || (oh ?? 0) > 23 || (om ?? 0) > 59) return undefined;
    const offset = ((oh ?? 0) * 60 + (om ?? 0)) * 60_000 * (m[7] === '-' ? -1 : 1);
    const t = Date.UTC(y, month, d, h, mi, sec) - offset;
    return new Date(Date.UTC(y, month, d)).getUTCDate() === d ? t : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const t = Date.parse(s);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** `requestTimeEpoch`: REST and HTTP APIs log milliseconds; a 10-digit value is taken as seconds. */
function parseEpoch(s: string): number | undefined {
  const dot = s.indexOf('.');
  const whole = parseUint(dot === -1 ? s : s.slice(0, dot));
  if (whole === undefined || whole === 0) return undefined;
  return whole < 100_000_000_000 ? whole * 1000 : whole;
}

/** `GET /pets/{id}` -> `/pets/{id}`; `$default` (or anything without a path) -> undefined. */
export function routeTemplateFromRouteKey(routeKey: string): string | undefined {
  const space = routeKey.indexOf(' ');
  if (space === -1) return undefined;
  const path = routeKey.slice(space + 1).trim();
  return path.startsWith('/') ? path : undefined;
}

/** Removes `/{stage}` from the front of `$context.path` on execute-api domains (custom domains map a base path instead). */
export function stripStagePrefix(path: string, stage: string | undefined, domainName: string | undefined): string {
  if (stage === undefined || stage === '$default') return path;
  if (domainName !== undefined && domainName.indexOf('.execute-api.') === -1) return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

const MAX_KEYS = 200;

/** Decodes one API Gateway access log line (a JSON object). */
export function decodeApiGateway(input: string, context: DecodeContext = {}): DecodeOutcome {
  const line = trimNewline(input);
  if (line.trim().length === 0) return { ok: false, reason: 'empty-record' };
  if (isLineTooLarge(line)) return { ok: false, reason: 'line-too-large', detail: `over ${LIMITS.maxLineBytes} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { ok: false, reason: 'not-an-object' };
  return decodeApiGatewayObject(parsed as Json, context);
}

/** Decodes an already-parsed access log object (exported for the CloudWatch Logs path and tests). */
export function decodeApiGatewayObject(obj: Json, context: DecodeContext = {}): DecodeOutcome {
  const keys = Object.keys(obj);
  if (keys.length > MAX_KEYS) return { ok: false, reason: 'field-too-large', detail: `more than ${MAX_KEYS} keys` };
  for (const k of keys) {
    const v = obj[k];
    if (typeof v === 'string' && v.length > LIMITS.maxFieldChars) {
      return {
        ok: false,
        reason: 'field-too-large',
        detail: `field ${k.slice(0, 40)} over ${LIMITS.maxFieldChars} chars`,
      };
    }
  }

  const routeKey = first(obj, ['routeKey']);
  const methodRaw =
    first(obj, ['httpMethod', 'method', 'context.httpMethod']) ?? (routeKey ? routeKey.split(' ')[0] : undefined);
  if (methodRaw === undefined || methodRaw === '$default')
    return { ok: false, reason: 'missing-field', detail: 'httpMethod' };
  const method = parseMethod(methodRaw);
  if (method === undefined) return { ok: false, reason: 'bad-method' };

  const statusRaw = first(obj, ['status', 'statusCode', 'context.status']);
  if (statusRaw === undefined) return { ok: false, reason: 'missing-field', detail: 'status' };
  const status = parseUint(statusRaw);
  if (status === undefined) return { ok: false, reason: 'bad-number', detail: 'status' };
  if (status > 999) return { ok: false, reason: 'bad-status' };

  let time: number | undefined;
  const epoch = first(obj, ['requestTimeEpoch', 'context.requestTimeEpoch']);
  const text = first(obj, ['requestTime', 'context.requestTime']);
  if (epoch !== undefined) time = parseEpoch(epoch);
  if (time === undefined && text !== undefined) time = parseApiGatewayRequestTime(text);
  if (time === undefined && epoch === undefined && text === undefined) {
    if (context.fallbackTimeMs === undefined) return { ok: false, reason: 'missing-field', detail: 'requestTime' };
    time = context.fallbackTimeMs;
  }
  if (!isPlausibleTime(time)) return { ok: false, reason: 'bad-timestamp' };

  const stage = first(obj, ['stage', 'context.stage']);
  const domainName = first(obj, ['domainName', 'context.domainName']);
  const resourcePath = first(obj, ['resourcePath', 'context.resourcePath']);
  const routeTemplate = resourcePath ?? (routeKey !== undefined ? routeTemplateFromRouteKey(routeKey) : undefined);
  const rawPath = first(obj, ['path', 'context.path']);
  let path: string;
  if (rawPath !== undefined) {
    const q = rawPath.indexOf('?');
    path = stripStagePrefix(percentDecodeOnce(q === -1 ? rawPath : rawPath.slice(0, q)), stage, domainName);
  } else if (routeTemplate !== undefined) {
    // Formats without `path` (CDK's standard fields) only tell us the template.
    path = routeTemplate;
  } else {
    return { ok: false, reason: 'missing-field', detail: 'path' };
  }

  const event: ApiEvent = {
    time,
    source: 'apigw',
    requestId: first(obj, ['extendedRequestId', 'requestId']) ?? '',
    host: (domainName ?? '').toLowerCase(),
    method,
    path,
    status,
    authenticated: false,
  };
  if (routeTemplate !== undefined) event.routeTemplate = routeTemplate;
  const bytesOut = parseOptionalUint(first(obj, ['responseLength', 'bytes']));
  if (bytesOut !== undefined) event.bytesOut = bytesOut;
  const latency = parseOptionalUint(first(obj, ['responseLatency', 'latency']));
  if (latency !== undefined) event.latencyMs = latency;

  const ip = first(obj, ['sourceIp', 'ip', 'identity.sourceIp', 'clientIp']);
  const userAgent = first(obj, ['userAgent', 'identity.userAgent', 'ua']);
  const via = first(obj, ['via']);
  if (ip !== undefined) {
    event.clientIp = ip;
    const proxied =
      context.behindCloudFront === true ||
      (via !== undefined && via.toLowerCase().indexOf('cloudfront') !== -1) ||
      userAgent === 'Amazon CloudFront';
    if (proxied) event.clientIpIsProxy = true;
  }
  // API Gateway logs the User-Agent header as received (not %-encoded): kept verbatim.
  if (userAgent !== undefined) event.userAgent = userAgent;
  const apiKeyId = first(obj, ['apiKeyId', 'identity.apiKeyId']);
  if (apiKeyId !== undefined) event.apiKeyId = apiKeyId;
  const principal = first(obj, [
    'principalId',
    'authorizerPrincipalId',
    'authorizer.principalId',
    'sub',
    'claims.sub',
    'authorizer.claims.sub',
    'authorizer.jwt.claims.sub',
    'cognitoIdentityId',
    'identity.cognitoIdentityId',
    'userArn',
    'identity.userArn',
    'caller',
    'identity.caller',
    'user',
    'identity.user',
  ]);
  if (principal !== undefined) event.principal = principal;
  const apiId = first(obj, ['apiId', 'context.apiId']);
  if (apiId !== undefined) event.apiId = apiId;
  if (stage !== undefined) event.stage = stage;
  const waf = first(obj, ['wafResponseCode', 'wafStatus', 'waf.status']);
  if (waf !== undefined) event.wafAction = waf;
  event.authenticated = apiKeyId !== undefined || principal !== undefined;
  return { ok: true, event };
}

function parseOptionalUint(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  return parseUint(s);
}
