/**
 * The canonical API request: one record of any supported log, in the product's language.
 * Every decoder produces this and nothing else; everything after decoding reads only this.
 * Field meanings are documented once, here (docs/report.md points back to this file).
 */

/** Which kind of log a request was read from. */
export type LogSource = 'cloudfront-realtime' | 'cloudfront-standard' | 'apigw' | 'alb';

export const LOG_SOURCES: readonly LogSource[] = ['cloudfront-realtime', 'cloudfront-standard', 'apigw', 'alb'];

export interface ApiEvent {
  /** When the request was received, epoch milliseconds (UTC). */
  time: number;
  /** The log this request came from. */
  source: LogSource;
  /**
   * The log's own request id: CloudFront `x-edge-request-id`, API Gateway `extendedRequestId`
   * (never the client-settable `requestId` when the extended one is present), ALB `trace_id`.
   */
  requestId: string;
  /** The API's host as the client addressed it (CloudFront `x-host-header`, API Gateway `domainName`), lower-case. */
  host: string;
  /** HTTP method, upper-case. */
  method: string;
  /** The raw request path, percent-decoded once, without query string, without API Gateway stage prefix. */
  path: string;
  /** The query string without `?`, as logged (not decoded); undefined when absent. */
  query?: string;
  /** HTTP status returned to the client; 0 when the client closed the connection first (CloudFront `000`). */
  status: number;
  /** Request bytes received from the client, when logged. */
  bytesIn?: number;
  /** Response bytes sent to the client, when logged. */
  bytesOut?: number;
  /** Total time to serve the request, milliseconds, when logged. */
  latencyMs?: number;
  /** The client address the edge saw on the TCP connection (CloudFront `c-ip`, ALB `client:port`, API Gateway `sourceIp`). */
  clientIp?: string;
  /**
   * True when `clientIp` is not the client but a proxy in front of the logging service
   * (API Gateway behind CloudFront sees CloudFront's address). Such an address is never judged or blocked as one client.
   */
  clientIpIsProxy?: boolean;
  /** The `X-Forwarded-For` header as the client sent it: attacker-controlled, kept as evidence only, never used as identity. */
  forwardedFor?: string;
  /** User-Agent header, percent-decoded once. */
  userAgent?: string;
  /** ISO 3166 country of the client where the log carries it (CloudFront `c-country`). */
  country?: string;
  /** Autonomous system number of the client where the log carries it (CloudFront `asn`). */
  asn?: string;
  /** API Gateway API key id (`identity.apiKeyId`), never the key itself. */
  apiKeyId?: string;
  /** The authenticated principal: authorizer principal id, Cognito/JWT subject, IAM caller. */
  principal?: string;
  /** A session identifier, from the configured header, cookie or claim. */
  session?: string;
  /** The route template the gateway itself matched (API Gateway `resourcePath` or `routeKey` path), authoritative for discovery. */
  routeTemplate?: string;
  /** The edge location or region that served the request (CloudFront `x-edge-location`, API Gateway stage region). */
  edgeLocation?: string;
  /** The API Gateway API id and stage, where logged. */
  apiId?: string;
  stage?: string;
  /** The AWS WAF outcome on this request where logged (`waf.status`, ALB `actions_executed`). */
  wafAction?: string;
  /** Whether the request carried any credential (API key, principal, Authorization header seen by the edge). */
  authenticated: boolean;
}

/** Why a record could not be turned into an ApiEvent. Stable names: they are counted and reported. */
export type RejectionReason =
  | 'bad-field-count'
  | 'bad-timestamp'
  | 'bad-status'
  | 'bad-method'
  | 'bad-number'
  | 'missing-field'
  | 'empty-record'
  | 'field-too-large'
  | 'line-too-large'
  | 'not-json'
  | 'not-an-object'
  | 'bad-envelope'
  | 'truncated-gzip'
  | 'bad-gzip'
  | 'bad-base64'
  | 'unknown-format'
  | 'bad-header'
  | 'not-a-request';

export interface Rejection {
  reason: RejectionReason;
  /** Where it was read: `file:line`, `shard/sequence`, … */
  where: string;
  /** A short human explanation (never the whole record). */
  detail?: string;
}
