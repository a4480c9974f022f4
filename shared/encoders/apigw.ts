/**
 * ApiEvent -> one API Gateway access log line (JSON), the inverse of `decodeApiGateway`.
 *
 * Three layouts:
 * - `extended`: `RECOMMENDED_APIGW_ACCESS_LOG_FORMAT` (REST), lossless for everything it carries.
 * - `http`: `RECOMMENDED_HTTP_API_ACCESS_LOG_FORMAT` (HTTP API, `routeKey`).
 * - `standard`: CDK `jsonWithStandardFields()` — second-precision `requestTime`, no path (the
 *   decoder falls back to the `resourcePath` template), no user agent.
 * Like API Gateway, absent values are written as `-` and every value is a string.
 */
import type { ApiEvent } from '../events/api-event.js';
import { percentEncodePath } from './percent-encode.js';

export type ApiGatewayLayout = 'extended' | 'http' | 'standard';

export interface ApiGatewayEncodeOptions {
  layout?: ApiGatewayLayout;
  /** A client-settable request id to log beside `extendedRequestId` (default: derived from it). */
  requestId?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Epoch ms -> `$context.requestTime` (`02/Jul/2018:22:23:00 +0000`). */
export function formatApiGatewayRequestTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A UUID-shaped `requestId` derived deterministically from the extended id (API Gateway's requestId is a UUID). */
function uuidFrom(seed: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let hex = '';
  for (let round = 0; hex.length < 32; round++) {
    for (let i = 0; i < seed.length; i++) {
      h1 = Math.imul(h1 ^ seed.charCodeAt(i), 16777619) >>> 0;
      h2 = Math.imul(h2 ^ (seed.charCodeAt(i) + round), 2246822519) >>> 0;
    }
    hex += h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '-' : String(v));

/** `$context.path` as logged: the stage prefix on execute-api domains, the path %-encoded as sent. */
function loggedPath(event: ApiEvent): string {
  const encoded = percentEncodePath(event.path);
  const executeApi = event.host === '' || event.host.includes('.execute-api.');
  return event.stage !== undefined && event.stage !== '$default' && executeApi ? `/${event.stage}${encoded}` : encoded;
}

export function encodeApiGateway(event: ApiEvent, options: ApiGatewayEncodeOptions = {}): string {
  const layout = options.layout ?? 'extended';
  const requestId = options.requestId ?? (event.requestId === '' ? '-' : uuidFrom(event.requestId));
  if (layout === 'standard') {
    return JSON.stringify({
      requestId: dash(event.requestId),
      ip: dash(event.clientIp),
      caller: '-',
      user: dash(event.principal),
      requestTime: formatApiGatewayRequestTime(event.time),
      httpMethod: event.method,
      resourcePath: dash(event.routeTemplate ?? event.path),
      status: String(event.status),
      protocol: 'HTTP/1.1',
      responseLength: dash(event.bytesOut),
    });
  }
  const common = {
    requestId,
    extendedRequestId: dash(event.requestId),
    requestTimeEpoch: String(Math.trunc(event.time)),
    httpMethod: event.method,
    domainName: dash(event.host),
    apiId: dash(event.apiId),
    stage: dash(event.stage),
    path: loggedPath(event),
  };
  const tail = {
    protocol: 'HTTP/1.1',
    status: String(event.status),
    responseLength: dash(event.bytesOut),
    responseLatency: dash(event.latencyMs),
    integrationLatency: event.latencyMs !== undefined ? String(Math.max(0, event.latencyMs - 3)) : '-',
    sourceIp: dash(event.clientIp),
    userAgent: dash(event.userAgent),
  };
  if (layout === 'http') {
    return JSON.stringify({
      ...common,
      routeKey: event.routeTemplate !== undefined ? `${event.method} ${event.routeTemplate}` : '$default',
      ...tail,
      principalId: dash(event.principal),
      sub: '-',
    });
  }
  return JSON.stringify({
    ...common,
    resourcePath: dash(event.routeTemplate),
    ...tail,
    apiKeyId: dash(event.apiKeyId),
    caller: '-',
    user: '-',
    principalId: dash(event.principal),
    sub: '-',
    wafResponseCode: dash(event.wafAction),
    errorResponseType: '-',
  });
}
