import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { type RecordDecoder, shardOf } from '../../shared/adapters/kinesis/records.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';
import type { FindingPublisher } from '../../shared/response/finding-events.js';

export interface IngestLog {
  info(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface IngestDeps {
  store: Store;
  clock: Clock;
  decode: RecordDecoder;
  log: IngestLog;
  /**
   * Where new and escalated findings go (the responder's stream). A failed publish fails the batch like a store
   * outage; the redelivered records are already applied, so the expirer's reconciliation republishes what never
   * reached the responder.
   */
  publisher?: FindingPublisher;
  /** Told the outcome of each invocation (metrics). */
  onBatch?: (outcome: {
    records: number;
    analysed: number;
    rejected: number;
    failed: number;
    newEndpoints: number;
    findings: number;
  }) => void;
}

/**
 * One Kinesis invocation: decode every record (an unreadable one is a counted rejection, never a failure), fold the
 * batch into the store through the engine, and report as failed only the records whose effects could not be
 * committed (the store refused or was unreachable, or the findings could not be published). Lambda then retries from the lowest failed sequence number;
 * the engine's per-shard watermarks make the redelivered records already applied count once.
 */
export function createIngest(deps: IngestDeps): (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> {
  return async (event) => {
    const batches = deps.decode(event.Records);
    const failed: string[] = [];
    let analysed = 0;
    let rejected = 0;
    let newEndpoints = 0;
    let findings = 0;
    for (const batch of batches) {
      try {
        const effects = await analyzeBatch(batch, { store: deps.store, clock: deps.clock });
        if (deps.publisher && effects.findings.length > 0) await deps.publisher.publish(effects.findings);
        analysed += effects.stats.analysed;
        rejected += effects.stats.rejected;
        newEndpoints += effects.newEndpoints.length;
        findings += effects.findings.length;
        if (effects.conflictsRetried > 0)
          deps.log.info('version conflicts retried', { shard: batch.shard, conflicts: effects.conflictsRetried });
      } catch (error: unknown) {
        const records = event.Records.filter((r) => shardOf(r) === batch.shard);
        deps.log.error('batch not committed: reporting its records as failed', {
          shard: batch.shard,
          records: records.length,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
        for (const r of records) failed.push(r.kinesis.sequenceNumber);
      }
    }
    deps.onBatch?.({
      records: event.Records.length,
      analysed,
      rejected,
      failed: failed.length,
      newEndpoints,
      findings,
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
