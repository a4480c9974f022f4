/** Factories of Kinesis Lambda events, as the event source mapping builds them (for handler tests). */
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export const TEST_STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/lantern-logs';

/** A sequence number like Kinesis's (56 digits), increasing with `n`. */
export function sequenceNumber(n: number): string {
  return `4968052390076902114166298420028567319946096773795${String(n).padStart(7, '0')}`;
}

export function kinesisRecord(
  data: Uint8Array | string,
  options: { shard?: string; sequence?: string; n?: number; at?: number } = {},
): KinesisStreamRecord {
  const shard = options.shard ?? 'shardId-000000000000';
  const seq = options.sequence ?? sequenceNumber(options.n ?? 1);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'pk',
      sequenceNumber: seq,
      data: Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64'),
      approximateArrivalTimestamp: (options.at ?? Date.UTC(2026, 10, 24)) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shard}:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lantern-ingest',
    awsRegion: 'us-east-1',
    eventSourceARN: TEST_STREAM_ARN,
  };
}

/** One shard's batch: records numbered from `first`. */
export function kinesisEvent(
  datas: ReadonlyArray<Uint8Array | string>,
  options: { shard?: string; first?: number } = {},
): KinesisStreamEvent {
  const first = options.first ?? 1;
  return {
    Records: datas.map((d, i) =>
      kinesisRecord(d, { ...(options.shard ? { shard: options.shard } : {}), n: first + i }),
    ),
  };
}
