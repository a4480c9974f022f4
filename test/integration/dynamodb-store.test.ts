import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDocumentClient, localDynamoClient } from '../../infra/local/clients.js';
import { type Emulator, startDynalite } from '../../infra/local/emulators.js';
import { createCapacityMeter } from '../../shared/adapters/dynamodb/capacity.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { bucketOf, partitionKey } from '../../shared/adapters/dynamodb/keys.js';
import { ensureTables } from '../../shared/adapters/dynamodb/tables.js';
import { fixedClock } from '../../shared/ports/clock.js';
import { STATE_TABLE } from '../../shared/store/tables.js';
import { describeStoreContract } from '../unit/adapters/store-contract.js';

let dynamo: Emulator;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** A fresh table per test: the contract starts from an empty store. */
async function freshTable(): Promise<string> {
  const name = `state-${++tables}`;
  const client = localDynamoClient(dynamo.endpoint);
  if (tables > 1)
    await client.send(new DeleteTableCommand({ TableName: `state-${tables - 1}` })).catch(() => undefined);
  await ensureTables(client, [STATE_TABLE], () => name);
  return name;
}

describeStoreContract('dynamodb (dynalite)', async (clock) =>
  createDynamoDbStore({
    client: localDocumentClient(dynamo.endpoint),
    tableName: await freshTable(),
    clock,
    // Small chunks so that the large-document case really is chunked.
    chunkBytes: 16 * 1024,
  }),
);

describe('DynamoDB store specifics', () => {
  it('counts write units, compresses what would cost more than one, and writes TTL in seconds', async () => {
    // Prepare
    const tableName = await freshTable();
    const capacity = createCapacityMeter();
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const client = localDocumentClient(dynamo.endpoint);
    const store = createDynamoDbStore({ client, tableName, clock, capacity });
    const doc = { statusCounts: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])) };
    // Act
    await store.endpoints.put([{ id: 'e', value: doc, expectedVersion: 0, expiresAt: Date.UTC(2026, 0, 2) + 1 }]);
    // Assess
    expect(capacity.writeRequests).toBe(1);
    expect(capacity.writeUnits).toBe(1);
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: partitionKey('endpoints', bucketOf('endpoints', 'e')), sk: 'e' },
      }),
    );
    expect(Item?.z).toBeInstanceOf(Uint8Array);
    expect(Item?.d).toBeUndefined();
    expect(Item?.ttl).toBe(Date.UTC(2026, 0, 2) / 1000 + 1);
    expect((await store.endpoints.get(['e'])).get('e')?.value).toEqual(doc);
  });

  it('spreads a collection over its buckets', () => {
    const used = new Set(Array.from({ length: 1000 }, (_, i) => bucketOf('entities', `ip:10.0.${i >> 8}.${i & 255}`)));
    expect(used.size).toBe(32);
  });
});
