/**
 * Kinesis records (as a Lambda event source mapping delivers them) -> the engine's AnalysisBatch.
 * Pure: no SDK, no I/O. What a record holds is recognised from its bytes, so one stream may carry both:
 * - gzip: a CloudWatch Logs subscription envelope of API Gateway access-log lines (many requests per record);
 * - text starting with `{`: an API Gateway access-log line, or an envelope exported as JSON;
 * - any other text: a CloudFront real-time log line (the configured field list).
 * A record that cannot be read is a rejection (counted in the ledger, never retried): decoding never throws.
 */
import type { KinesisStreamRecord } from 'aws-lambda';
import type { DecodeContext, DecodeOutcome } from '../../decoders/decoder.js';
import {
  decodeApiGateway,
  decodeCwlRecord,
  detectFormat,
  isGzip,
  makeCloudFrontRealtimeDecoder,
} from '../../decoders/index.js';
import type { AnalysisBatch } from '../../engine/analyze.js';
import type { ApiEvent, Rejection } from '../../events/api-event.js';

export interface RecordDecodeOptions {
  /** The CloudFront real-time log configuration's fields (any order; delivered in CloudFront's). */
  realtimeFields?: readonly string[];
  /** API Gateway APIs are reachable only through CloudFront (their sourceIp is CloudFront's). */
  behindCloudFront?: boolean;
}

/**
 * Digits appended to a record's sequence number to number the requests inside it. The engine's watermarks skip a
 * request whose sequence is at or below a document's mark; the requests of one CloudWatch Logs envelope share the
 * record's sequence number, so each gets `sequenceNumber + index` (same width for all: order is kept across records).
 */
export const SUB_SEQUENCE_DIGITS = 7;

export function subSequence(sequenceNumber: string, index: number): string {
  return `${sequenceNumber}${String(index).padStart(SUB_SEQUENCE_DIGITS, '0')}`;
}

/** `shardId-000000000000:4959…` -> `shardId-000000000000` (the eventID Lambda gives each Kinesis record). */
export function shardOf(record: KinesisStreamRecord): string {
  const colon = record.eventID.lastIndexOf(':');
  return colon > 0 ? record.eventID.slice(0, colon) : record.eventSourceARN;
}

export type RecordDecoder = (records: readonly KinesisStreamRecord[]) => AnalysisBatch[];

/** One AnalysisBatch per shard (a Lambda invocation holds one shard's records, in order). */
export function createRecordDecoder(options: RecordDecodeOptions = {}): RecordDecoder {
  const realtime = makeCloudFrontRealtimeDecoder(options.realtimeFields);
  const context: DecodeContext = options.behindCloudFront ? { behindCloudFront: true } : {};

  const decodeText = (text: string): DecodeOutcome[] | 'control' => {
    const line = text.replace(/\r?\n$/, '');
    if (line.trimStart().startsWith('{')) {
      const format = detectFormat(line);
      if (format === 'apigw') return [decodeApiGateway(line, context)];
      if (format === 'cwl') return decodeEnvelope(line);
      return [
        {
          ok: false,
          reason: 'unknown-format',
          detail: 'JSON that is neither an API Gateway log line nor a CloudWatch Logs envelope',
        },
      ];
    }
    if (line.includes('\n')) {
      // Several lines in one record (a producer batching lines): each is a request.
      return line
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => realtime(l));
    }
    return [realtime(line)];
  };

  const decodeEnvelope = (input: Uint8Array | string): DecodeOutcome[] | 'control' => {
    const result = decodeCwlRecord(input, context);
    if (result.kind === 'control') return 'control';
    if (result.kind === 'rejected')
      return [{ ok: false, reason: result.reason, ...(result.detail ? { detail: result.detail } : {}) }];
    return result.outcomes;
  };

  return (records) => {
    const batches = new Map<
      string,
      AnalysisBatch & {
        events: ApiEvent[];
        rejections: Rejection[];
        eventSequences: string[];
        rejectionSequences: string[];
        controlSequences: string[];
      }
    >();
    for (const record of records) {
      const shard = shardOf(record);
      let batch = batches.get(shard);
      if (!batch) {
        batch = {
          shard,
          events: [],
          rejections: [],
          eventSequences: [],
          rejectionSequences: [],
          controlMessages: 0,
          controlSequences: [],
        };
        batches.set(shard, batch);
      }
      const sequence = record.kinesis.sequenceNumber;
      const where = `${shard}/${sequence}`;
      let outcomes: DecodeOutcome[] | 'control';
      try {
        const bytes = Buffer.from(record.kinesis.data, 'base64');
        if (bytes.length === 0) outcomes = [{ ok: false, reason: 'empty-record' }];
        else outcomes = isGzip(bytes) ? decodeEnvelope(bytes) : decodeText(bytes.toString('utf8'));
      } catch (error: unknown) {
        // A decoder bug must not turn one record into a poison pill that blocks the shard: reject it, with the reason.
        outcomes = [
          {
            ok: false,
            reason: 'unknown-format',
            detail: `decoder failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200),
          },
        ];
      }
      if (outcomes === 'control') {
        batch.controlMessages = (batch.controlMessages ?? 0) + 1;
        batch.controlSequences.push(sequence);
        continue;
      }
      outcomes.forEach((outcome, index) => {
        const seq = subSequence(sequence, index);
        if (outcome.ok) {
          batch.events.push(outcome.event);
          batch.eventSequences.push(seq);
        } else {
          batch.rejections.push({
            reason: outcome.reason,
            where: outcomes.length > 1 ? `${where}#${index}` : where,
            ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}),
          });
          batch.rejectionSequences.push(seq);
        }
      });
    }
    return [...batches.values()];
  };
}
