/**
 * Application Load Balancer access log entries: space-separated, some fields double-quoted.
 *
 * Source: Elastic Load Balancing, "Access logs for your Application Load Balancer"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html):
 * "When new fields are introduced, they are added to the end of the log entry. You should ignore any
 * fields at the end of the log entry that you were not expecting." Older entries end earlier; we need
 * the fields up to `"trace_id"`.
 *
 * type time elb client:port target:port request_processing_time target_processing_time
 * response_processing_time elb_status_code target_status_code received_bytes sent_bytes "request"
 * "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name" "chosen_cert_arn"
 * matched_rule_priority request_creation_time "actions_executed" "redirect_url" "error_reason"
 * "target:port_list" "target_status_code_list" "classification" "classification_reason" conn_trace_id …
 */
import type { ApiEvent } from '../events/api-event.js';
import { type DecodeOutcome, LIMITS, type LineContext } from './decoder.js';
import {
  isLineTooLarge,
  isPlausibleTime,
  parseIsoUtc,
  parseMethod,
  parseSignedSecondsToMs,
  parseStatus,
  parseUint,
  present,
  trimNewline,
} from './fields.js';
import { percentDecodeOnce } from './percent.js';

export const ALB_FIELDS = [
  'type',
  'time',
  'elb',
  'client:port',
  'target:port',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'error_reason',
  'target:port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
] as const;

/** Entries must carry at least the fields up to `"trace_id"` (the 2017 format). */
export const ALB_MIN_FIELDS = 18;
const MAX_FIELDS = 64;

const F = {
  type: 0,
  time: 1,
  client: 3,
  reqTime: 5,
  targetTime: 6,
  respTime: 7,
  status: 8,
  received: 10,
  sent: 11,
  request: 12,
  userAgent: 13,
  traceId: 17,
  domainName: 18,
  creationTime: 21,
  actions: 22,
} as const;

const ALB_TYPES = new Set(['http', 'https', 'h2', 'grpcs', 'ws', 'wss']);

/**
 * Splits an entry into fields: space-separated, a field that starts with `"` runs to the closing
 * quote (a `\"` inside is an escaped quote). Returns undefined on an unterminated quote or too many fields.
 */
export function splitAlbFields(line: string): string[] | undefined {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    if (out.length >= MAX_FIELDS) return undefined;
    if (line.charCodeAt(i) === 34) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const c = line.charCodeAt(j);
        if (c === 92) {
          escaped = true;
          j += 2;
          continue;
        }
        if (c === 34) break;
        j++;
      }
      if (j >= n) return undefined;
      const raw = line.slice(i + 1, j);
      out.push(escaped ? raw.replace(/\\(.)/g, '$1') : raw);
      i = j + 1;
      if (i < n && line.charCodeAt(i) !== 32) return undefined;
      i++;
    } else {
      let j = line.indexOf(' ', i);
      if (j === -1) j = n;
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

export interface ParsedUrl {
  host: string;
  path: string;
  query?: string;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
  grpcs: '443',
  h2: '443',
};

/**
 * Splits the absolute URL of an ALB `"request"` (`https://www.example.com:443/a?b`) into a host
 * (lower-case, default port removed, other ports kept), the raw path and the raw query.
 */
export function parseAbsoluteUrl(url: string): ParsedUrl | undefined {
  const sep = url.indexOf('://');
  if (sep <= 0) return undefined;
  const scheme = url.slice(0, sep).toLowerCase();
  const rest = url.slice(sep + 3);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c === 47 || c === 63) {
      end = i;
      break;
    }
  }
  let authority = rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  let host = authority;
  let port: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) return undefined;
    host = authority.slice(0, close + 1);
    if (authority.charCodeAt(close + 1) === 58) port = authority.slice(close + 2);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon !== -1) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
  }
  if (host.length === 0) return undefined;
  host = host.toLowerCase();
  if (port !== undefined && port !== '' && port !== DEFAULT_PORTS[scheme]) host = `${host}:${port}`;
  const pathAndQuery = rest.slice(end);
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const result: ParsedUrl = { host, path: path === '' ? '/' : path };
  if (q !== -1 && q + 1 < pathAndQuery.length) result.query = pathAndQuery.slice(q + 1);
  return result;
}

/** `192.168.131.39:2817` or `[2001:db8::1]:2817` -> the address. */
function addressOf(clientPort: string): string | undefined {
  if (clientPort === '-' || clientPort === '') return undefined;
  if (clientPort.startsWith('[')) {
    const close = clientPort.indexOf(']');
    return close > 1 ? clientPort.slice(1, close) : undefined;
  }
  const colon = clientPort.lastIndexOf(':');
  return colon > 0 ? clientPort.slice(0, colon) : clientPort;
}

/** `actions_executed` -> the WAF outcome, in API Gateway's `wafResponseCode` vocabulary. */
function wafOutcome(actions: string | undefined): string | undefined {
  if (actions === undefined) return undefined;
  const list = actions.split(',');
  if (list.includes('waf-failed')) return 'WAF_FAILED';
  const i = list.indexOf('waf');
  if (i === -1) return undefined;
  // "If this is the final action, AWS WAF determined that the request should be rejected."
  return i === list.length - 1 ? 'WAF_BLOCK' : 'WAF_ALLOW';
}

/** Decodes one ALB access log entry. `context` is unused (the format has no header). */
export function decodeAlb(input: string, _context: LineContext = {}): DecodeOutcome {
  const line = trimNewline(input);
  if (line.length === 0) return { ok: false, reason: 'empty-record' };
  if (isLineTooLarge(line)) return { ok: false, reason: 'line-too-large', detail: `over ${LIMITS.maxLineBytes} bytes` };
  const f = splitAlbFields(line);
  if (f === undefined || f.length < ALB_MIN_FIELDS) {
    return { ok: false, reason: 'bad-field-count', detail: `expected at least ${ALB_MIN_FIELDS} fields` };
  }
  if (line.length > LIMITS.maxFieldChars) {
    for (const v of f) if (v.length > LIMITS.maxFieldChars) return { ok: false, reason: 'field-too-large' };
  }
  if (!ALB_TYPES.has(f[F.type] as string))
    return { ok: false, reason: 'bad-field-count', detail: 'unknown entry type' };

  const time = parseIsoUtc(f[F.creationTime] ?? '') ?? parseIsoUtc(f[F.time] as string);
  if (!isPlausibleTime(time)) return { ok: false, reason: 'bad-timestamp' };

  const statusRaw = f[F.status] as string;
  // `-`: no response was sent (the client went away), like CloudFront's `000`.
  const status = statusRaw === '-' ? 0 : parseStatus(statusRaw);
  if (status === undefined) return { ok: false, reason: 'bad-status' };

  const request = f[F.request] as string;
  const sp1 = request.indexOf(' ');
  const sp2 = request.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) return { ok: false, reason: 'not-a-request', detail: 'malformed request line' };
  const methodRaw = request.slice(0, sp1);
  if (methodRaw === '-') return { ok: false, reason: 'not-a-request', detail: 'the client sent no complete request' };
  const method = parseMethod(methodRaw);
  if (method === undefined) return { ok: false, reason: 'bad-method' };
  const url = parseAbsoluteUrl(request.slice(sp1 + 1, sp2));
  if (url === undefined) return { ok: false, reason: 'not-a-request', detail: 'request URL is not absolute' };

  const event: ApiEvent = {
    time,
    source: 'alb',
    requestId: present(f[F.traceId]) ?? '',
    host: url.host,
    method,
    path: percentDecodeOnce(url.path),
    status,
    authenticated: false,
  };
  if (url.query !== undefined) event.query = url.query;
  const received = parseUint(f[F.received] as string);
  if (received !== undefined) event.bytesIn = received;
  const sent = parseUint(f[F.sent] as string);
  if (sent !== undefined) event.bytesOut = sent;
  const parts = [f[F.reqTime], f[F.targetTime], f[F.respTime]].map((v) => parseSignedSecondsToMs(v as string));
  if (parts.some((v) => v !== undefined)) event.latencyMs = parts.reduce<number>((sum, v) => sum + (v ?? 0), 0);
  const ip = addressOf(f[F.client] as string);
  if (ip !== undefined) event.clientIp = ip;
  const ua = present(f[F.userAgent]);
  if (ua !== undefined) event.userAgent = ua;
  const actions = present(f[F.actions]);
  const waf = wafOutcome(actions);
  if (waf !== undefined) event.wafAction = waf;
  if (actions?.split(',').includes('authenticate')) event.authenticated = true;
  return { ok: true, event };
}
