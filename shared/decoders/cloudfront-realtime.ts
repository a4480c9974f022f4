/**
 * CloudFront real-time log records (Kinesis Data Streams): one tab-separated line per request, no
 * header, `-` for an empty value, text fields %-encoded.
 *
 * Source: CloudFront Developer Guide, "Real-time logs" (awsdocs/amazon-cloudfront-developer-guide,
 * doc_source/real-time-logs.md): "The fields are listed in the order in which they appear in the log
 * records that are delivered to Kinesis Data Streams." The columns of a record therefore follow
 * CloudFront's canonical order, whatever order the configuration listed them in.
 */
import type { ApiEvent } from '../events/api-event.js';
import { type DecodeOutcome, LIMITS, type LineContext } from './decoder.js';
import {
  headerNamesCarryCredential,
  headerNamesFromHeaders,
  isLineTooLarge,
  isPlausibleTime,
  parseMethod,
  parseSecondsToMs,
  parseStatus,
  parseUint,
  present,
  trimNewline,
} from './fields.js';
import { percentDecodeOnce } from './percent.js';

/**
 * Every real-time log field, in delivery order. 1–41 follow the AWS field list of 2020 with `s-ip`
 * inserted third (third-party source, unverified: it only matters if someone configures `s-ip`);
 * 42–46 are the fields added since, in the order commonly configured.
 */
export const CLOUDFRONT_REALTIME_FIELDS = [
  'timestamp',
  'c-ip',
  's-ip',
  'time-to-first-byte',
  'sc-status',
  'sc-bytes',
  'cs-method',
  'cs-protocol',
  'cs-host',
  'cs-uri-stem',
  'cs-bytes',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-protocol-version',
  'c-ip-version',
  'cs-user-agent',
  'cs-referer',
  'cs-cookie',
  'cs-uri-query',
  'x-edge-response-result-type',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-result-type',
  'fle-encrypted-fields',
  'fle-status',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
  'c-port',
  'x-edge-detailed-result-type',
  'c-country',
  'cs-accept-encoding',
  'cs-accept',
  'cache-behavior-path-pattern',
  'cs-headers',
  'cs-header-names',
  'cs-headers-count',
  'primary-distribution-id',
  'primary-distribution-dns-name',
  'origin-fbl',
  'origin-lbl',
  'asn',
] as const;

export type CloudFrontRealtimeField = (typeof CLOUDFRONT_REALTIME_FIELDS)[number];

/**
 * The field set Lantern's CDK stack configures (canonical order, 19 fields, ~350 bytes a record).
 *
 * - `timestamp`, `cs-method`, `sc-status`, `cs-uri-stem`, `cs-uri-query`: the request itself, the
 *   minimum for discovery and every rate/error baseline.
 * - `x-host-header` (the API's host as the client addressed it) and `cs-host` (fallback when the
 *   viewer sent no Host): one distribution can front several APIs.
 * - `c-ip` (the TCP peer, the only client identity we act on), `x-forwarded-for` (evidence only:
 *   client-controlled), `c-country`, `asn`: who is calling, for per-client baselines and blocking.
 * - `cs-user-agent`: scripted clients and scanners.
 * - `sc-bytes`, `cs-bytes`, `time-taken`: exfiltration (large responses), upload abuse, slow endpoints.
 * - `x-edge-request-id`: the dedupe key (Kinesis delivery is at least once); `x-edge-location`: the POP.
 * - `cs-protocol`: http vs https (a plain-http caller of an API is itself a finding).
 * - `cs-header-names`: *names only*, to derive `authenticated` (Authorization / x-api-key / Cookie
 *   present). We deliberately do **not** configure `cs-headers` or `cs-cookie`: they are truncated at
 *   800 bytes and carry credential values (Authorization, x-api-key, session cookies) that Lantern
 *   must never ingest. If a user's configuration has `cs-headers` anyway, the decoder keeps only the
 *   header names and drops the values on the spot.
 *
 * Not configured: `s-ip`, TLS details, `cs-referer`, content type/range, FLE, cache results
 * (`x-edge-*result-type`), `cs-accept*`, `origin-*`, distribution ids — useful for CDN tuning, not
 * for API security, and each costs Kinesis bytes on every request.
 */
export const DEFAULT_REALTIME_FIELDS: readonly CloudFrontRealtimeField[] = [
  'timestamp',
  'c-ip',
  'sc-status',
  'sc-bytes',
  'cs-method',
  'cs-protocol',
  'cs-host',
  'cs-uri-stem',
  'cs-bytes',
  'x-edge-location',
  'x-edge-request-id',
  'x-host-header',
  'time-taken',
  'cs-user-agent',
  'cs-uri-query',
  'x-forwarded-for',
  'c-country',
  'cs-header-names',
  'asn',
];

const CANONICAL_POSITION: ReadonlyMap<string, number> = new Map(CLOUDFRONT_REALTIME_FIELDS.map((f, i) => [f, i]));

/** Column layout of a configured field set: the fields in delivery order and each field's column (-1 = not configured). */
export interface RealtimeLayout {
  /** The configured fields in CloudFront's delivery order: column i holds `fields[i]`. */
  readonly fields: readonly CloudFrontRealtimeField[];
  /** Column index of a field in a record, or -1 when the field is not configured. */
  column(field: CloudFrontRealtimeField): number;
}

/**
 * Orders a configured field list (in ANY order, e.g. as written in a CloudFormation template) the way
 * CloudFront delivers the columns. Duplicates are collapsed. Throws on an unknown field name: a
 * wrong field list would silently shift every later column.
 */
export function realtimeLayout(configured: readonly string[]): RealtimeLayout {
  const seen = new Set<string>();
  for (const raw of configured) {
    const name = raw.trim();
    if (!CANONICAL_POSITION.has(name)) {
      throw new Error(
        `Unknown CloudFront real-time log field "${raw}". Known fields: ${CLOUDFRONT_REALTIME_FIELDS.join(', ')}`,
      );
    }
    seen.add(name);
  }
  if (seen.size === 0) throw new Error('A CloudFront real-time log configuration needs at least one field');
  const fields = [...seen].sort(
    (a, b) => (CANONICAL_POSITION.get(a) ?? 0) - (CANONICAL_POSITION.get(b) ?? 0),
  ) as CloudFrontRealtimeField[];
  const columns = new Map<string, number>(fields.map((f, i) => [f, i]));
  return { fields, column: (field) => columns.get(field) ?? -1 };
}

/** A decoder for one configured field set, with every column index resolved once. */
export type RealtimeLineDecoder = (line: string) => DecodeOutcome;

/**
 * Builds the fast decoder for a field set (the one to hold on to in a Lambda: call once at cold start).
 * Throws like `realtimeLayout` on an unknown field.
 */
export function makeCloudFrontRealtimeDecoder(
  configured: readonly string[] = DEFAULT_REALTIME_FIELDS,
): RealtimeLineDecoder {
  const layout = realtimeLayout(configured);
  const count = layout.fields.length;
  const cTimestamp = layout.column('timestamp');
  const cIp = layout.column('c-ip');
  const cStatus = layout.column('sc-status');
  const cBytesOut = layout.column('sc-bytes');
  const cMethod = layout.column('cs-method');
  const cHost = layout.column('cs-host');
  const cStem = layout.column('cs-uri-stem');
  const cBytesIn = layout.column('cs-bytes');
  const cEdge = layout.column('x-edge-location');
  const cRequestId = layout.column('x-edge-request-id');
  const cHostHeader = layout.column('x-host-header');
  const cTimeTaken = layout.column('time-taken');
  const cUserAgent = layout.column('cs-user-agent');
  const cQuery = layout.column('cs-uri-query');
  const cXff = layout.column('x-forwarded-for');
  const cCountry = layout.column('c-country');
  const cHeaders = layout.column('cs-headers');
  const cHeaderNames = layout.column('cs-header-names');
  const cCookie = layout.column('cs-cookie');
  const cAsn = layout.column('asn');

  if (cTimestamp < 0 || cMethod < 0 || cStatus < 0 || cStem < 0) {
    throw new Error(
      'A CloudFront real-time log configuration for Lantern needs timestamp, cs-method, sc-status and cs-uri-stem',
    );
  }

  return (input: string): DecodeOutcome => {
    const line = trimNewline(input);
    if (line.length === 0) return { ok: false, reason: 'empty-record' };
    if (isLineTooLarge(line))
      return { ok: false, reason: 'line-too-large', detail: `over ${LIMITS.maxLineBytes} bytes` };
    const cols = line.split('\t');
    // One trailing tab (an empty last column) is tolerated: AWS's own standard-log sample has one.
    if (cols.length !== count && !(cols.length === count + 1 && cols[count] === '')) {
      return { ok: false, reason: 'bad-field-count', detail: `expected ${count} fields, got ${cols.length}` };
    }
    if (line.length > LIMITS.maxFieldChars) {
      for (let i = 0; i < count; i++) {
        if ((cols[i] as string).length > LIMITS.maxFieldChars) {
          return {
            ok: false,
            reason: 'field-too-large',
            detail: `field ${layout.fields[i]} over ${LIMITS.maxFieldChars} chars`,
          };
        }
      }
    }

    const time = parseSecondsToMs(cols[cTimestamp] as string);
    if (!isPlausibleTime(time)) return { ok: false, reason: 'bad-timestamp' };
    const status = parseStatus(cols[cStatus] as string);
    if (status === undefined) return { ok: false, reason: 'bad-status' };
    const method = parseMethod(cols[cMethod] as string);
    if (method === undefined) return { ok: false, reason: 'bad-method' };
    const stem = present(cols[cStem]);
    if (stem === undefined) return { ok: false, reason: 'missing-field', detail: 'cs-uri-stem' };

    // The 2020 real-time log doc says cs-uri-stem includes the query string; split it off if so.
    let rawPath = stem;
    let query = cQuery >= 0 ? present(cols[cQuery]) : undefined;
    const q = stem.indexOf('?');
    if (q !== -1) {
      rawPath = stem.slice(0, q);
      if (query === undefined && q + 1 < stem.length) query = stem.slice(q + 1);
    }

    const hostHeader = cHostHeader >= 0 ? present(cols[cHostHeader]) : undefined;
    const host = hostHeader ?? (cHost >= 0 ? present(cols[cHost]) : undefined) ?? '';

    const event: ApiEvent = {
      time,
      source: 'cloudfront-realtime',
      requestId: (cRequestId >= 0 ? present(cols[cRequestId]) : undefined) ?? '',
      host: host.toLowerCase(),
      method,
      path: percentDecodeOnce(rawPath),
      status,
      authenticated: false,
    };
    if (query !== undefined) event.query = query;
    if (cBytesIn >= 0) {
      const v = parseUint(cols[cBytesIn] as string);
      if (v !== undefined) event.bytesIn = v;
    }
    if (cBytesOut >= 0) {
      const v = parseUint(cols[cBytesOut] as string);
      if (v !== undefined) event.bytesOut = v;
    }
    if (cTimeTaken >= 0) {
      const v = parseSecondsToMs(cols[cTimeTaken] as string);
      if (v !== undefined) event.latencyMs = v;
    }
    if (cIp >= 0) {
      const v = present(cols[cIp]);
      if (v !== undefined) event.clientIp = v;
    }
    if (cXff >= 0) {
      const v = present(cols[cXff]);
      if (v !== undefined) event.forwardedFor = percentDecodeOnce(v);
    }
    if (cUserAgent >= 0) {
      const v = present(cols[cUserAgent]);
      if (v !== undefined) event.userAgent = percentDecodeOnce(v);
    }
    if (cCountry >= 0) {
      const v = present(cols[cCountry]);
      if (v !== undefined) event.country = v;
    }
    if (cAsn >= 0) {
      const v = present(cols[cAsn]);
      if (v !== undefined) event.asn = v;
    }
    if (cEdge >= 0) {
      const v = present(cols[cEdge]);
      if (v !== undefined) event.edgeLocation = v;
    }
    if (cHeaderNames >= 0) {
      const v = present(cols[cHeaderNames]);
      if (v !== undefined && headerNamesCarryCredential(v)) event.authenticated = true;
    }
    if (!event.authenticated && cHeaders >= 0) {
      // Values are credentials: keep the names only, never the field.
      const v = present(cols[cHeaders]);
      if (v !== undefined && headerNamesCarryCredential(headerNamesFromHeaders(v))) event.authenticated = true;
    }
    if (!event.authenticated && cCookie >= 0 && present(cols[cCookie]) !== undefined) event.authenticated = true;
    return { ok: true, event };
  };
}

const decoderCache = new WeakMap<readonly string[], RealtimeLineDecoder>();
const defaultDecoder = makeCloudFrontRealtimeDecoder(DEFAULT_REALTIME_FIELDS);

/**
 * Decodes one CloudFront real-time log record. `context.fields` is the configured field set (any
 * order; default `DEFAULT_REALTIME_FIELDS`). The per-field-set decoder is cached by array identity:
 * pass the same array every time (or hold `makeCloudFrontRealtimeDecoder(fields)` yourself).
 * Throws only for an unknown field name in `context.fields` (a configuration error, not a record error).
 */
export function decodeCloudFrontRealtime(line: string, context: LineContext = {}): DecodeOutcome {
  const fields = context.fields;
  if (fields === undefined || fields === DEFAULT_REALTIME_FIELDS) return defaultDecoder(line);
  let decoder = decoderCache.get(fields);
  if (decoder === undefined) {
    decoder = makeCloudFrontRealtimeDecoder(fields);
    decoderCache.set(fields, decoder);
  }
  return decoder(line);
}
