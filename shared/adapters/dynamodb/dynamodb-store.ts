import { randomBytes } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import {
  COLLECTION_NAMES,
  type CollectionName,
  type DocumentCollection,
  type DocumentPut,
  type ListQuery,
  type Page,
  type Store,
  StoreConflictError,
  StoreError,
  type Versioned,
} from '../../ports/store.js';
import { STATE_ATTRIBUTES as A, COLLECTION_BUCKETS } from '../../store/tables.js';
import { addReadUnits, addWriteUnits, type CapacityMeter } from './capacity.js';
import { CURRENT_CODEC, compress, decompress } from './codec.js';
import {
  bucketOf,
  chunkPartitionKey,
  compareKeys,
  isTruncatedKey,
  KEPT_PREFIX_BYTES,
  partitionKey,
  sortKeyOf,
  utf8Prefix,
} from './keys.js';

/** A document larger than the store accepts even in chunks. */
export class DocumentTooLargeError extends StoreError {
  override name = 'DocumentTooLargeError';
  constructor(
    readonly collection: string,
    readonly id: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`document ${collection}/${id.slice(0, 200)} is ${bytes} bytes compressed, over the ${limit}-byte limit`);
  }
}

/** DynamoDB kept refusing part of a batch (throttling) after every retry. */
export class StoreUnavailableError extends StoreError {
  override name = 'StoreUnavailableError';
}

export interface DynamoDbStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** Receives the consumed read and write units of every call. */
  capacity?: CapacityMeter;
  /** JSON above this many bytes is stored deflate-compressed when that is smaller (default 700: one write unit is 1 KB). */
  compressAbove?: number;
  /** Payloads above this are cut into chunks of this size (default 300,000 bytes: items are at most 400 KB). */
  chunkBytes?: number;
  /** Refuse documents whose compressed payload exceeds this (default 4 MB). */
  maxDocumentBytes?: number;
  /** Strongly consistent reads (default true: an optimistic writer must read the version it will overwrite). */
  consistentRead?: boolean;
  /** Parallel requests per operation (default 16). */
  concurrency?: number;
  /** Attempts for BatchGet/BatchWrite leftovers (UnprocessedKeys/Items) before giving up (default 8). */
  maxBatchAttempts?: number;
}

type Item = Record<string, unknown>;

interface Settings {
  client: DynamoDBDocumentClient;
  table: string;
  clock: Clock;
  capacity: CapacityMeter | undefined;
  compressAbove: number;
  chunkBytes: number;
  maxDocumentBytes: number;
  consistentRead: boolean;
  concurrency: number;
  maxBatchAttempts: number;
}

const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
/** A head read again when a concurrent writer replaced its chunks between our two reads. */
const CHUNK_READ_ATTEMPTS = 4;

/** The Store on one DynamoDB table (see shared/store/tables.ts and docs/data-model.md). */
export function createDynamoDbStore(options: DynamoDbStoreOptions): Store {
  const settings: Settings = {
    client: options.client,
    table: options.tableName,
    clock: options.clock ?? systemClock,
    capacity: options.capacity,
    compressAbove: options.compressAbove ?? 700,
    chunkBytes: options.chunkBytes ?? 300_000,
    maxDocumentBytes: options.maxDocumentBytes ?? 4 * 1024 * 1024,
    consistentRead: options.consistentRead ?? true,
    concurrency: options.concurrency ?? 16,
    maxBatchAttempts: options.maxBatchAttempts ?? 8,
  };
  const store = {} as Record<string, DocumentCollection<unknown>>;
  for (const name of COLLECTION_NAMES) store[name] = new DynamoDbCollection(name, settings);
  return store as unknown as Store;
}

class DynamoDbCollection implements DocumentCollection<unknown> {
  constructor(
    private readonly name: CollectionName,
    private readonly s: Settings,
  ) {}

  private key(id: string): Item {
    return { [A.partitionKey]: partitionKey(this.name, bucketOf(this.name, id)), [A.sortKey]: sortKeyOf(id) };
  }

  private expired(item: Item, now: number): boolean {
    const at = item[A.expiresAt];
    return typeof at === 'number' && at <= now;
  }

  async get(ids: readonly string[]): Promise<Map<string, Versioned<unknown>>> {
    const found = new Map<string, Versioned<unknown>>();
    let pending = [...new Set(ids)];
    for (let attempt = 1; pending.length > 0; attempt++) {
      const heads = await batchGet(
        this.s,
        pending.map((id) => this.key(id)),
      );
      const now = this.s.clock.now();
      const wanted = new Set(pending);
      const live: Array<{ id: string; item: Item }> = [];
      for (const item of heads) {
        const id = idOf(item);
        if (!wanted.has(id) || this.expired(item, now)) continue;
        live.push({ id, item });
      }
      const decoded = await this.decodeAll(live);
      pending = [];
      for (const { id, item } of live) {
        const value = decoded.get(id);
        if (value === MISSING_CHUNKS) pending.push(id);
        else found.set(id, { value, version: item[A.version] as number });
      }
      if (pending.length > 0 && attempt >= CHUNK_READ_ATTEMPTS) {
        throw new StoreError(`chunks of ${this.name}/${pending[0]} kept changing while being read`);
      }
    }
    return found;
  }

  /** Decodes heads; chunked ones fetch their chunks (MISSING_CHUNKS when a newer write replaced them meanwhile). */
  private async decodeAll(heads: ReadonlyArray<{ id: string; item: Item }>): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    const chunkKeys: Item[] = [];
    for (const { id, item } of heads) {
      if (typeof item[A.chunks] === 'number')
        chunkKeys.push(...this.chunkKeys(id, item[A.chunkToken] as string, item[A.chunks] as number));
      else out.set(id, decodePayload(item));
    }
    if (chunkKeys.length === 0) return out;
    const chunks = new Map<string, Uint8Array>();
    for (const chunk of await batchGet(this.s, chunkKeys))
      chunks.set(chunk[A.sortKey] as string, chunk[A.compressed] as Uint8Array);
    for (const { id, item } of heads) {
      if (typeof item[A.chunks] !== 'number') continue;
      const parts: Uint8Array[] = [];
      for (const key of this.chunkKeys(id, item[A.chunkToken] as string, item[A.chunks] as number)) {
        const part = chunks.get(key[A.sortKey] as string);
        if (!part) break;
        parts.push(part);
      }
      out.set(
        id,
        parts.length === item[A.chunks] ? JSON.parse(decompress(Buffer.concat(parts), codecOf(item))) : MISSING_CHUNKS,
      );
    }
    return out;
  }

  private chunkKeys(id: string, token: string, count: number): Item[] {
    const pk = chunkPartitionKey(this.name, bucketOf(this.name, id));
    const base = sortKeyOf(id);
    return Array.from({ length: count }, (_, i) => ({ [A.partitionKey]: pk, [A.sortKey]: `${base}#${token}#${i}` }));
  }

  async put(items: readonly DocumentPut<unknown>[]): Promise<void> {
    const conflicts: string[] = [];
    await pool(items, this.s.concurrency, async (put) => {
      if (!(await this.putOne(put))) conflicts.push(put.id);
    });
    if (conflicts.length > 0) throw new StoreConflictError(this.name, conflicts);
  }

  /** False when the stored version was not the expected one. */
  private async putOne(put: DocumentPut<unknown>): Promise<boolean> {
    const now = this.s.clock.now();
    const json = JSON.stringify(put.value);
    const item: Item = { ...this.key(put.id), [A.version]: put.expectedVersion + 1, [A.writtenAt]: now };
    if (isTruncatedKey(put.id)) item.id = put.id;
    if (put.expiresAt !== undefined) {
      item[A.expiresAt] = put.expiresAt;
      item[A.ttl] = Math.ceil(put.expiresAt / 1000);
    }
    const bytes = Buffer.byteLength(json, 'utf8');
    let written: Item[] = [];
    if (bytes <= this.s.compressAbove) {
      item[A.json] = json;
    } else {
      const compressed = compress(json);
      if (compressed.length > this.s.maxDocumentBytes) {
        throw new DocumentTooLargeError(this.name, put.id, compressed.length, this.s.maxDocumentBytes);
      }
      if (compressed.length <= this.s.chunkBytes) {
        if (compressed.length < bytes) {
          item[A.compressed] = compressed;
          item[A.codec] = CURRENT_CODEC;
        } else {
          item[A.json] = json;
        }
      } else {
        // Chunks first, under a token no other writer uses; the conditional head write then makes them visible.
        const token = randomBytes(6).toString('base64url');
        const count = Math.ceil(compressed.length / this.s.chunkBytes);
        written = this.chunkKeys(put.id, token, count).map((key, i) => ({
          ...key,
          [A.compressed]: compressed.subarray(i * this.s.chunkBytes, (i + 1) * this.s.chunkBytes),
          [A.writtenAt]: now,
          ...(item[A.ttl] !== undefined ? { [A.ttl]: item[A.ttl] } : {}),
        }));
        await batchWrite(
          this.s,
          written.map((chunk) => ({ PutRequest: { Item: chunk } })),
        );
        item[A.chunks] = count;
        item[A.chunkToken] = token;
        item[A.codec] = CURRENT_CODEC;
      }
    }
    const names: Record<string, string> = { '#v': A.version, '#x': A.expiresAt };
    const condition =
      put.expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(#v) OR #x <= :now', ExpressionAttributeValues: { ':now': now } }
        : {
            ConditionExpression: '#v = :expected AND (attribute_not_exists(#x) OR #x > :now)',
            ExpressionAttributeValues: { ':expected': put.expectedVersion, ':now': now },
          };
    let old: Item | undefined;
    try {
      const result = await this.s.client.send(
        new PutCommand({
          TableName: this.s.table,
          Item: item,
          ...condition,
          ExpressionAttributeNames: names,
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      addWriteUnits(this.s.capacity, result.ConsumedCapacity, 1, {
        collection: this.name,
        id: put.id,
        created: put.expectedVersion === 0,
      });
      old = result.Attributes;
    } catch (error: unknown) {
      if (written.length > 0) await this.deleteKeys(written).catch(() => undefined); // orphans are compacted by the sweeper
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
    if (old && typeof old[A.chunks] === 'number') {
      await this.deleteKeys(this.chunkKeys(put.id, old[A.chunkToken] as string, old[A.chunks] as number));
    }
    return true;
  }

  private async deleteKeys(keys: readonly Item[]): Promise<void> {
    const requests = keys.map((k) => ({
      DeleteRequest: { Key: { [A.partitionKey]: k[A.partitionKey], [A.sortKey]: k[A.sortKey] } },
    }));
    await batchWrite(this.s, requests);
  }

  async list(query: ListQuery = {}): Promise<Page<unknown>> {
    const limit = query.limit ?? 1000;
    const prefix = query.prefix ?? '';
    // A sort key keeps at most the first 900 bytes of an id: query on that much of the prefix, filter on the rest.
    const keyPrefix = utf8Prefix(prefix, KEPT_PREFIX_BYTES);
    const buckets = COLLECTION_BUCKETS[this.name];
    const pageSize = Math.min(1000, Math.max(25, Math.ceil((2 * limit) / buckets)));
    const now = this.s.clock.now();
    const cursors = Array.from(
      { length: buckets },
      (_, b) => new BucketReader(this.s, partitionKey(this.name, b), keyPrefix, query.cursor, pageSize),
    );

    const heads: Array<{ id: string; sk: string; item: Item }> = [];
    let more = false;
    while (heads.length < limit) {
      // k-way merge: the smallest head of all buckets next.
      let best: BucketReader | undefined;
      for (const reader of cursors) {
        const next = await reader.peek();
        if (next && (!best || compareKeys(next[A.sortKey] as string, (best.current as Item)[A.sortKey] as string) < 0))
          best = reader;
      }
      if (!best) break;
      const item = best.take();
      const id = idOf(item);
      if (!id.startsWith(prefix) || this.expired(item, now)) continue;
      heads.push({ id, sk: item[A.sortKey] as string, item });
    }
    if (heads.length >= limit) {
      for (const reader of cursors) if (await reader.peek()) more = true;
    }
    let decoded = await this.decodeAll(heads);
    if ([...decoded.values()].includes(MISSING_CHUNKS)) {
      const again = await this.get(heads.map((h) => h.id));
      decoded = new Map([...again].map(([id, v]) => [id, v.value]));
    }
    const items: Page<unknown>['items'] = [];
    for (const { id, item } of heads) {
      if (!decoded.has(id)) continue;
      items.push({ id, value: decoded.get(id), version: item[A.version] as number });
    }
    const last = heads.at(-1);
    return more && last ? { items, cursor: last.sk } : { items };
  }

  async delete(ids: readonly string[]): Promise<void> {
    await pool([...new Set(ids)], this.s.concurrency, async (id) => {
      const result = await this.s.client.send(
        new DeleteCommand({
          TableName: this.s.table,
          Key: this.key(id),
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      addWriteUnits(this.s.capacity, result.ConsumedCapacity, 1, { collection: this.name, id });
      const old = result.Attributes;
      if (old && typeof old[A.chunks] === 'number') {
        await this.deleteKeys(this.chunkKeys(id, old[A.chunkToken] as string, old[A.chunks] as number));
      }
    });
  }
}

const MISSING_CHUNKS = Symbol('missing-chunks');

/** Pages through one bucket's partition from after the cursor, items with the prefix only. */
class BucketReader {
  private buffer: Item[] = [];
  private exclusiveStart: Item | undefined;
  private done = false;
  current: Item | undefined;

  constructor(
    private readonly s: Settings,
    private readonly pk: string,
    private readonly prefix: string,
    cursor: string | undefined,
    private readonly pageSize: number,
  ) {
    if (cursor !== undefined) this.exclusiveStart = { [A.partitionKey]: pk, [A.sortKey]: cursor };
  }

  async peek(): Promise<Item | undefined> {
    while (this.buffer.length === 0 && !this.done) {
      const result = await this.s.client.send(
        new QueryCommand({
          TableName: this.s.table,
          KeyConditionExpression: this.prefix === '' ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': A.partitionKey, ...(this.prefix === '' ? {} : { '#sk': A.sortKey }) },
          ExpressionAttributeValues: { ':pk': this.pk, ...(this.prefix === '' ? {} : { ':prefix': this.prefix }) },
          Limit: this.pageSize,
          ConsistentRead: this.s.consistentRead,
          ReturnConsumedCapacity: 'TOTAL',
          ...(this.exclusiveStart ? { ExclusiveStartKey: this.exclusiveStart } : {}),
        }),
      );
      addReadUnits(this.s.capacity, result.ConsumedCapacity);
      this.buffer = (result.Items ?? []) as Item[];
      this.exclusiveStart = result.LastEvaluatedKey as Item | undefined;
      if (!this.exclusiveStart) this.done = true;
    }
    this.current = this.buffer[0];
    return this.current;
  }

  take(): Item {
    const item = this.buffer.shift() as Item;
    this.current = this.buffer[0];
    return item;
  }
}

function idOf(item: Item): string {
  return typeof item.id === 'string' ? item.id : (item[A.sortKey] as string);
}

function codecOf(item: Item): number {
  return typeof item[A.codec] === 'number' ? (item[A.codec] as number) : 0;
}

function decodePayload(item: Item): unknown {
  const json = item[A.json];
  if (typeof json === 'string') return JSON.parse(json);
  const compressed = item[A.compressed];
  if (compressed instanceof Uint8Array) return JSON.parse(decompress(compressed, codecOf(item)));
  throw new StoreError(`item ${String(item[A.partitionKey])}/${String(item[A.sortKey])} has no document`);
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

async function batchGet(s: Settings, keys: readonly Item[]): Promise<Item[]> {
  const out: Item[] = [];
  const groups: Item[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) groups.push(keys.slice(i, i + BATCH_GET_KEYS));
  await pool(groups, Math.max(1, Math.ceil(s.concurrency / 4)), async (group) => {
    let pending: Item[] = group;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await backoff(attempt);
      if (attempt > s.maxBatchAttempts)
        throw new StoreUnavailableError(
          `BatchGetItem left ${pending.length} keys unprocessed after ${s.maxBatchAttempts} attempts`,
        );
      const result = await s.client.send(
        new BatchGetCommand({
          RequestItems: { [s.table]: { Keys: pending, ConsistentRead: s.consistentRead } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      addReadUnits(s.capacity, result.ConsumedCapacity ?? []);
      out.push(...((result.Responses?.[s.table] ?? []) as Item[]));
      pending = (result.UnprocessedKeys?.[s.table]?.Keys ?? []) as Item[];
    }
  });
  return out;
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

async function batchWrite(s: Settings, requests: readonly WriteRequest[]): Promise<void> {
  const groups: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS) groups.push(requests.slice(i, i + BATCH_WRITE_ITEMS));
  await pool(groups, Math.max(1, Math.ceil(s.concurrency / 4)), async (group) => {
    let pending: WriteRequest[] = group;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await backoff(attempt);
      if (attempt > s.maxBatchAttempts)
        throw new StoreUnavailableError(
          `BatchWriteItem left ${pending.length} items unprocessed after ${s.maxBatchAttempts} attempts`,
        );
      const result = await s.client.send(
        new BatchWriteCommand({ RequestItems: { [s.table]: pending }, ReturnConsumedCapacity: 'TOTAL' }),
      );
      addWriteUnits(s.capacity, result.ConsumedCapacity ?? [], pending.length);
      pending = (result.UnprocessedItems?.[s.table] ?? []) as WriteRequest[];
    }
  });
}

/** Exponential backoff with full jitter: 50 ms, 100 ms, … capped at 2 s. */
function backoff(attempt: number): Promise<void> {
  const cap = Math.min(2000, 25 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

/** Runs `work` over `items` with at most `limit` in flight; the first error is thrown once all have settled. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error: unknown) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
