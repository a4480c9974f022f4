/**
 * The Store port: everything the engine remembers between batches.
 *
 * State is a set of small documents in named collections. The engine loads the documents a batch touches,
 * changes them in memory and writes each back once (one write per touched document per batch, never one per request).
 * Writes are optimistic: each carries the version it was read at, so two concurrent writers (two Kinesis shards,
 * two Lambda invocations) never overwrite each other silently; the loser re-reads and re-applies its batch.
 */

export interface Versioned<T> {
  value: T;
  /** 1 for the first write, +1 on every write. */
  version: number;
}

export interface DocumentPut<T> {
  id: string;
  value: T;
  /** The version the document was read at; 0 when it did not exist. */
  expectedVersion: number;
  /** Epoch ms after which the document may be dropped (DynamoDB TTL); readers ignore expired documents. */
  expiresAt?: number;
}

export interface ListQuery {
  /** Only documents whose id starts with this. */
  prefix?: string;
  limit?: number;
  /** Opaque, from a previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: Array<{ id: string } & Versioned<T>>;
  cursor?: string;
}

export interface DocumentCollection<T> {
  get(ids: readonly string[]): Promise<Map<string, Versioned<T>>>;
  /** Writes every item or throws StoreConflictError naming the ids whose version had moved (the others may be written). */
  put(items: readonly DocumentPut<T>[]): Promise<void>;
  list(query?: ListQuery): Promise<Page<T>>;
  delete(ids: readonly string[]): Promise<void>;
}

/** The collections Lantern keeps. Value types are owned by the modules that write them. */
export interface Store {
  /** Endpoint inventory records, id = endpoint key (see discovery/inventory.ts). */
  endpoints: DocumentCollection<unknown>;
  /** Caller records and baselines, id = entity key (`type:id`). */
  entities: DocumentCollection<unknown>;
  /** Findings, id = finding id. */
  findings: DocumentCollection<unknown>;
  /** Per-host discovery state and user overrides. */
  discovery: DocumentCollection<unknown>;
  /** Response actions (blocks, throttles), id = action id. */
  actions: DocumentCollection<unknown>;
  /** Audit trail of decisions, append-only, id sortable by time. */
  audit: DocumentCollection<unknown>;
  /** Run counters, rejections, checkpoints. */
  meta: DocumentCollection<unknown>;
  /**
   * Packs of callers below the promotion threshold, id = `pack:<generation>:<bucket>`, each holding entity
   * documents keyed by entity key (shared/engine/callers.ts). Read callers through `listCallers`, not `entities` alone.
   */
  callers: DocumentCollection<unknown>;
}

export type CollectionName = keyof Store;
export const COLLECTION_NAMES: readonly CollectionName[] = [
  'endpoints',
  'entities',
  'findings',
  'discovery',
  'actions',
  'audit',
  'meta',
  'callers',
];

export class StoreError extends Error {
  override name = 'StoreError';
}

/** A write found a newer version than the one it was based on. */
export class StoreConflictError extends StoreError {
  override name = 'StoreConflictError';
  constructor(
    readonly collection: string,
    readonly ids: readonly string[],
  ) {
    super(`version conflict in ${collection}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`);
  }
}

/** Every document of a collection (or those whose id starts with `prefix`), page by page. */
export async function listAll<T>(
  collection: DocumentCollection<T>,
  prefix?: string,
): Promise<Array<{ id: string; value: T }>> {
  const all: Array<{ id: string; value: T }> = [];
  let cursor: string | undefined;
  do {
    const page = await collection.list({ limit: 1000, ...(prefix ? { prefix } : {}), ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

/** Typed view over an untyped collection: the one place a stored value is cast to the type its writer owns. */
export function typed<T>(collection: DocumentCollection<unknown>): DocumentCollection<T> {
  return collection as DocumentCollection<T>;
}
