/**
 * The DynamoDB tables Lantern keeps its state in: the ONE definition, read by the CDK stack and by the local
 * cloud (`infra/local`), so that both create exactly the same thing. Plain data, no SDK: the CDK stack maps it
 * to `dynamodb.TableV2` props, the local cloud to a `CreateTable` request.
 *
 * Layout (docs/data-model.md explains the access patterns and the trade-offs):
 * - one table; a document of collection `c` with id `i` is the item `pk = "c#<bucket>"`, `sk = i`, where
 *   `bucket = fnv1a(i) mod buckets(c)`. Documents of one collection are spread over `buckets(c)` partitions
 *   (no hot partition whatever the collection's size), and each partition is sorted by id, so a prefix listing
 *   is one `Query begins_with(sk, prefix)` per bucket, merged — never a table scan.
 * - a document too large for one item is cut into chunks stored under `pk = "c#<bucket>#chunks"`.
 * - `ttl` (epoch seconds) is the DynamoDB TTL attribute, written from the document's `expiresAt`.
 */
import type { CollectionName } from '../ports/store.js';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

export interface TableDefinition {
  /** Logical id: the CDK construct id, and the table name locally (prefixed). */
  id: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** The DynamoDB TTL attribute (epoch seconds). */
  timeToLiveAttribute?: string;
  globalSecondaryIndexes: ReadonlyArray<{ name: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }>;
  billing: 'PAY_PER_REQUEST';
  /** Point-in-time recovery in AWS: the state is rebuildable from logs only at great cost. */
  pointInTimeRecovery: boolean;
}

/** Item attribute names of the state table (short: attribute names count towards item size and write units). */
export const STATE_ATTRIBUTES = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Document version, 1 on first write, +1 on every write: the optimistic-write condition. */
  version: 'v',
  /** The document as JSON text (small documents). */
  json: 'd',
  /** The document as deflate-compressed JSON (when that saves write units). */
  compressed: 'z',
  /** Which compression (shared/adapters/dynamodb/codec.ts) `z` or the chunks were written with; absent = 0. */
  codec: 'c',
  /** Number of chunks when the document is stored in chunks (then neither `d` nor `z` is set on the head). */
  chunks: 'n',
  /** Random token naming this write's chunks; set with `n`. */
  chunkToken: 'k',
  /** The document's expiry, epoch ms, exact (readers filter on it: TTL deletes lag by up to two days). */
  expiresAt: 'x',
  /** DynamoDB TTL, epoch seconds, from `x`. */
  ttl: 'ttl',
  /** When the item was written, epoch ms (chunk compaction uses it). */
  writtenAt: 'w',
} as const;

export const STATE_TABLE: TableDefinition = {
  id: 'State',
  partitionKey: { name: STATE_ATTRIBUTES.partitionKey, type: 'S' },
  sortKey: { name: STATE_ATTRIBUTES.sortKey, type: 'S' },
  timeToLiveAttribute: STATE_ATTRIBUTES.ttl,
  globalSecondaryIndexes: [],
  billing: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
};

/**
 * Partitions per collection. NEVER change a value once data is written: the bucket is part of the key
 * (changing it means a migration that re-keys the collection). Sized for the write rate each collection sees:
 * entities (one per caller, touched by every batch) and endpoints spread widest; a list of a collection costs
 * one Query per bucket, which is why the rarely written ones keep few.
 */
export const COLLECTION_BUCKETS: Readonly<Record<CollectionName, number>> = {
  endpoints: 8,
  entities: 32,
  findings: 4,
  discovery: 4,
  actions: 2,
  audit: 4,
  meta: 2,
  callers: 8,
};

/** Every table of the stack. */
export const TABLES: readonly TableDefinition[] = [STATE_TABLE];

/** Environment variable naming the state table in every function. */
export const STATE_TABLE_ENV = 'LANTERN_STATE_TABLE';
