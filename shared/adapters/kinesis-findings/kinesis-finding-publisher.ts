/**
 * Publishes finding events onto the Kinesis stream `findings` (one JSON record per finding revision, partition key
 * = the finding's entity). PutRecords takes 500 records per call; records Kinesis refused (throttling) are retried
 * with backoff; if some are still refused the call throws, so that the ingest batch is retried (its effects are
 * watermarked, and the responder is idempotent per finding revision: a republished finding is harmless).
 */
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { Finding } from '../../detection/finding.js';
import type { Clock } from '../../ports/clock.js';
import {
  encodeFindingEvent,
  type FindingPublisher,
  partitionKeyOf,
  toFindingEvent,
} from '../../response/finding-events.js';

export class PublishError extends Error {
  override name = 'PublishError';
}

export interface KinesisFindingPublisherOptions {
  client: KinesisClient;
  /** Stream name or ARN. */
  stream: string;
  clock: Clock;
  maxAttempts?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_RECORDS_PER_CALL = 500;

export function createKinesisFindingPublisher(options: KinesisFindingPublisherOptions): FindingPublisher {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const target = options.stream.startsWith('arn:') ? { StreamARN: options.stream } : { StreamName: options.stream };
  return {
    async publish(findings: readonly Finding[]) {
      if (findings.length === 0) return;
      const publishedAt = options.clock.now();
      const entries: PutRecordsRequestEntry[] = findings.map((f) => ({
        Data: encodeFindingEvent(toFindingEvent(f, publishedAt)),
        PartitionKey: partitionKeyOf(f),
      }));
      for (let start = 0; start < entries.length; start += MAX_RECORDS_PER_CALL) {
        let pending = entries.slice(start, start + MAX_RECORDS_PER_CALL);
        for (let attempt = 1; pending.length > 0; attempt++) {
          const out = await options.client.send(new PutRecordsCommand({ ...target, Records: pending }));
          if (!out.FailedRecordCount) break;
          const failed = pending.filter((_, i) => out.Records?.[i]?.ErrorCode);
          if (attempt >= (options.maxAttempts ?? 4)) {
            const code = out.Records?.find((r) => r.ErrorCode)?.ErrorCode ?? 'unknown';
            throw new PublishError(
              `${failed.length} finding events refused by Kinesis (${code}) after ${attempt} attempts`,
            );
          }
          pending = failed;
          await sleep((options.baseDelayMs ?? 100) * 2 ** (attempt - 1));
        }
      }
    },
  };
}
