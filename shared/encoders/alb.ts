/**
 * ApiEvent -> one Application Load Balancer access log entry (the inverse of `decodeAlb`), with all
 * 30 documented fields (through `conn_trace_id`). `time` is `request_creation_time`; the response
 * time is `time + latencyMs`; the latency is all target processing time.
 */
import type { ApiEvent } from '../events/api-event.js';
import { formatSeconds } from './cloudfront-realtime.js';
import { percentEncodePath, percentEncodeRawQuery } from './percent-encode.js';

export interface AlbEncodeOptions {
  /** `http`, `https`, `h2`, … (default `https`). */
  type?: 'http' | 'https' | 'h2' | 'grpcs' | 'ws' | 'wss';
  /** Load balancer resource id (default `app/lantern-alb/50dc6c495c0c9188`). */
  elb?: string;
  clientPort?: number;
}

/** Epoch ms -> `2018-07-02T22:23:00.186000Z` (ALB writes microseconds). */
export function formatAlbTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const quoted = (v: string | undefined): string =>
  `"${v === undefined || v === '' ? '-' : v.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\p{Cc}/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}"`;

const DEFAULT_PORT: Record<string, string> = {
  http: '80',
  ws: '80',
  https: '443',
  h2: '443',
  grpcs: '443',
  wss: '443',
};

function actions(event: ApiEvent): string {
  const list: string[] = [];
  if (event.wafAction === 'WAF_BLOCK') return 'waf';
  if (event.wafAction === 'WAF_ALLOW') list.push('waf');
  if (event.wafAction === 'WAF_FAILED') list.push('waf-failed');
  if (event.authenticated) list.push('authenticate');
  list.push('forward');
  return list.join(',');
}

export function encodeAlb(event: ApiEvent, options: AlbEncodeOptions = {}): string {
  const type = options.type ?? 'https';
  const scheme = type === 'h2' || type === 'grpcs' ? 'https' : type;
  const hasPort = /:\d+$/.test(event.host) && !event.host.endsWith(']');
  const authority = hasPort ? event.host : `${event.host}:${DEFAULT_PORT[type]}`;
  const query = event.query !== undefined ? `?${percentEncodeRawQuery(event.query)}` : '';
  const url = `${scheme}://${authority}${percentEncodePath(event.path)}${query}`;
  const blocked = event.wafAction === 'WAF_BLOCK';
  const target = blocked ? '-' : '10.0.1.17:8080';
  const latency = event.latencyMs;
  const status = event.status === 0 ? '-' : String(event.status).padStart(3, '0');
  const client = event.clientIp !== undefined ? `${event.clientIp}:${options.clientPort ?? 52814}` : '-';
  const tls = scheme === 'https' || scheme === 'wss';
  return [
    type,
    formatAlbTime(event.time + (latency ?? 0)),
    options.elb ?? 'app/lantern-alb/50dc6c495c0c9188',
    client,
    target,
    latency !== undefined ? '0.000' : '-1',
    latency !== undefined ? formatSeconds(latency) : '-1',
    latency !== undefined ? '0.000' : '-1',
    status,
    blocked || event.status === 0 ? '-' : status,
    event.bytesIn !== undefined ? String(event.bytesIn) : '0',
    event.bytesOut !== undefined ? String(event.bytesOut) : '0',
    quoted(`${event.method} ${url} HTTP/1.1`),
    quoted(event.userAgent),
    tls ? 'ECDHE-RSA-AES128-GCM-SHA256' : '-',
    tls ? 'TLSv1.2' : '-',
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lantern-api/73e2d6bc24d8a067',
    quoted(event.requestId),
    quoted(tls ? event.host.replace(/:\d+$/, '') : undefined),
    quoted(tls ? 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' : undefined),
    '1',
    formatAlbTime(event.time),
    quoted(actions(event)),
    quoted(undefined),
    quoted(undefined),
    quoted(blocked ? undefined : target),
    quoted(blocked || event.status === 0 ? undefined : status),
    quoted(undefined),
    quoted(undefined),
    'TID_1234abcd5678ef90',
  ].join(' ');
}
