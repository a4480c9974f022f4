/**
 * A local stand-in for Lambda's Kinesis event source mapping: reads every shard (GetShardIterator/GetRecords),
 * gathers batches (batch size, batching window), invokes the function with the real `KinesisStreamEvent` shape
 * and honours its answer the way Lambda does:
 * - success: checkpoint after the batch;
 * - `batchItemFailures`: checkpoint before the lowest failed sequence number and retry from it (an identifier
 *   not in the batch fails the whole batch, as in Lambda);
 * - a thrown error or timeout: retry the batch, split in two first when `bisectBatchOnFunctionError`;
 * - past `maximumRetryAttempts` (or `maximumRecordAgeSeconds`): hand the records to `onFailure` (Lambda's
 *   on-failure destination) and move on.
 * One shard is processed in order, one batch at a time; shards run in parallel (ParallelizationFactor 1).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { LOCAL_REGION } from './clients.js';

export type KinesisFunction = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | undefined>;

export interface EventSourceMappingOptions {
  /** Records per invocation (Lambda: 1–10,000, default 100). */
  batchSize?: number;
  /** Wait up to this long to fill a batch (Lambda: MaximumBatchingWindowInSeconds, 0–300 s). Default 500 ms. */
  maximumBatchingWindowMs?: number;
  /** Retries of a failing batch before its records go to `onFailure` (-1: until they expire). Default 3. */
  maximumRetryAttempts?: number;
  /** Split a failing batch in two before retrying. Default true. */
  bisectBatchOnFunctionError?: boolean;
  /** Read `batchItemFailures` from the response. Default true (Lantern's mappings turn it on). */
  reportBatchItemFailures?: boolean;
  /** Records older than this go to `onFailure` unprocessed (-1: never). Default -1. */
  maximumRecordAgeSeconds?: number;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** How often an idle shard is polled. Default 200 ms (Lambda: about once a second). */
  pollIntervalMs?: number;
  /** Invocation timeout. Default 60 s. */
  timeoutMs?: number;
  /** Where checkpoints are kept between runs (a JSON file); in memory when absent. */
  checkpointFile?: string;
  functionName?: string;
  /** The on-failure destination: records given up on. */
  onFailure?: (failure: { shardId: string; records: KinesisStreamRecord[]; reason: string }) => void;
  /** Delivery faults to inject (the fault test, infra/local/faults.ts); none by default. */
  faults?: DeliveryFaults;
  /** Told of every invocation (progress, tests). */
  onInvoke?: (invocation: {
    shardId: string;
    records: number;
    outcome: 'ok' | 'partial' | 'error';
    error?: unknown;
  }) => void;
}

/**
 * What Lambda's mapping may do besides the happy path, and the fault test makes it do. Lambda guarantees the order of
 * a shard's records (ParallelizationFactor 1) but delivers at least once: a batch may come again after it succeeded
 * (its checkpoint was lost), and a shard may be read again from an older checkpoint (a lease taken over, a restart).
 * Both are modelled here; delivering a shard's records out of sequence order is not, because Lambda never does it.
 */
export interface DeliveryFaults {
  /** Deliver this batch once more after it succeeded, before checkpointing it. */
  redeliver?: (shardId: string, records: number) => boolean;
  /** After a batch, read the shard again from the checkpoint this many batches back (0: carry on). */
  rewind?: (shardId: string) => number;
  /** Wait this long before an invocation: shards then interleave differently. */
  delayMs?: (shardId: string) => number;
}

/** Checkpoints remembered per shard for `rewind`. */
const REWIND_HISTORY = 8;

interface ShardState {
  shardId: string;
  iterator: string | undefined;
  buffer: KinesisRecord[];
  windowStart: number;
  /** Last GetRecords that came back empty, started at this time (for `waitIdle`). */
  idleSince: number;
  busy: boolean;
  /** Recent checkpoints, oldest first (for `faults.rewind`). */
  history: string[];
}

/** Lambda's invocation payload limit: a batch stops before its records (base64, with their envelope) exceed it. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Approximate JSON size of one record around its data (ids, ARN, names). */
const RECORD_OVERHEAD_BYTES = 400;

function recordBytes(r: KinesisRecord): number {
  return Math.ceil(((r.Data?.length ?? 0) * 4) / 3) + RECORD_OVERHEAD_BYTES;
}

function payloadBytes(records: readonly KinesisRecord[]): number {
  let n = 0;
  for (const r of records) n += recordBytes(r);
  return n;
}

/** How many records of `buffer` make the next batch: at most `batchSize`, at most 6 MB (at least one). */
export function batchLength(buffer: readonly KinesisRecord[], batchSize: number): number {
  let bytes = 0;
  let n = 0;
  while (n < buffer.length && n < batchSize) {
    bytes += recordBytes(buffer[n] as KinesisRecord);
    if (bytes > MAX_PAYLOAD_BYTES && n > 0) break;
    n++;
  }
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class KinesisEventSourcePoller {
  private readonly o: Required<
    Omit<EventSourceMappingOptions, 'checkpointFile' | 'onFailure' | 'onInvoke' | 'faults'>
  > &
    Pick<EventSourceMappingOptions, 'checkpointFile' | 'onFailure' | 'onInvoke' | 'faults'>;
  private readonly checkpoints: Record<string, string> = {};
  private readonly shards = new Map<string, ShardState>();
  private running = false;
  /** Killed: the batch in flight is abandoned, not checkpointed (a crashed runner). */
  private killed = false;
  private loops: Promise<void>[] = [];
  private streamArn = '';
  private streamEpoch = '';
  /** Failed attempts per record (sequence number) of the batch in flight. */
  private readonly attempts = new Map<string, number>();
  readonly stats = {
    invocations: 0,
    records: 0,
    failedInvocations: 0,
    retriedRecords: 0,
    discardedRecords: 0,
    /** Injected by `faults`: batches delivered again after success, and rewinds to an older checkpoint. */
    redeliveredBatches: 0,
    rewinds: 0,
  };

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly fn: KinesisFunction,
    options: EventSourceMappingOptions = {},
  ) {
    this.o = {
      batchSize: options.batchSize ?? 100,
      maximumBatchingWindowMs: options.maximumBatchingWindowMs ?? 500,
      maximumRetryAttempts: options.maximumRetryAttempts ?? 3,
      bisectBatchOnFunctionError: options.bisectBatchOnFunctionError ?? true,
      reportBatchItemFailures: options.reportBatchItemFailures ?? true,
      maximumRecordAgeSeconds: options.maximumRecordAgeSeconds ?? -1,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      pollIntervalMs: options.pollIntervalMs ?? 200,
      timeoutMs: options.timeoutMs ?? 60_000,
      functionName: options.functionName ?? 'lantern-ingest',
      checkpointFile: options.checkpointFile,
      onFailure: options.onFailure,
      onInvoke: options.onInvoke,
      faults: options.faults,
    };
    if (this.o.batchSize < 1 || this.o.batchSize > 10_000) throw new RangeError('batchSize must be 1–10,000');
    if (this.o.checkpointFile) {
      try {
        Object.assign(
          this.checkpoints,
          JSON.parse(readFileSync(this.o.checkpointFile, 'utf8')) as Record<string, string>,
        );
      } catch {
        // first run
      }
    }
  }

  async start(): Promise<void> {
    const { StreamDescription } = await this.kinesis.send(new DescribeStreamCommand({ StreamName: this.streamName }));
    this.streamArn =
      StreamDescription?.StreamARN ?? `arn:aws:kinesis:${LOCAL_REGION}:000000000000:stream/${this.streamName}`;
    // A stream re-created under the same name (an in-memory emulator restarted) must not inherit old checkpoints.
    this.streamEpoch = String(StreamDescription?.StreamCreationTimestamp?.getTime() ?? 0);
    this.running = true;
    for (const shard of StreamDescription?.Shards ?? []) {
      const state: ShardState = {
        shardId: shard.ShardId as string,
        iterator: undefined,
        buffer: [],
        windowStart: 0,
        idleSince: 0,
        busy: false,
        history: [],
      };
      this.shards.set(state.shardId, state);
      this.loops.push(this.run(state));
    }
  }

  /** Stops polling after the batch in flight (its checkpoint is kept). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /**
   * Stops at once, like a runner that crashed: the batch in flight is abandoned (not checkpointed, not retried), so
   * the next runner delivers it again from the last checkpoint.
   */
  async kill(): Promise<void> {
    this.killed = true;
    await this.stop();
  }

  /** Resolves once every record put before the call has been delivered (or given up on). */
  async waitIdle(timeoutMs = 30_000): Promise<void> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    while (Date.now() < deadline) {
      const states = [...this.shards.values()];
      if (states.every((s) => s.idleSince > since && s.buffer.length === 0 && !s.busy)) return;
      await sleep(20);
    }
    throw new Error(`the event source mapping did not catch up within ${timeoutMs} ms`);
  }

  private checkpointKey(shardId: string): string {
    return `${this.streamArn}@${this.streamEpoch}/${shardId}`;
  }

  private async iterator(shardId: string): Promise<string | undefined> {
    const after = this.checkpoints[this.checkpointKey(shardId)];
    if (after) {
      try {
        const r = await this.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: this.streamName,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: after,
          }),
        );
        return r.ShardIterator;
      } catch {
        // The stream was recreated (an in-memory emulator): the checkpoint names nothing any more.
      }
    }
    const r = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: shardId,
        ShardIteratorType: this.o.startingPosition,
      }),
    );
    return r.ShardIterator;
  }

  private async run(s: ShardState): Promise<void> {
    while (this.running) {
      try {
        s.iterator ??= await this.iterator(s.shardId);
        if (!s.iterator) return; // closed shard, fully read
        let fetched = 0;
        if (s.buffer.length < this.o.batchSize) {
          const started = Date.now();
          const r = await this.kinesis.send(
            new GetRecordsCommand({
              ShardIterator: s.iterator,
              Limit: Math.min(10_000, this.o.batchSize - s.buffer.length),
            }),
          );
          s.iterator = r.NextShardIterator;
          const records = r.Records ?? [];
          fetched = records.length;
          if (records.length > 0 && s.buffer.length === 0) s.windowStart = Date.now();
          s.buffer.push(...records);
          if (records.length === 0 && s.buffer.length === 0) s.idleSince = started;
        }
        const full = s.buffer.length >= this.o.batchSize || payloadBytes(s.buffer) >= MAX_PAYLOAD_BYTES;
        const windowOver = s.buffer.length > 0 && Date.now() - s.windowStart >= this.o.maximumBatchingWindowMs;
        if (full || windowOver || (s.buffer.length > 0 && !this.running)) {
          const batch = s.buffer.splice(0, batchLength(s.buffer, this.o.batchSize));
          s.busy = true;
          try {
            await this.deliver(s.shardId, batch);
            const faults = this.o.faults;
            if (!this.killed && faults?.redeliver?.(s.shardId, batch.length)) {
              this.stats.redeliveredBatches++;
              await this.deliver(s.shardId, batch);
            }
          } finally {
            s.busy = false;
          }
          if (this.killed) return;
          this.checkpoint(s.shardId, batch.at(-1)?.SequenceNumber as string);
          this.rewind(s);
        } else if (fetched === 0) {
          const wait =
            s.buffer.length > 0
              ? Math.min(this.o.pollIntervalMs, this.o.maximumBatchingWindowMs - (Date.now() - s.windowStart))
              : this.o.pollIntervalMs;
          await sleep(Math.max(5, wait));
        }
      } catch (error: unknown) {
        // Kinesis itself failed (emulator stopping, expired iterator): start again from the checkpoint.
        if (!this.running) return;
        s.iterator = undefined;
        s.buffer = [];
        this.o.onInvoke?.({ shardId: s.shardId, records: 0, outcome: 'error', error });
        await sleep(this.o.pollIntervalMs);
      }
    }
  }

  /** `faults.rewind`: read the shard again from an older checkpoint (what was read since comes again). */
  private rewind(s: ShardState): void {
    const key = this.checkpointKey(s.shardId);
    const current = this.checkpoints[key] as string;
    s.history.push(current);
    if (s.history.length > REWIND_HISTORY) s.history.shift();
    const back = Math.min(this.o.faults?.rewind?.(s.shardId) ?? 0, s.history.length - 1);
    if (back <= 0) return;
    const to = s.history[s.history.length - 1 - back] as string;
    this.stats.rewinds++;
    this.checkpoints[key] = to;
    s.history.length -= back;
    s.iterator = undefined;
    s.buffer = [];
  }

  private checkpoint(shardId: string, sequenceNumber: string): void {
    this.checkpoints[this.checkpointKey(shardId)] = sequenceNumber;
    if (this.o.checkpointFile) writeFileSync(this.o.checkpointFile, JSON.stringify(this.checkpoints, null, 2));
  }

  private toEvent(shardId: string, records: readonly KinesisRecord[]): KinesisStreamEvent {
    return {
      Records: records.map((r) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey as string,
          sequenceNumber: r.SequenceNumber as string,
          data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
          approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${r.SequenceNumber as string}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::000000000000:role/${this.o.functionName}`,
        awsRegion: LOCAL_REGION,
        eventSourceARN: this.streamArn,
      })),
    };
  }

  private context(): Context {
    const deadline = Date.now() + this.o.timeoutMs;
    const name = this.o.functionName;
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${name}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }

  /** Invokes once: undefined on success, else the index of the first record to retry and whether it was an error. */
  private async invoke(
    shardId: string,
    records: readonly KinesisRecord[],
  ): Promise<{ retryFrom: number; error: boolean } | undefined> {
    this.stats.invocations++;
    this.stats.records += records.length;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Task timed out after ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
      });
      const response = await Promise.race([this.fn(this.toEvent(shardId, records), this.context()), timeout]);
      const failures = this.o.reportBatchItemFailures && response ? (response.batchItemFailures ?? []) : [];
      if (failures.length === 0) {
        this.o.onInvoke?.({ shardId, records: records.length, outcome: 'ok' });
        return undefined;
      }
      const positions = failures.map((f) => records.findIndex((r) => r.SequenceNumber === f.itemIdentifier));
      this.stats.failedInvocations++;
      this.o.onInvoke?.({ shardId, records: records.length, outcome: 'partial' });
      // Lambda: an identifier that is not in the batch (or empty) fails the whole batch.
      if (positions.some((p) => p < 0)) return { retryFrom: 0, error: false };
      return { retryFrom: Math.min(...positions), error: false };
    } catch (error: unknown) {
      this.stats.failedInvocations++;
      this.o.onInvoke?.({ shardId, records: records.length, outcome: 'error', error });
      return { retryFrom: 0, error: true };
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(shardId: string, batch: KinesisRecord[]): Promise<void> {
    const queue: KinesisRecord[][] = [batch];
    while (queue.length > 0) {
      let records = queue.shift() as KinesisRecord[];
      if (this.o.maximumRecordAgeSeconds >= 0) {
        const oldest = Date.now() - this.o.maximumRecordAgeSeconds * 1000;
        const expired = records.filter((r) => (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) < oldest);
        if (expired.length > 0) {
          this.discard(shardId, expired, 'record older than maximumRecordAgeSeconds');
          records = records.filter((r) => !expired.includes(r));
        }
      }
      if (records.length === 0) continue;
      const delay = this.o.faults?.delayMs?.(shardId) ?? 0;
      if (delay > 0) await sleep(delay);
      const failure = await this.invoke(shardId, records);
      if (!failure) {
        for (const r of records) this.attempts.delete(r.SequenceNumber as string);
        continue;
      }
      for (const r of records.slice(0, failure.retryFrom)) this.attempts.delete(r.SequenceNumber as string);
      const retry = records.slice(failure.retryFrom);
      const first = retry[0]?.SequenceNumber as string;
      const attempts = (this.attempts.get(first) ?? 0) + 1;
      for (const r of retry) this.attempts.set(r.SequenceNumber as string, attempts);
      if (this.o.maximumRetryAttempts >= 0 && attempts > this.o.maximumRetryAttempts) {
        this.discard(shardId, retry, `retries exhausted (${this.o.maximumRetryAttempts})`);
        continue;
      }
      if (!this.running || this.killed) {
        // Stopping: leave the failed records unacknowledged (not checkpointed): the next run starts from them.
        throw new Error('stopped with records to retry');
      }
      this.stats.retriedRecords += retry.length;
      await sleep(Math.min(2000, 50 * 2 ** (attempts - 1)));
      if (failure.error && this.o.bisectBatchOnFunctionError && retry.length > 1) {
        const half = Math.ceil(retry.length / 2);
        queue.unshift(retry.slice(0, half), retry.slice(half));
      } else {
        queue.unshift(retry);
      }
    }
  }

  private discard(shardId: string, records: KinesisRecord[], reason: string): void {
    this.stats.discardedRecords += records.length;
    for (const r of records) this.attempts.delete(r.SequenceNumber as string);
    this.o.onFailure?.({ shardId, records: this.toEvent(shardId, records).Records, reason });
  }
}
