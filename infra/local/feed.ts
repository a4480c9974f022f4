/**
 * Puts traffic on the local stream the way production sources do: CloudFront real-time logs one line per record;
 * API Gateway access logs through a CloudWatch Logs subscription, i.e. gzip envelopes of many log events.
 */
import { randomBytes } from 'node:crypto';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { listInputs, readLines } from '../../shared/adapters/files/log-files.js';
import type { LogFormat } from '../../shared/decoders/decoder.js';
import { LIMITS } from '../../shared/decoders/decoder.js';
import { detectFormat } from '../../shared/decoders/index.js';
import { encodeCwlEnvelope } from '../../shared/encoders/index.js';

const MAX_RECORDS_PER_PUT = 500;
const MAX_BYTES_PER_PUT = 4 * 1024 * 1024;
/** Log events per CloudWatch Logs envelope when wrapping API Gateway lines. */
export const EVENTS_PER_ENVELOPE = 50;

/**
 * PutRecords in calls of at most 500 records (and 4 MB), up to `concurrency` calls in flight (default 1: records
 * keep their order on each shard), retrying the records
 * Kinesis refused (throughput exceeded). With more than one call in flight, order across calls is not kept (as with any parallel producer); the
 * partition keys are random, so records spread over the shards, unless `partitionKey` names each record's
 * (a run that must put the same records on the same shards again, as the fault test's reference run does).
 */
export async function putRecords(
  kinesis: KinesisClient,
  streamName: string,
  records: readonly Uint8Array[],
  concurrency = 1,
  partitionKey: (data: Uint8Array) => string = () => randomBytes(8).toString('hex'),
): Promise<void> {
  const calls: Uint8Array[][] = [];
  let start = 0;
  while (start < records.length) {
    let end = start;
    let bytes = 0;
    while (
      end < records.length &&
      end - start < MAX_RECORDS_PER_PUT &&
      bytes + (records[end] as Uint8Array).length <= MAX_BYTES_PER_PUT
    ) {
      bytes += (records[end] as Uint8Array).length;
      end++;
    }
    if (end === start) end = start + 1;
    calls.push(records.slice(start, end) as Uint8Array[]);
    start = end;
  }
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const call = calls[next++] as Uint8Array[];
      let pending = call.map((Data) => ({ Data, PartitionKey: partitionKey(Data) }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const result = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
        if (!result.FailedRecordCount) break;
        if (attempt >= 10) throw new Error(`PutRecords kept refusing ${result.FailedRecordCount} records`);
        pending = pending.filter((_, i) => result.Records?.[i]?.ErrorCode);
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
}

/** Kinesis records for lines of one format: CloudFront lines as-is, API Gateway lines in CWL envelopes. */
export function recordsFromLines(format: LogFormat, lines: readonly string[], now = Date.now()): Uint8Array[] {
  const present = lines.filter((l) => l.trim().length > 0);
  if (format === 'apigw') {
    const out: Uint8Array[] = [];
    for (let i = 0; i < present.length; i += EVENTS_PER_ENVELOPE) {
      const logEvents = present.slice(i, i + EVENTS_PER_ENVELOPE).map((message) => ({ timestamp: now, message }));
      out.push(encodeCwlEnvelope({ logGroup: 'API-Gateway-Execution-Logs_local/prod', logStream: 'local', logEvents }));
    }
    return out;
  }
  if (format === 'cwl') {
    // Exported envelopes: base64 of the gzip (as Lambda shows them) or the JSON text.
    return present.map((l) => (l.trim().startsWith('{') ? Buffer.from(l, 'utf8') : Buffer.from(l.trim(), 'base64')));
  }
  return present.map((l) => Buffer.from(l, 'utf8'));
}

export interface ReplayProgress {
  file: string;
  format: LogFormat | undefined;
  lines: number;
  records: number;
  skipped?: string;
}

/**
 * Replays log files onto the stream. Only what reaches Kinesis in production is replayed (CloudFront real-time
 * lines, API Gateway access logs, exported CWL envelopes); other formats are reported as skipped.
 */
export async function replayFiles(
  kinesis: KinesisClient,
  streamName: string,
  paths: readonly string[],
  options: {
    realtimeFields?: readonly string[];
    onFile?: (p: ReplayProgress) => void;
    shouldStop?: () => boolean;
  } = {},
): Promise<{ lines: number; records: number }> {
  let total = { lines: 0, records: 0 };
  for (const input of await listInputs(paths)) {
    let format: LogFormat | undefined;
    const progress: ReplayProgress = { file: input.name, format: undefined, lines: 0, records: 0 };
    for await (const chunk of readLines(input, { maxLineBytes: LIMITS.maxLineBytes })) {
      if (options.shouldStop?.()) return total;
      if (format === undefined) {
        const first = chunk.lines.find((l) => l.trim().length > 0);
        if (first === undefined) continue;
        format = detectFormat(first) ?? (options.realtimeFields ? 'cloudfront-realtime' : undefined);
        progress.format = format;
        if (format !== 'cloudfront-realtime' && format !== 'apigw' && format !== 'cwl') {
          progress.skipped = `${format ?? 'unknown format'}: not a log that streams through Kinesis (use lantern analyze)`;
          break;
        }
      }
      const records = recordsFromLines(format, chunk.lines);
      await putRecords(kinesis, streamName, records);
      progress.lines += chunk.lines.length;
      progress.records += records.length;
    }
    total = { lines: total.lines + progress.lines, records: total.records + progress.records };
    options.onFile?.(progress);
  }
  return total;
}
