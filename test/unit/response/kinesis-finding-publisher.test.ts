import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import {
  createKinesisFindingPublisher,
  PublishError,
} from '../../../shared/adapters/kinesis-findings/kinesis-finding-publisher.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { decodeFindingEvent } from '../../../shared/response/finding-events.js';
import { makeFinding, T0 } from './factories.js';

/** A hand-written stand-in for the Kinesis client: answers PutRecords with the given per-call failures. */
function stubKinesis(failures: Array<(index: number) => boolean>) {
  const calls: PutRecordsCommandInput[] = [];
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof PutRecordsCommand)) throw new Error('unexpected command');
      calls.push(command.input);
      const fail = failures[calls.length - 1] ?? (() => false);
      const records = (command.input.Records ?? []).map((_, i) =>
        fail(i)
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }
          : { SequenceNumber: `${i}`, ShardId: 'shardId-0' },
      );
      return { FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length, Records: records };
    },
  } as unknown as KinesisClient;
  return { client, calls };
}

describe('Kinesis finding publisher', () => {
  it('puts one record per finding, keyed by entity, and retries only the refused ones', async () => {
    const { client, calls } = stubKinesis([(i) => i === 1]);
    const publisher = createKinesisFindingPublisher({
      client,
      stream: 'lantern-findings',
      clock: fixedClock(T0),
      sleep: async () => undefined,
    });
    const findings = [makeFinding(), makeFinding({ entity: { type: 'api-key', id: 'k1' } })];
    await publisher.publish(findings);
    expect(calls.map((c) => [c.StreamName, c.Records?.map((r) => r.PartitionKey)])).toEqual([
      ['lantern-findings', ['ip:45.33.32.156', 'api-key:k1']],
      ['lantern-findings', ['api-key:k1']],
    ]);
    const event = decodeFindingEvent(calls[0]?.Records?.[0]?.Data as Uint8Array);
    expect(event).toEqual({ kind: 'lantern.finding', version: 1, publishedAt: T0, finding: findings[0] });
  });

  it('throws after the attempts are spent, so that the ingest batch is retried', async () => {
    const { client } = stubKinesis([() => true, () => true, () => true]);
    const publisher = createKinesisFindingPublisher({
      client,
      stream: 'arn:aws:kinesis:eu-west-1:123456789012:stream/lantern-findings',
      clock: fixedClock(T0),
      maxAttempts: 3,
      sleep: async () => undefined,
    });
    await expect(publisher.publish([makeFinding()])).rejects.toThrow(
      new PublishError('1 finding events refused by Kinesis (ProvisionedThroughputExceededException) after 3 attempts'),
    );
  });

  it('publishes nothing for no findings', async () => {
    const { client, calls } = stubKinesis([]);
    await createKinesisFindingPublisher({ client, stream: 's', clock: fixedClock(T0) }).publish([]);
    expect(calls).toEqual([]);
  });
});
