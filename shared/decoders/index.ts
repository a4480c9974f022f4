/**
 * The decoder registry: for each log format, how one line becomes API events.
 *
 * Line-oriented request logs (`LogSource`) decode one line into one outcome. The CloudWatch Logs
 * envelope (`cwl`) holds many log events per record (one per line in an export: base64, or the
 * envelope's JSON), and may be a `CONTROL_MESSAGE`. W3C header lines are not records.
 * `decodeLine` reports all of these as a `LineResult`; `createLineDecoder` also tracks the W3C
 * `#Fields` header across the lines of one file.
 */
import type { LogSource } from '../events/api-event.js';
import { decodeAlb } from './alb.js';
import { decodeApiGateway } from './apigw.js';
import { decodeCloudFrontRealtime } from './cloudfront-realtime.js';
import { decodeCloudFrontStandard, isW3cHeaderLine, parseW3cFieldsHeader } from './cloudfront-standard.js';
import { decodeCwlRecord } from './cwl-envelope.js';
import type { DecodeContext, DecodeOutcome, LineDecoder, LogFormat } from './decoder.js';

export { decodeAlb } from './alb.js';
export {
  decodeApiGateway,
  RECOMMENDED_APIGW_ACCESS_LOG_FORMAT,
  RECOMMENDED_HTTP_API_ACCESS_LOG_FORMAT,
} from './apigw.js';
export {
  CLOUDFRONT_REALTIME_FIELDS,
  DEFAULT_REALTIME_FIELDS,
  decodeCloudFrontRealtime,
  makeCloudFrontRealtimeDecoder,
  realtimeLayout,
} from './cloudfront-realtime.js';
export {
  CLOUDFRONT_STANDARD_FIELDS,
  decodeCloudFrontStandard,
  isW3cHeaderLine,
  parseW3cFieldsHeader,
} from './cloudfront-standard.js';
export { decodeCwlEnvelope, decodeCwlRecord } from './cwl-envelope.js';
export { detectFormat, isGzip } from './detect.js';
export { percentDecodeOnce } from './percent.js';

/** The one-line decoder of each request log. */
export const LINE_DECODERS: Readonly<Record<LogSource, LineDecoder>> = {
  'cloudfront-realtime': decodeCloudFrontRealtime,
  'cloudfront-standard': decodeCloudFrontStandard,
  apigw: decodeApiGateway,
  alb: decodeAlb,
};

/** What one input line turned out to be. `records` holds one outcome per request (one, or one per CWL log event). */
export type LineResult =
  | { kind: 'records'; outcomes: DecodeOutcome[] }
  /** A W3C `#` directive (`fields` set when it was `#Fields`). */
  | { kind: 'header'; fields?: string[] }
  /** A CloudWatch Logs `CONTROL_MESSAGE`: count it, skip it. */
  | { kind: 'control' }
  /** A blank line (whitespace only): not a record. */
  | { kind: 'blank' };

/** Stateless: decodes one line of `format`. W3C headers are reported, not remembered (see `createLineDecoder`). */
export function decodeLine(format: LogFormat, line: string, context: DecodeContext = {}): LineResult {
  if (line.trim().length === 0) return { kind: 'blank' };
  if (format === 'cwl') {
    const r = decodeCwlRecord(line, context);
    if (r.kind === 'control') return { kind: 'control' };
    if (r.kind === 'rejected') {
      const outcome: DecodeOutcome = { ok: false, reason: r.reason };
      if (r.detail !== undefined) outcome.detail = r.detail;
      return { kind: 'records', outcomes: [outcome] };
    }
    return { kind: 'records', outcomes: r.outcomes };
  }
  if (format === 'cloudfront-standard' && isW3cHeaderLine(line)) {
    const fields = parseW3cFieldsHeader(line);
    return fields === undefined ? { kind: 'header' } : { kind: 'header', fields };
  }
  return { kind: 'records', outcomes: [LINE_DECODERS[format](line, context)] };
}

/**
 * A decoder for the lines of one file or stream, in order: remembers the last W3C `#Fields` header
 * and applies it to the following data lines. The only state is that field list, local to the closure.
 */
export function createLineDecoder(format: LogFormat, context: DecodeContext = {}): (line: string) => LineResult {
  let current: DecodeContext = context;
  return (line: string): LineResult => {
    const result = decodeLine(format, line, current);
    if (result.kind === 'header' && result.fields !== undefined) current = { ...context, fields: result.fields };
    return result;
  };
}
