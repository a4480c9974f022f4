/**
 * The CloudWatch Logs subscription envelope, as a subscription filter writes it into a Kinesis
 * record: gzip-compressed JSON
 * `{owner, logGroup, logStream, subscriptionFilters, messageType, logEvents: [{id, timestamp, message}]}`.
 * A Lambda Kinesis consumer sees the record data base64-encoded; tests and exports may hold it as
 * raw bytes or as the decompressed JSON text. All three are accepted.
 *
 * `CONTROL_MESSAGE` is CloudWatch Logs checking the destination is reachable: not a record, a
 * distinct outcome the caller counts and skips.
 *
 * Sources: CloudWatch Logs User Guide, "Real-time processing of log data with subscriptions";
 * Lambda Developer Guide, "Using Lambda with CloudWatch Logs" (the sample event decoded in tests).
 */
import { gunzipSync } from 'node:zlib';
import type { RejectionReason } from '../events/api-event.js';
import { decodeApiGateway } from './apigw.js';
import { type DecodeContext, type DecodeOutcome, LIMITS } from './decoder.js';

export interface CwlLogEvent {
  id: string;
  /** Epoch ms at which the log event was written. */
  timestamp: number;
  message: string;
}

export type CwlEnvelopeOutcome =
  | {
      kind: 'data';
      owner: string;
      logGroup: string;
      logStream: string;
      subscriptionFilters: string[];
      logEvents: CwlLogEvent[];
    }
  | { kind: 'control' }
  | { kind: 'rejected'; reason: RejectionReason; detail?: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Decodes a base64 string (as Lambda hands a Kinesis record's data). Whitespace is ignored; anything else non-base64 is `bad-base64`. */
export function decodeCwlEnvelopeBase64(data: string): CwlEnvelopeOutcome {
  const compact =
    data.indexOf(' ') === -1 && data.indexOf('\n') === -1 && data.indexOf('\r') === -1
      ? data
      : data.replace(/\s+/g, '');
  if (compact.length === 0) return { kind: 'rejected', reason: 'bad-base64', detail: 'empty' };
  if (compact.length > (LIMITS.maxEnvelopeBytes * 4) / 3 + 4) {
    return { kind: 'rejected', reason: 'bad-base64', detail: 'longer than any Kinesis record' };
  }
  const url = !BASE64.test(compact);
  if (url && !BASE64URL.test(compact)) return { kind: 'rejected', reason: 'bad-base64', detail: 'not base64' };
  if (compact.length % 4 === 1) return { kind: 'rejected', reason: 'bad-base64', detail: 'impossible length' };
  const bytes = Buffer.from(compact, url ? 'base64url' : 'base64');
  return decodeCwlEnvelopeBytes(bytes);
}

/** Decodes the record bytes: gzip (the real thing) or, for exports and fixtures, the JSON text itself. */
export function decodeCwlEnvelopeBytes(bytes: Uint8Array): CwlEnvelopeOutcome {
  if (bytes.length === 0) return { kind: 'rejected', reason: 'empty-record' };
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let json: Buffer;
    try {
      json = gunzipSync(bytes, { maxOutputLength: LIMITS.maxEnvelopeBytes });
    } catch (error: unknown) {
      return gzipFailure(error);
    }
    return decodeCwlEnvelopeJson(json.toString('utf8'));
  }
  // Not gzip: JSON text (an exported envelope) or garbage.
  let firstNonSpace = 0;
  while (
    firstNonSpace < bytes.length &&
    (bytes[firstNonSpace] === 0x20 ||
      bytes[firstNonSpace] === 0x0a ||
      bytes[firstNonSpace] === 0x0d ||
      bytes[firstNonSpace] === 0x09)
  ) {
    firstNonSpace++;
  }
  if (bytes[firstNonSpace] === 0x7b) {
    if (bytes.length > LIMITS.maxEnvelopeBytes)
      return { kind: 'rejected', reason: 'bad-envelope', detail: 'over maxEnvelopeBytes' };
    return decodeCwlEnvelopeJson(Buffer.from(bytes).toString('utf8'));
  }
  return { kind: 'rejected', reason: 'bad-gzip', detail: 'no gzip magic bytes' };
}

/** Any entry point: bytes, a base64 string, or an envelope's JSON text (a string starting with `{`). */
export function decodeCwlEnvelope(input: Uint8Array | string): CwlEnvelopeOutcome {
  if (typeof input !== 'string') return decodeCwlEnvelopeBytes(input);
  const trimmed = input.trim();
  if (trimmed.startsWith('{')) {
    if (trimmed.length > LIMITS.maxEnvelopeBytes)
      return { kind: 'rejected', reason: 'bad-envelope', detail: 'over maxEnvelopeBytes' };
    return decodeCwlEnvelopeJson(trimmed);
  }
  return decodeCwlEnvelopeBase64(trimmed);
}

function gzipFailure(error: unknown): CwlEnvelopeOutcome {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
    return {
      kind: 'rejected',
      reason: 'bad-gzip',
      detail: `decompresses to more than ${LIMITS.maxEnvelopeBytes} bytes`,
    };
  }
  if (code === 'Z_BUF_ERROR' || message.includes('unexpected end of file')) {
    return { kind: 'rejected', reason: 'truncated-gzip', detail: 'unexpected end of file' };
  }
  return { kind: 'rejected', reason: 'bad-gzip', detail: message.slice(0, 120) };
}

function decodeCwlEnvelopeJson(text: string): CwlEnvelopeOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'rejected', reason: 'not-json' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { kind: 'rejected', reason: 'not-an-object' };
  const env = parsed as Record<string, unknown>;
  if (env.messageType === 'CONTROL_MESSAGE') return { kind: 'control' };
  if (env.messageType !== 'DATA_MESSAGE') return { kind: 'rejected', reason: 'bad-envelope', detail: 'messageType' };
  if (typeof env.logGroup !== 'string' || typeof env.logStream !== 'string' || !Array.isArray(env.logEvents)) {
    return { kind: 'rejected', reason: 'bad-envelope', detail: 'logGroup, logStream or logEvents missing' };
  }
  const logEvents: CwlLogEvent[] = [];
  for (const e of env.logEvents as unknown[]) {
    if (e === null || typeof e !== 'object')
      return { kind: 'rejected', reason: 'bad-envelope', detail: 'log event not an object' };
    const { id, timestamp, message } = e as Record<string, unknown>;
    if (typeof message !== 'string' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      return { kind: 'rejected', reason: 'bad-envelope', detail: 'log event without message or timestamp' };
    }
    logEvents.push({ id: typeof id === 'string' ? id : String(id ?? ''), timestamp, message });
  }
  const filters = Array.isArray(env.subscriptionFilters)
    ? env.subscriptionFilters.filter((f): f is string => typeof f === 'string')
    : [];
  return {
    kind: 'data',
    owner: typeof env.owner === 'string' ? env.owner : '',
    logGroup: env.logGroup,
    logStream: env.logStream,
    subscriptionFilters: filters,
    logEvents,
  };
}

export type CwlRecordOutcome =
  | { kind: 'data'; logGroup: string; logStream: string; outcomes: DecodeOutcome[] }
  | { kind: 'control' }
  | { kind: 'rejected'; reason: RejectionReason; detail?: string };

/**
 * One Kinesis record from a subscription filter, all the way to API events: the envelope, then each
 * log event's message through the API Gateway decoder, its time falling back to the log event's
 * timestamp. One outcome per log event, in order.
 */
export function decodeCwlRecord(input: Uint8Array | string, context: DecodeContext = {}): CwlRecordOutcome {
  const env = decodeCwlEnvelope(input);
  if (env.kind !== 'data') return env;
  const outcomes = env.logEvents.map((e) => decodeApiGateway(e.message, { ...context, fallbackTimeMs: e.timestamp }));
  return { kind: 'data', logGroup: env.logGroup, logStream: env.logStream, outcomes };
}
