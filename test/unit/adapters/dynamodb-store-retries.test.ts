/**
 * What dynalite cannot show: throttling. DynamoDB answers a BatchGetItem with UnprocessedKeys under load; the
 * store must retry them (with backoff) and give up with a clear error, never return a partial read as complete.
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCapacityMeter } from '../../../shared/adapters/dynamodb/capacity.js';
import { createDynamoDbStore, StoreUnavailableError } from '../../../shared/adapters/dynamodb/dynamodb-store.js';
import { bucketOf, partitionKey } from '../../../shared/adapters/dynamodb/keys.js';
import { StoreConflictError } from '../../../shared/ports/store.js';

const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
);
const mock = mockClient(documents);
afterEach(() => mock.reset());

const key = (id: string) => ({ pk: partitionKey('entities', bucketOf('entities', id)), sk: id });
const item = (id: string, n: number) => ({ ...key(id), v: 1, d: JSON.stringify({ n }) });

describe('DynamoDB store under throttling', () => {
  it('retries UnprocessedKeys until every key is read', async () => {
    // Prepare
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { t: [item('a', 1)] },
        UnprocessedKeys: { t: { Keys: [key('b')] } },
        ConsumedCapacity: [{ CapacityUnits: 1 }],
      })
      .resolvesOnce({ Responses: { t: [item('b', 2)] }, ConsumedCapacity: [{ CapacityUnits: 1 }] });
    const capacity = createCapacityMeter();
    const store = createDynamoDbStore({ client: documents, tableName: 't', capacity });
    // Act
    const got = await store.entities.get(['a', 'b']);
    // Assess
    expect([...got.entries()]).toEqual([
      ['a', { value: { n: 1 }, version: 1 }],
      ['b', { value: { n: 2 }, version: 1 }],
    ]);
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect(mock.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems?.t?.Keys).toEqual([key('b')]);
    expect(capacity.readUnits).toBe(2);
  });

  it('gives up with StoreUnavailableError when DynamoDB keeps refusing', async () => {
    mock.on(BatchGetCommand).resolves({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [key('a')] } } });
    const store = createDynamoDbStore({ client: documents, tableName: 't', maxBatchAttempts: 3 });
    await expect(store.entities.get(['a'])).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(mock.commandCalls(BatchGetCommand)).toHaveLength(3);
  });

  it('maps ConditionalCheckFailed to StoreConflictError naming only the losing ids, after writing the others', async () => {
    mock.on(PutCommand).callsFake((input: { Item: { sk: string } }) => {
      if (input.Item.sk === 'lost')
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
      return { ConsumedCapacity: { CapacityUnits: 1 } };
    });
    const store = createDynamoDbStore({ client: documents, tableName: 't' });
    const error = await store.entities
      .put([
        { id: 'lost', value: 1, expectedVersion: 3 },
        { id: 'won', value: 2, expectedVersion: 0 },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect((error as StoreConflictError).ids).toEqual(['lost']);
    const puts = mock.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    expect(puts.find((p) => p.Item?.sk === 'lost')?.ConditionExpression).toBe(
      '#v = :expected AND (attribute_not_exists(#x) OR #x > :now)',
    );
    expect(puts.find((p) => p.Item?.sk === 'won')?.ConditionExpression).toBe('attribute_not_exists(#v) OR #x <= :now');
  });
});
