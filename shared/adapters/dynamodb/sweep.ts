/**
 * Housekeeping of the state table that the Store port cannot express (it never shows expired or orphaned items):
 * - orphaned chunks: a writer that died between writing a large document's chunks and its head leaves chunks no
 *   head names; they are deleted once older than a grace period (a live writer's chunks are younger);
 * - expired items, where the table has no native TTL (dynalite): deleted with a condition on the expiry, so a
 *   document re-created meanwhile is never touched. In AWS, DynamoDB TTL does this (readers already ignore them).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { COLLECTION_NAMES } from '../../ports/store.js';
import { STATE_ATTRIBUTES as A, COLLECTION_BUCKETS } from '../../store/tables.js';
import { addReadUnits, addWriteUnits, type CapacityMeter } from './capacity.js';
import { isConditionalCheckFailed } from './dynamodb-store.js';
import { chunkPartitionKey, partitionKey } from './keys.js';

export interface SweepTable {
  client: DynamoDBDocumentClient;
  tableName: string;
  capacity?: CapacityMeter;
}

type Item = Record<string, unknown>;

/** Deletes chunks that no head names and that are older than `graceMs`. Reads only the chunk partitions. */
export async function compactChunks(
  t: SweepTable,
  now: number,
  graceMs = 15 * 60_000,
): Promise<{ scanned: number; deleted: number }> {
  let scanned = 0;
  let deleted = 0;
  for (const collection of COLLECTION_NAMES) {
    for (let bucket = 0; bucket < COLLECTION_BUCKETS[collection]; bucket++) {
      const groups = new Map<string, { base: string; token: string; keys: Item[]; writtenAt: number }>();
      let start: Item | undefined;
      do {
        const page = await t.client.send(
          new QueryCommand({
            TableName: t.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': A.partitionKey, '#sk': A.sortKey, '#w': A.writtenAt },
            ExpressionAttributeValues: { ':pk': chunkPartitionKey(collection, bucket) },
            ProjectionExpression: '#pk, #sk, #w',
            ReturnConsumedCapacity: 'TOTAL',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        addReadUnits(t.capacity, page.ConsumedCapacity);
        for (const item of page.Items ?? []) {
          scanned++;
          const sk = item[A.sortKey] as string;
          const index = sk.lastIndexOf('#');
          const tokenAt = sk.lastIndexOf('#', index - 1);
          const base = sk.slice(0, tokenAt);
          const token = sk.slice(tokenAt + 1, index);
          const group = groups.get(`${base}#${token}`) ?? { base, token, keys: [], writtenAt: 0 };
          group.keys.push({ [A.partitionKey]: item[A.partitionKey], [A.sortKey]: sk });
          group.writtenAt = Math.max(group.writtenAt, (item[A.writtenAt] as number | undefined) ?? 0);
          groups.set(`${base}#${token}`, group);
        }
        start = page.LastEvaluatedKey as Item | undefined;
      } while (start);
      const old = [...groups.values()].filter((g) => now - g.writtenAt > graceMs);
      if (old.length === 0) continue;
      const heads = new Map<string, Item>();
      const bases = [...new Set(old.map((g) => g.base))];
      for (let i = 0; i < bases.length; i += 100) {
        const result = await t.client.send(
          new BatchGetCommand({
            RequestItems: {
              [t.tableName]: {
                Keys: bases
                  .slice(i, i + 100)
                  .map((sk) => ({ [A.partitionKey]: partitionKey(collection, bucket), [A.sortKey]: sk })),
                ProjectionExpression: '#sk, #k',
                ExpressionAttributeNames: { '#sk': A.sortKey, '#k': A.chunkToken },
              },
            },
          }),
        );
        // Unprocessed keys are simply left for the next sweep.
        for (const head of result.Responses?.[t.tableName] ?? []) heads.set(head[A.sortKey] as string, head);
      }
      const orphans = old.filter((g) => heads.get(g.base)?.[A.chunkToken] !== g.token).flatMap((g) => g.keys);
      for (let i = 0; i < orphans.length; i += 25) {
        const group = orphans.slice(i, i + 25);
        const result = await t.client.send(
          new BatchWriteCommand({
            RequestItems: { [t.tableName]: group.map((Key) => ({ DeleteRequest: { Key } })) },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        addWriteUnits(t.capacity, result.ConsumedCapacity ?? [], group.length);
        deleted += group.length - (result.UnprocessedItems?.[t.tableName]?.length ?? 0);
      }
    }
  }
  return { scanned, deleted };
}

/** TTL emulation for tables without it: deletes every item whose expiry has passed (a full scan: local use). */
export async function deleteExpired(t: SweepTable, now: number): Promise<{ scanned: number; deleted: number }> {
  let scanned = 0;
  let deleted = 0;
  let start: Item | undefined;
  const names = { '#x': A.expiresAt, '#ttl': A.ttl };
  const values = { ':ms': now, ':s': Math.floor(now / 1000) };
  do {
    const page = await t.client.send(
      new ScanCommand({
        TableName: t.tableName,
        FilterExpression: '#x <= :ms OR #ttl < :s',
        ExpressionAttributeNames: { ...names, '#pk': A.partitionKey, '#sk': A.sortKey },
        ExpressionAttributeValues: values,
        ProjectionExpression: '#pk, #sk',
        ReturnConsumedCapacity: 'TOTAL',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    addReadUnits(t.capacity, page.ConsumedCapacity);
    scanned += page.ScannedCount ?? 0;
    for (const key of page.Items ?? []) {
      try {
        const result = await t.client.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: key,
            ConditionExpression: '#x <= :ms OR #ttl < :s',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        addWriteUnits(t.capacity, result.ConsumedCapacity, 1);
        deleted++;
      } catch (error: unknown) {
        if (!isConditionalCheckFailed(error)) throw error; // re-created since the scan: alive
      }
    }
    start = page.LastEvaluatedKey as Item | undefined;
  } while (start);
  return { scanned, deleted };
}

/** Documents of a collection (expired ones included until deleted), counted without reading them: for progress displays. */
export async function countDocuments(t: SweepTable, collection: (typeof COLLECTION_NAMES)[number]): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: COLLECTION_BUCKETS[collection] }, async (_, bucket) => {
      let n = 0;
      let start: Item | undefined;
      do {
        const page = await t.client.send(
          new QueryCommand({
            TableName: t.tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': A.partitionKey },
            ExpressionAttributeValues: { ':pk': partitionKey(collection, bucket) },
            Select: 'COUNT',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        n += page.Count ?? 0;
        start = page.LastEvaluatedKey as Item | undefined;
      } while (start);
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
