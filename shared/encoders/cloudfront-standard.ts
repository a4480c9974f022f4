/**
 * ApiEvent -> one data line of a CloudFront standard (W3C) log, plus the header lines of a file.
 * The inverse of `decodeCloudFrontStandard`. Standard logs have second precision (`date` + `time`):
 * the milliseconds of `event.time` are lost unless the field list has `timestamp(ms)`.
 */

import { CLOUDFRONT_STANDARD_FIELDS } from '../decoders/cloudfront-standard.js';
import type { ApiEvent } from '../events/api-event.js';
import { formatEpochSeconds, formatSeconds } from './cloudfront-realtime.js';
import { percentEncodePath, percentEncodeRawQuery, percentEncodeText, rawField, textField } from './percent-encode.js';

export interface CloudFrontStandardEncodeOptions {
  /** Field list, as in the `#Fields` header (default: the 33 standard fields). */
  fields?: readonly string[];
  /** The distribution's domain for `cs(Host)` (default `d111111abcdef8.cloudfront.net`). */
  distributionDomain?: string;
  /** Encode the user agent twice (`%2520`), as some real standard logs do. */
  doubleEncodeUserAgent?: boolean;
}

/** `#Version: 1.0` and `#Fields: …` for a log file with these fields. */
export function w3cHeaderLines(fields: readonly string[] = CLOUDFRONT_STANDARD_FIELDS): string[] {
  return ['#Version: 1.0', `#Fields: ${fields.join(' ')}`];
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function encodeCloudFrontStandard(event: ApiEvent, options: CloudFrontStandardEncodeOptions = {}): string {
  const fields = options.fields ?? CLOUDFRONT_STANDARD_FIELDS;
  const d = new Date(event.time);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const distribution = options.distributionDomain ?? 'd111111abcdef8.cloudfront.net';
  const resultType = event.status === 0 || event.status >= 400 ? 'Error' : 'Miss';
  const latency = event.latencyMs !== undefined ? formatSeconds(event.latencyMs) : '-';
  const ua =
    options.doubleEncodeUserAgent === true && event.userAgent !== undefined
      ? percentEncodeText(textField(event.userAgent))
      : textField(event.userAgent);
  const value = (field: string): string => {
    switch (field) {
      case 'date':
        return date;
      case 'time':
        return time;
      case 'timestamp(ms)':
        return String(Math.trunc(event.time));
      case 'timestamp':
        return formatEpochSeconds(event.time);
      case 'x-edge-location':
        return rawField(event.edgeLocation);
      case 'sc-bytes':
        return event.bytesOut !== undefined ? String(event.bytesOut) : '-';
      case 'c-ip':
        return rawField(event.clientIp);
      case 'cs-method':
        return rawField(event.method);
      case 'cs(Host)':
        return event.host === '' ? '-' : distribution;
      case 'cs-uri-stem':
        return textField(event.path, percentEncodePath);
      case 'sc-status':
        return String(event.status).padStart(3, '0');
      case 'cs(User-Agent)':
        return ua;
      case 'cs-uri-query':
        return textField(event.query, percentEncodeRawQuery);
      case 'cs(Cookie)':
        return event.authenticated ? 'session=REDACTED' : '-';
      case 'x-edge-result-type':
      case 'x-edge-response-result-type':
      case 'x-edge-detailed-result-type':
        return resultType;
      case 'x-edge-request-id':
        return rawField(event.requestId);
      case 'x-host-header':
        return rawField(event.host);
      case 'cs-protocol':
        return 'https';
      case 'cs-bytes':
        return event.bytesIn !== undefined ? String(event.bytesIn) : '-';
      case 'time-taken':
      case 'time-to-first-byte':
        return latency;
      case 'x-forwarded-for':
        return textField(event.forwardedFor);
      case 'ssl-protocol':
        return 'TLSv1.3';
      case 'ssl-cipher':
        return 'TLS_AES_128_GCM_SHA256';
      case 'cs-protocol-version':
        return 'HTTP/2.0';
      case 'c-port':
        return '443';
      case 'sc-content-type':
        return 'application/json';
      case 'c-country':
        return rawField(event.country);
      case 'asn':
        return rawField(event.asn);
      default:
        return '-';
    }
  };
  return fields.map(value).join('\t');
}
