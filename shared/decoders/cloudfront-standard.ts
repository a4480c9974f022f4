/**
 * CloudFront standard (access) logs, W3C extended format: files of tab-separated lines preceded by
 * `#Version: 1.0` and `#Fields: ...` header lines.
 *
 * Source: CloudFront Developer Guide, "Standard logging" (awsdocs/amazon-cloudfront-developer-guide,
 * doc_source/AccessLogs.md, "Standard log file fields" and the example log file).
 *
 * The decoder is stateless: the caller reads the header lines (`isW3cHeaderLine`), keeps the field
 * list returned by `parseW3cFieldsHeader`, and passes it as `context.fields` for each data line.
 */
import type { ApiEvent } from '../events/api-event.js';
import { type DecodeOutcome, LIMITS, type LineContext } from './decoder.js';
import {
  isLineTooLarge,
  isPlausibleTime,
  parseMethod,
  parseSecondsToMs,
  parseStatus,
  parseUint,
  parseUtcDateTime,
  present,
  trimNewline,
} from './fields.js';
import { percentDecodeOnce } from './percent.js';

/** The 33 fields of a standard (legacy) log file, in order: used when no `#Fields` header was seen. */
export const CLOUDFRONT_STANDARD_FIELDS: readonly string[] = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
];

/** Lines starting with `#` are W3C directives (`#Version`, `#Fields`), not records. */
export function isW3cHeaderLine(line: string): boolean {
  return line.charCodeAt(0) === 35;
}

/**
 * Parses a `#Fields:` directive into field names (W3C separates them with spaces; tabs are accepted).
 * Returns undefined when the line is not a `#Fields:` directive or names no field.
 */
export function parseW3cFieldsHeader(line: string): string[] | undefined {
  const trimmed = trimNewline(line);
  if (!trimmed.startsWith('#Fields:')) return undefined;
  const names = trimmed
    .slice('#Fields:'.length)
    .split(/[ \t]+/)
    .filter((n) => n.length > 0);
  return names.length > 0 ? names : undefined;
}

interface W3cLayout {
  count: number;
  date: number;
  time: number;
  timestampMs: number;
  timestamp: number;
  ip: number;
  method: number;
  csHost: number;
  stem: number;
  status: number;
  userAgent: number;
  query: number;
  cookie: number;
  requestId: number;
  hostHeader: number;
  bytesIn: number;
  bytesOut: number;
  timeTaken: number;
  xff: number;
  edge: number;
  country: number;
  asn: number;
}

function layoutOf(fields: readonly string[]): W3cLayout {
  const at = (name: string): number => fields.indexOf(name);
  return {
    count: fields.length,
    date: at('date'),
    time: at('time'),
    // Standard logging v2 adds epoch fields; prefer them when present.
    timestampMs: at('timestamp(ms)'),
    timestamp: at('timestamp'),
    ip: at('c-ip'),
    method: at('cs-method'),
    csHost: at('cs(Host)'),
    stem: at('cs-uri-stem'),
    status: at('sc-status'),
    userAgent: at('cs(User-Agent)'),
    query: at('cs-uri-query'),
    cookie: at('cs(Cookie)'),
    requestId: at('x-edge-request-id'),
    hostHeader: at('x-host-header'),
    bytesIn: at('cs-bytes'),
    bytesOut: at('sc-bytes'),
    timeTaken: at('time-taken'),
    xff: at('x-forwarded-for'),
    edge: at('x-edge-location'),
    country: at('c-country'),
    asn: at('asn'),
  };
}

const layoutCache = new WeakMap<readonly string[], W3cLayout>();
const defaultLayout = layoutOf(CLOUDFRONT_STANDARD_FIELDS);

function cachedLayout(fields: readonly string[] | undefined): W3cLayout {
  if (fields === undefined || fields === CLOUDFRONT_STANDARD_FIELDS) return defaultLayout;
  let layout = layoutCache.get(fields);
  if (layout === undefined) {
    layout = layoutOf(fields);
    layoutCache.set(fields, layout);
  }
  return layout;
}

const get = (cols: readonly string[], i: number): string | undefined => (i >= 0 ? present(cols[i]) : undefined);

/**
 * Decodes one data line of a standard log. `context.fields` is the last `#Fields` header seen
 * (default: the 33 standard fields). Header lines are rejected as `bad-header`: the caller should
 * not pass them (see `isW3cHeaderLine`).
 */
export function decodeCloudFrontStandard(input: string, context: LineContext = {}): DecodeOutcome {
  const line = trimNewline(input);
  if (line.length === 0) return { ok: false, reason: 'empty-record' };
  if (isW3cHeaderLine(line)) return { ok: false, reason: 'bad-header', detail: 'a # directive is not a record' };
  if (isLineTooLarge(line)) return { ok: false, reason: 'line-too-large', detail: `over ${LIMITS.maxLineBytes} bytes` };
  const L = cachedLayout(context.fields);
  const cols = line.split('\t');
  // AWS's own example log file has a line with one trailing tab: tolerate exactly one empty extra column.
  if (cols.length !== L.count && !(cols.length === L.count + 1 && cols[L.count] === '')) {
    return { ok: false, reason: 'bad-field-count', detail: `expected ${L.count} fields, got ${cols.length}` };
  }
  if (line.length > LIMITS.maxFieldChars) {
    for (let i = 0; i < L.count; i++) {
      if ((cols[i] as string).length > LIMITS.maxFieldChars) return { ok: false, reason: 'field-too-large' };
    }
  }

  let time: number | undefined;
  if (L.timestampMs >= 0) time = parseUint(cols[L.timestampMs] as string);
  else if (L.timestamp >= 0) time = parseSecondsToMs(cols[L.timestamp] as string);
  else if (L.date >= 0 && L.time >= 0) time = parseUtcDateTime(cols[L.date] as string, cols[L.time] as string);
  if (!isPlausibleTime(time)) return { ok: false, reason: 'bad-timestamp' };

  if (L.status < 0) return { ok: false, reason: 'missing-field', detail: 'sc-status' };
  const status = parseStatus(cols[L.status] as string);
  if (status === undefined) return { ok: false, reason: 'bad-status' };
  if (L.method < 0) return { ok: false, reason: 'missing-field', detail: 'cs-method' };
  const method = parseMethod(cols[L.method] as string);
  if (method === undefined) return { ok: false, reason: 'bad-method' };
  const stem = get(cols, L.stem);
  if (stem === undefined) return { ok: false, reason: 'missing-field', detail: 'cs-uri-stem' };

  const host = get(cols, L.hostHeader) ?? get(cols, L.csHost) ?? '';
  const event: ApiEvent = {
    time,
    source: 'cloudfront-standard',
    requestId: get(cols, L.requestId) ?? '',
    host: host.toLowerCase(),
    method,
    path: percentDecodeOnce(stem),
    status,
    authenticated: get(cols, L.cookie) !== undefined,
  };
  const query = get(cols, L.query);
  if (query !== undefined) event.query = query;
  const bytesIn = L.bytesIn >= 0 ? parseUint(cols[L.bytesIn] as string) : undefined;
  if (bytesIn !== undefined) event.bytesIn = bytesIn;
  const bytesOut = L.bytesOut >= 0 ? parseUint(cols[L.bytesOut] as string) : undefined;
  if (bytesOut !== undefined) event.bytesOut = bytesOut;
  const latency = L.timeTaken >= 0 ? parseSecondsToMs(cols[L.timeTaken] as string) : undefined;
  if (latency !== undefined) event.latencyMs = latency;
  const ip = get(cols, L.ip);
  if (ip !== undefined) event.clientIp = ip;
  const xff = get(cols, L.xff);
  if (xff !== undefined) event.forwardedFor = percentDecodeOnce(xff);
  const ua = get(cols, L.userAgent);
  if (ua !== undefined) event.userAgent = percentDecodeOnce(ua);
  const edge = get(cols, L.edge);
  if (edge !== undefined) event.edgeLocation = edge;
  const country = get(cols, L.country);
  if (country !== undefined) event.country = country;
  const asn = get(cols, L.asn);
  if (asn !== undefined) event.asn = asn;
  return { ok: true, event };
}
