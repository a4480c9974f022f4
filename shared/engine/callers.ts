import { hash32 } from '../baselines/distinct.js';
import { MINUTE_MS } from '../baselines/windows.js';
import type { Clock } from '../ports/clock.js';
import {
  type DocumentCollection,
  type DocumentPut,
  listAll,
  type Store,
  typed,
  type Versioned,
} from '../ports/store.js';
import type { StoredEntity } from './analyze.js';

/**
 * Where a caller's document lives. Most callers of an API are brief (a session's dozen requests over a few minutes,
 * then never again): a document of their own costs one write unit for every batch that touches them, however small
 * it is. So a caller starts out *packed*: its document, unchanged, is an entry of a pack, a document of the `callers`
 * collection holding the callers whose last request fell in one 2-minute generation (spread over PACK_BUCKETS
 * packs), and a batch writes the packs its callers' last requests fall in, i.e. roughly the bytes of the callers it
 * touched, not one item each.
 * A caller is *promoted* to its own document in `entities` once it matters on its own: PROMOTE_AT_REQUESTS requests,
 * a finding, or risk above 0 — from then on it is written and read there, like before packs existed. A caller that
 * finds its pack full (MAX_PACK_ENTRIES) gets its own document too: a flood of fresh addresses costs what it did
 * before packs, and no pack grows with the request rate towards the store's document cap.
 *
 * Reading a packed caller looks through the packs of the last HORIZON_MS (half an hour) and takes the
 * newest copy; a caller touched again is copied forward into the current generation's pack (the older copy stays,
 * shadowed, until its pack expires). A brief caller (not promoted) silent for longer than the horizon is forgotten by
 * detection (it starts afresh if it comes back), whether it is packed or has a document of its own; a packed one
 * stays listed until its pack expires (PACK_RETENTION_MS).
 *
 * Exactly-once holds as for any document: each entry keeps its own watermarks (`applied`), and a pack is written
 * with the version it was read at. The order of writes is own documents, then packs: a promoted caller whose
 * pack entry was not yet rewritten is read from its own document, which always wins over a pack copy.
 */

/** Requests after which a caller gets its own document (below it, callers that matter have findings or risk). */
export const PROMOTE_AT_REQUESTS = 100;
/**
 * A generation of packs covers this much event time. Short, so that consecutive batches rarely share one (a batch
 * rewrites the packs it writes whole, callers of the earlier batch included); the price is more packs to read.
 */
export const GENERATION_MS = 2 * MINUTE_MS;
/**
 * How far back a packed caller is looked for (event time): past the 10-minute windows and the sliding window's
 * previous one, the 20-minute warm-up and a login campaign's 30-minute latch. Every batch reads every pack of the
 * horizon, so it is the read cost of packing.
 */
export const HORIZON_MS = 30 * MINUTE_MS;
/** Packs per generation: the writes of a generation spread over this many items and partitions. */
export const PACK_BUCKETS = 4;
/**
 * Entries a pack takes (~55 KB compressed on the simulator's population). Every batch reads every pack of the horizon, so this bounds a batch's
 * reads (~68 packs) however high the rate; callers past it get documents of their own.
 */
export const MAX_PACK_ENTRIES = 256;
/**
 * A pack is rewritten only when at least this share of its entries changed in the batch; otherwise its changed
 * callers get documents of their own. In DynamoDB an entry costs about a fifth of a write unit inside a pack (it
 * compresses with its neighbours: ~220 B, measured on the simulator's population) and a whole unit alone (~430 B,
 * rounded up to 1 KB), so below a quarter changed, rewriting the whole pack costs more than what changed. This is
 * what keeps packing from costing more than a document per caller when batches are small (a low rate in real
 * time: a batch every few seconds rewriting the same growing pack) or many (several shards touching one pack).
 */
export const MIN_CHANGED_SHARE_TO_REWRITE = 0.25;
/** A pack is kept this long after its last write (wall clock), for listing; detection reads only the horizon. */
export const PACK_RETENTION_MS = 3 * 24 * 60 * 60_000;
const PACK_PREFIX = 'pack:';

export interface CallerPack {
  /**
   * Entity key -> the caller's document as JSON text, exactly as it would be stored on its own. Text, so that a batch
   * parses only the entries of the callers it touches, not every caller of the horizon it reads.
   */
  callers: Record<string, string>;
}

/** A caller as the engine holds it during a batch (the same shape as any loaded document). */
export interface CallerEntry {
  doc: StoredEntity;
  /** Version of its own document; 0 when it has none (packed or new). */
  version: number;
  dirty: boolean;
  /** The watermarks as read, before this batch. */
  before?: Record<string, string>;
  /** Generation of the pack copy it was read from. */
  generation?: number;
}

export const generationOf = (time: number) => Math.floor(time / GENERATION_MS);
export const packId = (generation: number, bucket: number) => `${PACK_PREFIX}${generation}:${bucket}`;
const bucketOf = (key: string) => hash32(key) % PACK_BUCKETS;

export function shouldPromote(doc: StoredEntity): boolean {
  return doc.requests >= PROMOTE_AT_REQUESTS || doc.risk > 0 || Object.keys(doc.baseline?.open ?? {}).length > 0;
}

function entryOf(doc: StoredEntity, version: number, generation?: number): CallerEntry {
  return {
    doc,
    version,
    dirty: false,
    ...(doc.applied ? { before: { ...doc.applied } } : {}),
    ...(generation !== undefined ? { generation } : {}),
  };
}

/**
 * The callers of one batch: loads them (own document first, else the newest pack copy, else new), lends detection a
 * view of `entities` that sees packed callers, and writes each touched caller back once, to its own document or
 * its generation's pack.
 */
export class BatchCallers {
  readonly entries = new Map<string, CallerEntry>();

  private constructor(
    private readonly store: Store,
    /** The batch's generation (of its latest request): packs are read up to two generations past it. */
    private readonly generation: number,
    /** The batch's latest request time. */
    private readonly latest: number,
    /** The oldest generation read. */
    private readonly oldest: number,
    private readonly packs: Map<string, Versioned<CallerPack>>,
  ) {}

  /**
   * `firstSeen`: each caller of the batch -> the time of its first request in the batch. A brief caller is forgotten
   * when that request comes more than HORIZON_MS after its last one: a rule on the caller's own times, so that where
   * batches happen to begin and end does not change who is remembered (except for a gap inside one batch).
   */
  static async load(
    store: Store,
    firstSeen: ReadonlyMap<string, number>,
    create: (id: string) => StoredEntity,
  ): Promise<BatchCallers> {
    let earliest = Number.POSITIVE_INFINITY;
    let latest = Number.NEGATIVE_INFINITY;
    for (const time of firstSeen.values()) earliest = Math.min(earliest, time);
    for (const time of firstSeen.values()) latest = Math.max(latest, time);
    // A batch without callers (only rejections, only proxies) reads nothing.
    if (firstSeen.size === 0) return new BatchCallers(store, 0, 0, 0, new Map());
    const generation = generationOf(latest);
    const oldest = generationOf(earliest - HORIZON_MS);
    const packIds: string[] = [];
    // Two generations ahead too: a shard whose batches run behind another's must still see the newer copies.
    for (let g = oldest; g <= generation + 2; g++) {
      for (let b = 0; b < PACK_BUCKETS; b++) packIds.push(packId(g, b));
    }
    const ids = [...firstSeen.keys()];
    const [own, packs] = await Promise.all([
      typed<StoredEntity>(store.entities).get(ids),
      typed<CallerPack>(store.callers).get(packIds),
    ]);
    const callers = new BatchCallers(store, generation, latest, oldest, packs);
    for (const [id, time] of firstSeen) {
      const hit = own.get(id);
      if (!hit) {
        callers.entries.set(id, callers.packed(id, time) ?? entryOf(create(id), 0));
      } else if (shouldPromote(hit.value) || time - hit.value.lastSeen <= HORIZON_MS) {
        callers.entries.set(id, entryOf(hit.value, hit.version));
      } else {
        // A brief caller back after the horizon starts afresh wherever it lives: a full pack or a small rewrite gives
        // some brief callers documents of their own, and which ones depends on how batches fell; forgetting only
        // packed ones would make a caller's counters depend on that too.
        callers.entries.set(id, entryOf(create(id), hit.version));
      }
    }
    return callers;
  }

  /** The newest pack copy of a caller, unless its last request came more than the horizon before `time`. */
  private packed(id: string, time: number): CallerEntry | undefined {
    const bucket = bucketOf(id);
    for (let g = this.generation + 2; g >= this.oldest; g--) {
      const text = this.packs.get(packId(g, bucket))?.value.callers[id];
      if (text === undefined) continue;
      const doc = JSON.parse(text) as StoredEntity;
      return time - doc.lastSeen > HORIZON_MS ? undefined : entryOf(doc, 0, g);
    }
    return undefined;
  }

  /**
   * `store` with an `entities` collection that also finds packed callers and keeps detection's writes of callers for
   * `save` (so that each caller is written once, where it lives).
   */
  detectionStore(): Store {
    const entities = typed<StoredEntity>(this.store.entities);
    const view: DocumentCollection<StoredEntity> = {
      get: async (ids) => {
        const unknown = ids.filter((id) => !this.entries.has(id));
        const own = unknown.length > 0 ? await entities.get(unknown) : new Map<string, Versioned<StoredEntity>>();
        const out = new Map<string, Versioned<StoredEntity>>();
        for (const id of ids) {
          let entry = this.entries.get(id);
          if (!entry) {
            const hit = own.get(id);
            entry = hit ? entryOf(hit.value, hit.version) : this.packed(id, this.latest);
            if (entry) this.entries.set(id, entry);
          }
          if (entry) out.set(id, { value: entry.doc, version: entry.version });
        }
        return out;
      },
      put: async (items: readonly DocumentPut<StoredEntity>[]) => {
        for (const item of items) {
          const entry = this.entries.get(item.id);
          if (entry) {
            entry.doc = item.value;
            entry.dirty = true;
          } else {
            this.entries.set(item.id, { ...entryOf(item.value, item.expectedVersion), dirty: true });
          }
        }
      },
      list: (query) => entities.list(query),
      delete: (ids) => entities.delete(ids),
    };
    return { ...this.store, entities: view as DocumentCollection<unknown> };
  }

  /** Writes every changed caller: own documents first (promotions included), then the packs. */
  async save(clock: Clock): Promise<void> {
    const own: Array<DocumentPut<StoredEntity>> = [];
    const intoPacks = new Map<string, Map<string, string>>();
    const promoted = new Set<string>();
    for (const [id, entry] of this.entries) {
      if (!entry.dirty) continue;
      if (entry.version > 0 || shouldPromote(entry.doc)) {
        own.push({ id, value: entry.doc, expectedVersion: entry.version });
        if (entry.generation !== undefined) promoted.add(id);
        continue;
      }
      // A copy lives in the generation of its caller's last request, not of the batch that wrote it: so the newest
      // generation always holds the copy that has seen the most. A batch retried smaller, or re-read from an older
      // checkpoint, ends earlier than the failed attempt it repeats; had that attempt filed its copies under its own
      // later end, they would shadow everything the following batches write, or be out of sight of the retry's
      // reads. Never behind the copy it was read from (copies filed under their batch's end by older engines).
      const pack = packId(
        Math.max(generationOf(entry.doc.lastSeen), entry.generation ?? Number.NEGATIVE_INFINITY),
        bucketOf(id),
      );
      let members = intoPacks.get(pack);
      if (!members) {
        members = new Map();
        intoPacks.set(pack, members);
      }
      members.set(id, JSON.stringify(entry.doc));
    }
    const expiresAt = clock.now() + PACK_RETENTION_MS;
    const puts: Array<DocumentPut<CallerPack>> = [];
    for (const [id, members] of intoPacks) {
      const stored = this.packs.get(id);
      const callers: Record<string, string> = {};
      for (const [key, text] of Object.entries(stored?.value.callers ?? {}))
        if (!promoted.has(key)) callers[key] = text;
      let size = Object.keys(callers).length;
      for (const [key, text] of members) {
        if (callers[key] === undefined && size >= MAX_PACK_ENTRIES) {
          // A full pack: the caller gets a document of its own (what every caller cost before packs), never a
          // pack that grows with the request rate until the store refuses it.
          const entry = this.entries.get(key) as CallerEntry;
          own.push({ id: key, value: entry.doc, expectedVersion: 0 });
          continue;
        }
        if (callers[key] === undefined) size++;
        callers[key] = text;
      }
      const changed = [...members.keys()].filter((key) => callers[key] !== undefined);
      if (stored && changed.length < size * MIN_CHANGED_SHARE_TO_REWRITE) {
        for (const key of changed) {
          const entry = this.entries.get(key) as CallerEntry;
          own.push({ id: key, value: entry.doc, expectedVersion: 0 });
        }
        continue;
      }
      puts.push({ id, value: { callers }, expectedVersion: stored?.version ?? 0, expiresAt });
    }
    if (own.length > 0) await typed<StoredEntity>(this.store.entities).put(own);
    if (puts.length > 0) await typed<CallerPack>(this.store.callers).put(puts);
  }
}

/**
 * Every caller Lantern knows: own documents, and the newest copy of each packed caller that has none (packs
 * expire; within a pack's lifetime a caller may have copies in several generations).
 */
export async function listCallers(store: Store): Promise<Array<{ id: string; value: StoredEntity }>> {
  const own = await listAll(typed<StoredEntity>(store.entities));
  const packed = await listPackedCallers(store, new Set(own.map((d) => d.id)));
  return [...own, ...packed.map(({ id, value }) => ({ id, value }))];
}

/** The newest pack copy of every packed caller not in `known` (the callers that have a document of their own). */
export async function listPackedCallers(
  store: Store,
  known: ReadonlySet<string>,
): Promise<Array<{ id: string; value: StoredEntity; pack: string }>> {
  const newest = new Map<string, { generation: number; text: string; pack: string }>();
  // A page of packs at a time: a long `lantern analyze` holds thousands of packs, kept compacted by its store, and
  // reading them all at once would make the report the run's peak of memory.
  const packs = typed<CallerPack>(store.callers);
  let cursor: string | undefined;
  do {
    const page = await packs.list({ prefix: PACK_PREFIX, limit: 16, ...(cursor ? { cursor } : {}) });
    for (const { id, value } of page.items) {
      const generation = Number(id.slice(PACK_PREFIX.length, id.indexOf(':', PACK_PREFIX.length)));
      for (const [key, text] of Object.entries(value.callers)) {
        if (known.has(key)) continue;
        const seen = newest.get(key);
        if (!seen || generation > seen.generation) newest.set(key, { generation, text, pack: id });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return [...newest].map(([id, { text, pack }]) => ({ id, value: JSON.parse(text) as StoredEntity, pack }));
}

/** One caller's document: its own, else its copy in `pack` (where a listing found it). */
export async function readCaller(store: Store, id: string, pack?: string): Promise<StoredEntity | undefined> {
  const own = (await typed<StoredEntity>(store.entities).get([id])).get(id);
  if (own) return own.value;
  if (!pack?.startsWith(PACK_PREFIX)) return undefined;
  const text = (await typed<CallerPack>(store.callers).get([pack])).get(pack)?.value.callers[id];
  return text === undefined ? undefined : (JSON.parse(text) as StoredEntity);
}
