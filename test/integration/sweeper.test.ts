import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPath, type LocalCloud, loadHandler, startLocalCloud } from '../../infra/local/cloud.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { bucketOf, chunkPartitionKey } from '../../shared/adapters/dynamodb/keys.js';

type Handler = (event: ScheduledEvent, context: Context) => Promise<Record<string, Record<string, number>>>;

let cloud: LocalCloud;
let handler: Handler;

beforeAll(async () => {
  cloud = await startLocalCloud({ shards: 1, prefix: 'sweeper' });
  handler = await loadHandler<Handler>(cloud, functionPath('sweeper'));
});
afterAll(async () => {
  await cloud.close();
});

describe('sweeper handler on dynalite', () => {
  it('deletes expired items (dynalite has no TTL) and orphaned chunks, and nothing alive', async () => {
    // Prepare
    const store = createDynamoDbStore({ client: cloud.documents, tableName: cloud.tableName, chunkBytes: 4096 });
    const big = { paths: Array.from({ length: 5000 }, (_, i) => `/p/${(i * 7919) % 10007}`) };
    await store.discovery.put([{ id: 'host:a', value: big, expectedVersion: 0 }]);
    await store.meta.put([
      { id: 'gone', value: 1, expectedVersion: 0, expiresAt: Date.now() - 1000 },
      { id: 'kept', value: 2, expectedVersion: 0, expiresAt: Date.now() + 3_600_000 },
    ]);
    // A writer that died after its chunks, before its head, an hour ago:
    await cloud.documents.send(
      new PutCommand({
        TableName: cloud.tableName,
        Item: {
          pk: chunkPartitionKey('discovery', bucketOf('discovery', 'host:a')),
          sk: 'host:a#deadbeef#0',
          z: new Uint8Array([1]),
          w: Date.now() - 3_600_000,
        },
      }),
    );
    const before = (await cloud.documents.send(new ScanCommand({ TableName: cloud.tableName }))).Items?.length ?? 0;
    // Act
    const results = await handler({} as ScheduledEvent, {} as Context);
    // Assess
    expect(results['compact-chunks']?.deleted).toBe(1);
    expect(results.expire?.deleted).toBe(1);
    const after = (await cloud.documents.send(new ScanCommand({ TableName: cloud.tableName }))).Items?.length ?? 0;
    expect(after).toBe(before - 2);
    expect((await store.discovery.get(['host:a'])).get('host:a')?.value).toEqual(big);
    expect([...(await store.meta.get(['gone', 'kept'])).keys()]).toEqual(['kept']);
  });
});
