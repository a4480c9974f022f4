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
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';

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
      this.slots.set(item.id, {
        value: this.out(item.value),
        version: current + 1,
        ...(item.expiresAt !== undefined ? { expiresAt: item.expiresAt } : {}),
      });
    }
    if (conflicts.length > 0) throw new StoreConflictError(this.name, conflicts);
  }

  async list(query: ListQuery = {}): Promise<Page<unknown>> {
    const ids = [...this.slots.keys()].filter((id) => !query.prefix || id.startsWith(query.prefix)).sort();
    const start = query.cursor ? ids.findIndex((id) => id > (query.cursor as string)) : 0;
    const limit = query.limit ?? 1000;
    const items: Page<unknown>['items'] = [];
    let index = start < 0 ? ids.length : start;
    for (; index < ids.length && items.length < limit; index++) {
      const id = ids[index] as string;
      const slot = this.live(id);
      if (slot) items.push({ id, value: this.out(slot.value), version: slot.version });
    }
    const last = items.at(-1);
    return index < ids.length && last ? { items, cursor: last.id } : { items };
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.slots.delete(id);
  }
}

/** The in-memory Store: the CLI's, and the reference the DynamoDB adapter is tested against. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const copy = options.copy ?? true;
  const clock = options.clock ?? systemClock;
  const store = {} as Record<string, DocumentCollection<unknown>>;
  for (const name of COLLECTION_NAMES) store[name] = new MemoryCollection(name, copy, clock);
  return store as unknown as Store;
}
