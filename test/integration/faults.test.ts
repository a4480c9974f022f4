/**
 * The fault test, short (the long one: `npm run bench:faults`, 1M records): about 10,000 records with poison among
 * them through kinesalite -> local event source mapping -> the real ingest and responder -> dynalite, once clean and
 * once with DynamoDB throttling, 500s, lost answers and partial batches, environments dying mid-batch, redelivered
 * batches, re-reads from older checkpoints and two runner restarts. Small batches, high fault rates: every kind of
 * fault happens several times.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDocumentClient, localDynamoClient } from '../../infra/local/clients.js';
import { startLocalCloud } from '../../infra/local/cloud.js';
import { type Emulator, startDynalite } from '../../infra/local/emulators.js';
import { checkRun, type FaultPlan, faultTestInput, runThroughLocalCloud } from '../../infra/local/fault-run.js';
import { type DynamoFaultProxy, startDynamoFaultProxy } from '../../infra/local/faults.js';
import { putRecords } from '../../infra/local/feed.js';
import { KinesisEventSourcePoller } from '../../infra/local/poller.js';

const FAULTS: FaultPlan = {
  dynamo: { throttle: 0.03, serverError: 0.02, lostAnswer: 0.03, unprocessed: 0.2 },
  crash: { rate: 0.3, maxWrites: 12 },
  redeliver: 0.25,
  rewind: 0.25,
  maxDelayMs: 20,
  restarts: [
    { at: 0.35, checkpoints: 'kept' },
    { at: 0.7, checkpoints: 'lost' },
  ],
};

describe('the local cloud under faults', () => {
  it('counts every record once and ends in the state of a fault-free run', async () => {
    // Prepare
    const input = faultTestInput({ requests: 10_000, seed: 3, poisonEvery: 200 });
    const options = { shards: 1, batchSize: 1000, windowMs: 200, seed: 3, drainTimeoutMs: 120_000 };
    // Act
    const reference = await runThroughLocalCloud(input, options);
    const faulty = await runThroughLocalCloud(input, { ...options, faults: FAULTS });
    // Assess
    const injected = faulty.counts;
    expect(injected.dynamo.throttled).toBeGreaterThan(0);
    expect(injected.dynamo.serverErrors).toBeGreaterThan(0);
    expect(injected.dynamo.lostAnswers).toBeGreaterThan(0);
    expect(injected.dynamo.unprocessedBatches).toBeGreaterThan(0);
    expect(injected.crashes).toBeGreaterThan(0);
    expect(injected.redeliveredBatches).toBeGreaterThan(0);
    expect(injected.rewinds).toBeGreaterThan(0);
    expect(injected.restarts).toBe(2);
    // The responder had work: findings were published and decided, actions taken.
    expect(reference.state.findings.size).toBeGreaterThan(0);
    expect(reference.state.targets.size).toBeGreaterThan(0);
    const failed = checkRun(input, faulty, reference).filter((c) => c.gating && !c.passed);
    expect(failed).toEqual([]);
  }, 240_000);
});

describe('the DynamoDB fault proxy: what the SDK sees is DynamoDB failing', () => {
  let dynalite: Emulator;
  let proxy: DynamoFaultProxy;
  const TableName = 'faults';
  const client = () => localDocumentClient(proxy.endpoint);
  const direct = () => localDocumentClient(dynalite.endpoint);

  beforeAll(async () => {
    dynalite = await startDynalite({ thread: false });
    const admin = localDynamoClient(dynalite.endpoint);
    await admin.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    admin.destroy();
    proxy = await startDynamoFaultProxy({ target: dynalite.endpoint });
  });
  afterAll(async () => {
    await proxy.close();
    await dynalite.close();
  });

  it('throttles and fails with DynamoDB errors, which the SDK retries before giving up', async () => {
    proxy.setRates({ throttle: 1 });
    const throttled = await client()
      .send(new PutCommand({ TableName, Item: { pk: 'a' } }))
      .catch((e: unknown) => e);
    expect(throttled).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect((throttled as { $metadata: { attempts: number } }).$metadata.attempts).toBeGreaterThan(1);
    proxy.setRates({ serverError: 1 });
    const failed = await client()
      .send(new PutCommand({ TableName, Item: { pk: 'a' } }))
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ name: 'InternalServerError' });
    expect((failed as { $metadata: { attempts: number } }).$metadata.attempts).toBeGreaterThan(1);
    expect((await direct().send(new GetCommand({ TableName, Key: { pk: 'a' } }))).Item).toBeUndefined();
  });

  it('loses the answer of a write that landed: a conditional retry then finds its own write', async () => {
    proxy.setRates({ lostAnswer: 1 });
    const error = await client()
      .send(new PutCommand({ TableName, Item: { pk: 'b' }, ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((e: unknown) => e);
    proxy.setRates({});
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { attempts: 2 } });
    expect((await direct().send(new GetCommand({ TableName, Key: { pk: 'b' } }))).Item).toEqual({ pk: 'b' });
  });

  it('applies half of a batch and returns the rest unprocessed', async () => {
    proxy.setRates({ unprocessed: 1 });
    const items = ['c1', 'c2', 'c3', 'c4'].map((pk) => ({ PutRequest: { Item: { pk } } }));
    const result = await client().send(new BatchWriteCommand({ RequestItems: { [TableName]: items } }));
    proxy.setRates({});
    expect(result.UnprocessedItems?.[TableName]).toEqual(items.slice(2));
    expect((await direct().send(new GetCommand({ TableName, Key: { pk: 'c2' } }))).Item).toEqual({ pk: 'c2' });
    expect((await direct().send(new GetCommand({ TableName, Key: { pk: 'c3' } }))).Item).toBeUndefined();
  });

  it('keeps what DynamoDB itself left unprocessed beside the half it holds back', async () => {
    // dynalite, like DynamoDB (at 16 MB), answers a BatchGetItem with about 1 MB and returns the other keys
    // unprocessed: held-back keys must be added to those, not replace them, or a read silently misses items.
    const big = 'x'.repeat(300_000);
    const keys = Array.from({ length: 12 }, (_, i) => ({ pk: `e${i}` }));
    await direct().send(
      new BatchWriteCommand({
        RequestItems: { [TableName]: keys.slice(0, 6).map((k) => ({ PutRequest: { Item: { ...k, big } } })) },
      }),
    );
    await direct().send(
      new BatchWriteCommand({
        RequestItems: { [TableName]: keys.slice(6).map((k) => ({ PutRequest: { Item: { ...k, big } } })) },
      }),
    );
    proxy.setRates({ unprocessed: 1 });
    const result = await client().send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: keys } } }));
    proxy.setRates({});
    const answered = (result.Responses?.[TableName] ?? []).map((item) => item.pk as string);
    const unprocessed = (result.UnprocessedKeys?.[TableName]?.Keys ?? []).map((key) => key.pk as string);
    expect([...answered, ...unprocessed].sort()).toEqual(keys.map((k) => k.pk).sort());
  });

  it('goes down after the Nth write has landed, until brought up', async () => {
    const crashed = proxy.crashAfterWrites(2);
    await client().send(new PutCommand({ TableName, Item: { pk: 'd1' } }));
    const lost = await client()
      .send(new PutCommand({ TableName, Item: { pk: 'd2' } }))
      .catch((e: unknown) => e);
    await crashed;
    expect(lost).toBeInstanceOf(Error);
    expect((await direct().send(new GetCommand({ TableName, Key: { pk: 'd2' } }))).Item).toEqual({ pk: 'd2' });
    proxy.up();
    await client().send(new PutCommand({ TableName, Item: { pk: 'd3' } }));
    expect(proxy.counts.refused).toBeGreaterThan(0);
  });
});

describe('delivery faults of the local event source mapping', () => {
  it('redelivers a batch that succeeded, re-reads from an older checkpoint, and a killed runner loses its batch in flight', async () => {
    // Prepare
    const cloud = await startLocalCloud({ shards: 1, prefix: 'delivery' });
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-delivery-'));
    const checkpointFile = path.join(dir, 'checkpoints.json');
    const datas = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const seen: string[][] = [];
    const record = (batch: string[]) => seen.push(batch);
    const text = (event: { Records: Array<{ kinesis: { data: string } }> }) =>
      event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
    const options = { batchSize: 4, maximumBatchingWindowMs: 20, pollIntervalMs: 20, checkpointFile };
    try {
      await putRecords(
        cloud.kinesis,
        cloud.streamName,
        datas.map((d) => Buffer.from(d)),
      );
      let batches = 0;
      const first = new KinesisEventSourcePoller(
        cloud.kinesis,
        cloud.streamName,
        async (event) => {
          record(text(event));
          return { batchItemFailures: [] };
        },
        { ...options, faults: { redeliver: () => batches === 0, rewind: () => (++batches === 2 ? 1 : 0) } },
      );
      // Act
      await first.start();
      await first.waitIdle();
      await first.stop();
      const afterFirst = seen.splice(0);
      await putRecords(cloud.kinesis, cloud.streamName, [Buffer.from('r12')]);
      let release: () => void = () => undefined;
      const hanging = new KinesisEventSourcePoller(
        cloud.kinesis,
        cloud.streamName,
        async (event) => {
          record(text(event));
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return { batchItemFailures: [] };
        },
        options,
      );
      await hanging.start();
      while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const killed = hanging.kill();
      release();
      await killed;
      const next = new KinesisEventSourcePoller(
        cloud.kinesis,
        cloud.streamName,
        async (event) => {
          record(text(event));
          return { batchItemFailures: [] };
        },
        options,
      );
      await next.start();
      await next.waitIdle();
      await next.stop();
      // Assess
      expect(afterFirst).toEqual([
        ['r0', 'r1', 'r2', 'r3'],
        ['r0', 'r1', 'r2', 'r3'],
        ['r4', 'r5', 'r6', 'r7'],
        ['r4', 'r5', 'r6', 'r7'],
        ['r8', 'r9', 'r10', 'r11'],
      ]);
      expect(first.stats).toMatchObject({ redeliveredBatches: 1, rewinds: 1 });
      expect(seen).toEqual([['r12'], ['r12']]);
    } finally {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
