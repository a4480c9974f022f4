/**
 * ApiEvent -> one CloudFront real-time log record (the inverse of `decodeCloudFrontRealtime`).
 * Used by round-trip tests and by the traffic simulator: the output is a realistic record for the
 * configured field set, columns in CloudFront's delivery order. Fields the ApiEvent does not carry
 * get plausible values (`https`, `Miss`, `TLSv1.3`, …). Credential values are never written: a
 * `cs-headers` column carries `REDACTED` for Authorization/x-api-key.
 */

import {
  type CloudFrontRealtimeField,
  DEFAULT_REALTIME_FIELDS,
  realtimeLayout,
} from '../decoders/cloudfront-realtime.js';
import type { ApiEvent } from '../events/api-event.js';
import { percentEncodePath, percentEncodeRawQuery, rawField, textField } from './percent-encode.js';

export interface CloudFrontRealtimeEncodeOptions {
  /** Configured field set, any order (default: `DEFAULT_REALTIME_FIELDS`). */
  fields?: readonly string[];
  /** The distribution's own domain, written to `cs-host` (default `d111111abcdef8.cloudfront.net`). */
  distributionDomain?: string;
  /** Viewer port for `c-port` (default 443). */
  clientPort?: number;
}

/** `1600299221087` -> `1600299221.087` (exact, no floating point). */
export function formatEpochSeconds(ms: number): string {
  const t = Math.trunc(ms);
  return `${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}`;
}

/** Milliseconds -> seconds with three decimals, as CloudFront writes durations. */
export function formatSeconds(ms: number): string {
  return formatEpochSeconds(ms);
}

function headerNames(event: ApiEvent): string[] {
  const names = ['host'];
  if (event.userAgent !== undefined) names.push('user-agent');
  names.push('accept');
  if (event.authenticated) names.push('authorization');
  if (event.forwardedFor !== undefined) names.push('x-forwarded-for');
  return names;
}

export function encodeCloudFrontRealtime(event: ApiEvent, options: CloudFrontRealtimeEncodeOptions = {}): string {
  const layout = realtimeLayout(options.fields ?? DEFAULT_REALTIME_FIELDS);
  const distribution = options.distributionDomain ?? 'd111111abcdef8.cloudfront.net';
  const resultType = event.status === 0 || event.status >= 400 ? 'Error' : 'Miss';
  const latency = event.latencyMs !== undefined ? formatSeconds(event.latencyMs) : '-';
  const names = headerNames(event);
  const value = (field: CloudFrontRealtimeField): string => {
    switch (field) {
      case 'timestamp':
        return formatEpochSeconds(event.time);
      case 'c-ip':
        return rawField(event.clientIp);
      case 's-ip':
        return '-';
      case 'time-to-first-byte':
      case 'origin-fbl':
      case 'origin-lbl':
        return latency;
      case 'sc-status':
        return String(event.status).padStart(3, '0');
      case 'sc-bytes':
        return event.bytesOut !== undefined ? String(event.bytesOut) : '-';
      case 'cs-method':
        return rawField(event.method);
      case 'cs-protocol':
        return 'https';
      case 'cs-host':
        return event.host === '' ? '-' : distribution;
      case 'cs-uri-stem':
        return textField(event.path, percentEncodePath);
      case 'cs-bytes':
        return event.bytesIn !== undefined ? String(event.bytesIn) : '-';
      case 'x-edge-location':
        return rawField(event.edgeLocation);
      case 'x-edge-request-id':
        return rawField(event.requestId);
      case 'x-host-header':
        return rawField(event.host);
      case 'time-taken':
        return latency;
      case 'cs-protocol-version':
        return 'HTTP/2.0';
      case 'c-ip-version':
        return event.clientIp === undefined ? '-' : event.clientIp.includes(':') ? 'IPv6' : 'IPv4';
      case 'cs-user-agent':
        return textField(event.userAgent);
      case 'cs-referer':
        return '-';
      case 'cs-cookie':
        // Only when the header-name columns cannot say it: a placeholder, never a real value.
        return event.authenticated && layout.column('cs-header-names') < 0 && layout.column('cs-headers') < 0
          ? 'session=REDACTED'
          : '-';
      case 'cs-uri-query':
        return textField(event.query, percentEncodeRawQuery);
      case 'x-edge-response-result-type':
      case 'x-edge-result-type':
      case 'x-edge-detailed-result-type':
        return resultType;
      case 'x-forwarded-for':
        return textField(event.forwardedFor);
      case 'ssl-protocol':
        return 'TLSv1.3';
      case 'ssl-cipher':
        return 'TLS_AES_128_GCM_SHA256';
      case 'fle-encrypted-fields':
      case 'fle-status':
      case 'sc-range-start':
      case 'sc-range-end':
        return '-';
      case 'sc-content-type':
        return 'application/json';
      case 'sc-content-len':
        return '-';
      case 'c-port':
        return String(options.clientPort ?? 443);
      case 'c-country':
        return rawField(event.country);
      case 'cs-accept-encoding':
        return 'gzip,%20deflate,%20br';
      case 'cs-accept':
        return 'application/json';
      case 'cache-behavior-path-pattern':
        return '*';
      case 'cs-headers': {
        const entries = names.map((n) => {
          if (n === 'host') return `host:${rawField(event.host)}`;
          if (n === 'user-agent') return `user-agent:${textField(event.userAgent)}`;
          if (n === 'x-forwarded-for') return `x-forwarded-for:${textField(event.forwardedFor)}`;
          if (n === 'authorization') return 'authorization:REDACTED';
          return 'accept:application/json';
        });
        return `${entries.join('%0A')}%0A`;
      }
      case 'cs-header-names':
        return `${names.join('%0A')}%0A`;
      case 'cs-headers-count':
        return String(names.length);
      case 'primary-distribution-id':
        return 'E1EXAMPLE0LANTERN';
      case 'primary-distribution-dns-name':
        return distribution;
      case 'asn':
        return rawField(event.asn);
    }
  };
  return layout.fields.map(value).join('\t');
}
