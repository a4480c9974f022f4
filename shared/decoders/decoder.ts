import type { ApiEvent, LogSource, RejectionReason } from '../events/api-event.js';

/** Log formats a user can name on the command line: the four request logs plus the CloudWatch Logs envelope. */
export type LogFormat = LogSource | 'cwl';
export const LOG_FORMATS: readonly LogFormat[] = ['cloudfront-realtime', 'cloudfront-standard', 'apigw', 'cwl', 'alb'];

/** Hard limits on input size: past them a record is rejected, never buffered without bound. */
export const LIMITS = {
  /** One log line (CloudFront drops URLs over 8 KiB and headers over 20 KiB; a line over this is not a real log line). */
  maxLineBytes: 64 * 1024,
  /**
   * One line of a file that holds Kinesis records' data as base64 (CloudWatch Logs envelopes exported from a stream):
   * a record is at most 1 MiB, so its base64 at most this. Lines of the other formats keep `maxLineBytes`.
   */
  maxRecordLineBytes: Math.ceil((1024 * 1024) / 3) * 4,
  /** One field after decoding. */
  maxFieldChars: 16 * 1024,
  /** One CloudWatch Logs envelope after gunzip (Kinesis records are at most 1 MiB; the ratio guards against gzip bombs). */
  maxEnvelopeBytes: 8 * 1024 * 1024,
  /**
   * A gzip log file may inflate to at most this many times the compressed bytes read: access logs compress about
   * 5-20:1, deflate's ceiling is about 1030:1 (runs of one byte), so a file far past this ratio is a gzip bomb.
   * Checked only past `gzipRatioFromBytes` inflated, so small highly repetitive files are never judged by it.
   */
  maxGzipRatio: 200,
  /**
   * A request time outside [2000, 2100) is a zeroed, corrupt or forged field: no AWS log can carry it, and one such
   * record would stretch every time range computed from the logs (a report "from 1970 to 9999").
   */
  minTimeMs: Date.UTC(2000, 0, 1),
  maxTimeMs: Date.UTC(2100, 0, 1),
  gzipRatioFromBytes: 16 * 1024 * 1024,
} as const;

export type DecodeOutcome = { ok: true; event: ApiEvent } | { ok: false; reason: RejectionReason; detail?: string };

/**
 * Decodes one line of a line-oriented log. Pure: no I/O, no state beyond the context it is given.
 * Line-oriented formats with headers (W3C) read their header through `LineContext.fields`.
 */
export type LineDecoder = (line: string, context: LineContext) => DecodeOutcome;

export interface LineContext {
  /** For CloudFront real-time logs: the configured field set (delivered in CloudFront's canonical order). For W3C: the `#Fields` header. */
  fields?: readonly string[];
}

/** What some decoders read beyond the field list (additions to `LineContext`, all optional). */
export interface DecodeContext extends LineContext {
  /**
   * API Gateway: the API is reachable only through CloudFront, so `sourceIp` is a CloudFront address
   * (`ApiEvent.clientIpIsProxy`). The decoder also infers it per record from `via` / the user agent.
   */
  behindCloudFront?: boolean;
  /** Epoch ms to use when the record itself carries no time (the CloudWatch Logs log event timestamp). */
  fallbackTimeMs?: number;
}
