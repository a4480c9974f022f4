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
  value: unknown;
  version: number;
  expiresAt?: number;
}

export interface MemoryStoreOptions {
  /**
   * Copy values in and out, as a real store would. The CLI turns it off for speed: the engine never keeps a
   * loaded document past the batch that wrote it back, so sharing is safe there; tests keep it on to prove that.
   */
  copy?: boolean;
  clock?: Clock;
}

class MemoryCollection implements DocumentCollection<unknown> {
  private readonly slots = new Map<string, Slot>();
  /** Ids in order, rebuilt only after an id is added or removed: listing pages must not re-sort per page. */
  private sortedIds: string[] | undefined;

  constructor(
    private readonly name: string,
    private readonly copy: boolean,
    private readonly clock: Clock,
  ) {}

  private live(id: string): Slot | undefined {
    const slot = this.slots.get(id);
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.clock.now()) return undefined;
    return slot;
  }

  private out(value: unknown): unknown {
    return this.copy ? structuredClone(value) : value;
  }

  async get(ids: readonly string[]): Promise<Map<string, Versioned<unknown>>> {
    const found = new Map<string, Versioned<unknown>>();
    for (const id of ids) {
      const slot = this.live(id);
      if (slot) found.set(id, { value: this.out(slot.value), version: slot.version });
    }
    return found;
  }

  async put(items: readonly DocumentPut<unknown>[]): Promise<void> {
    const conflicts: string[] = [];
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
      });
    }
    if (conflicts.length > 0) throw new StoreConflictError(this.name, conflicts);
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
      if (slot) items.push({ id, value: this.out(slot.value), version: slot.version });
    }
    const last = items.at(-1);
    const more = index < ids.length && (ids[index] as string).startsWith(prefix);
    return more && last ? { items, cursor: last.id } : { items };
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (this.slots.delete(id)) this.sortedIds = undefined;
  }
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

/** The in-memory Store: the CLI's, and the reference the DynamoDB adapter is tested against. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const copy = options.copy ?? true;
  const clock = options.clock ?? systemClock;
  const store = {} as Record<string, DocumentCollection<unknown>>;
  for (const name of COLLECTION_NAMES) store[name] = new MemoryCollection(name, copy, clock);
  return store as unknown as Store;
}
