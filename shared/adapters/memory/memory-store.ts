import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import {
  COLLECTION_NAMES,
  type DocumentCollection,
  type DocumentPut,
  type ListQuery,
  type Page,
  type Store,
  StoreConflictError,
  type Versioned,
} from '../../ports/store.js';

interface Slot {
  /** The document, or undefined while it is kept compacted. */
  value: unknown;
  /** The document as JSON (deflated when large), once it went untouched for `compactAfter` writes. */
  compacted?: string | Buffer;
  version: number;
  expiresAt?: number;
  /** The store's write count when the document was last read by id or written. */
  touched: number;
}

export interface MemoryStoreOptions {
  /**
   * Copy values in and out, as a real store would. The CLI turns it off for speed: the engine never keeps a
   * loaded document past the batch that wrote it back, so sharing is safe there; tests keep it on to prove that.
   */
  copy?: boolean;
  clock?: Clock;
  /**
   * Keep a document that was neither read by id nor written while the store took this many writes (calls of put, to
   * any collection) as JSON text, deflated when large, instead of live objects; reading it by id makes it live
   * again. Off by default. The CLI turns it on: a long run leaves behind documents no batch reads again (caller packs
   * of past generations, callers gone quiet) that, as live objects, made its memory grow with the input instead of
   * with its callers and endpoints (issue #9). The documents are what the DynamoDB store keeps anyway, JSON: compacting
   * one changes nothing in what is read back.
   */
  compactAfter?: number;
}

class MemoryCollection implements DocumentCollection<unknown> {
  private readonly slots = new Map<string, Slot>();
  /** Ids in order, rebuilt only after an id is added or removed: listing pages must not re-sort per page. */
  private sortedIds: string[] | undefined;

  constructor(
    private readonly name: string,
    private readonly copy: boolean,
    private readonly clock: Clock,
    private readonly writes: WriteCount,
  ) {}

  private live(id: string): Slot | undefined {
    const slot = this.slots.get(id);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.clock.now()) return undefined;
    return slot;
  }

  private out(value: unknown): unknown {
    return this.copy ? structuredClone(value) : value;
  }

  /** The slot's document for a caller: a compacted one is parsed afresh, hence already a copy. */
  private read(slot: Slot): unknown {
    return slot.compacted !== undefined ? expand(slot.compacted) : this.out(slot.value);
  }

  async get(ids: readonly string[]): Promise<Map<string, Versioned<unknown>>> {
    const found = new Map<string, Versioned<unknown>>();
    for (const id of ids) {
      const slot = this.live(id);
      if (!slot) continue;
      // Read by id, it is in use again: live, so that the batches that use it do not parse it each time.
      if (slot.compacted !== undefined) {
        slot.value = expand(slot.compacted);
        slot.compacted = undefined;
      }
      slot.touched = this.writes.count;
      found.set(id, { value: this.out(slot.value), version: slot.version });
    }
    return found;
  }

  async put(items: readonly DocumentPut<unknown>[]): Promise<void> {
    const conflicts: string[] = [];
    this.writes.count++;
    for (const item of items) {
      const current = this.live(item.id)?.version ?? 0;
      if (current !== item.expectedVersion) {
        conflicts.push(item.id);
        continue;
      }
      if (current === 0 && !this.slots.has(item.id)) this.sortedIds = undefined;
      this.slots.set(item.id, {
        value: this.out(item.value),
        version: current + 1,
        ...(item.expiresAt !== undefined ? { expiresAt: item.expiresAt } : {}),
        touched: this.writes.count,
      });
    }
    this.writes.onWrite();
    if (conflicts.length > 0) throw new StoreConflictError(this.name, conflicts);
  }

  /** Compacts every live document untouched for at least `after` writes. */
  compactIdle(after: number): void {
    for (const slot of this.slots.values()) {
      if (slot.compacted !== undefined || this.writes.count - slot.touched < after) continue;
      slot.compacted = compact(slot.value);
      slot.value = undefined;
    }
  }

  async list(query: ListQuery = {}): Promise<Page<unknown>> {
    this.sortedIds ??= [...this.slots.keys()].sort();
    const ids = this.sortedIds;
    const prefix = query.prefix ?? '';
    const after = query.cursor !== undefined && query.cursor > prefix ? query.cursor : undefined;
    const limit = query.limit ?? 1000;
    const items: Page<unknown>['items'] = [];
    let index = after === undefined ? lowerBound(ids, prefix) : upperBound(ids, after);
    for (; index < ids.length && items.length < limit; index++) {
      const id = ids[index] as string;
      if (!id.startsWith(prefix)) break;
      const slot = this.live(id);
      // A listing scans, it does not bring documents back into use: a compacted one stays compacted.
      if (slot) items.push({ id, value: this.read(slot), version: slot.version });
    }
    const last = items.at(-1);
    const more = index < ids.length && (ids[index] as string).startsWith(prefix);
    return more && last ? { items, cursor: last.id } : { items };
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (this.slots.delete(id)) this.sortedIds = undefined;
  }
}

/**
 * JSON text at or above this length is deflated too. A call of zlib has a fixed cost of a few tenths of a millisecond,
 * more than parsing a caller's 2-10 KB of JSON: small documents, which go idle and come back often, are kept as text,
 * a third of their size as live objects, of which the garbage collector has one to trace instead of hundreds; large
 * ones (a caller pack, ~1 MB) shrink some twentyfold deflated, and go idle for good.
 */
const DEFLATE_FROM_CHARS = 64 * 1024;

function compact(value: unknown): string | Buffer {
  const json = JSON.stringify(value);
  // Level 1: what is deflated is rarely or never read again, so speed matters more than the last few per cent.
  return json.length < DEFLATE_FROM_CHARS ? json : deflateRawSync(json, { level: 1 });
}

function expand(compacted: string | Buffer): unknown {
  return JSON.parse(typeof compacted === 'string' ? compacted : inflateRawSync(compacted).toString('utf8'));
}

/** First index whose id is >= key. */
function lowerBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose id is > key. */
function upperBound(ids: readonly string[], key: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function positiveOrUndefined(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`compactAfter must be a whole number of writes, at least 1: ${n}`);
  return n;
}

/**
 * The store's writes, the clock documents go idle by: one for the whole store, since a collection may go many
 * batches without a write (the caller packs, once the current ones are full) while its old documents wait.
 */
interface WriteCount {
  count: number;
  onWrite(): void;
}

/** The in-memory Store: the CLI's, and the reference the DynamoDB adapter is tested against. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const copy = options.copy ?? true;
  const clock = options.clock ?? systemClock;
  const compactAfter = positiveOrUndefined(options.compactAfter);
  const collections: MemoryCollection[] = [];
  const writes: WriteCount = {
    count: 0,
    // A pass every `compactAfter` writes: a document is compacted between one and two times that after its last use.
    onWrite: () => {
      if (compactAfter === undefined || writes.count % compactAfter !== 0) return;
      for (const collection of collections) collection.compactIdle(compactAfter);
    },
  };
  const store = {} as Record<string, DocumentCollection<unknown>>;
  for (const name of COLLECTION_NAMES) {
    const collection = new MemoryCollection(name, copy, clock, writes);
    collections.push(collection);
    store[name] = collection;
  }
  return store as unknown as Store;
}
