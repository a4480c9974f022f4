/**
 * A flood of fresh callers (docs/threat-model.md, T15): an attacker rotating addresses sends one request from each,
 * hoping that the documents gathering brief callers grow past the store's document cap and stop ingestion. Packs
 * take at most MAX_PACK_ENTRIES callers; the rest get documents of their own, so no batch fails and nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { compress } from '../../../shared/adapters/dynamodb/codec.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { analyzeBatch, loadRunStats } from '../../../shared/engine/analyze.js';
import {
  type CallerPack,
  GENERATION_MS,
  listCallers,
  MAX_PACK_ENTRIES,
  PACK_BUCKETS,
} from '../../../shared/engine/callers.js';
import type { ApiEvent, Rejection } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { type DocumentPut, listAll, type Store, typed } from '../../../shared/ports/store.js';

/** The start of a pack generation: the whole flood falls into one generation, the worst case for its packs. */
const START = Date.UTC(2026, 10, 2, 12, 0, 0);
/**
 * Fresh addresses in two minutes: ten times what a generation's packs take (PACK_BUCKETS × MAX_PACK_ENTRIES = 1,024).
 * The threat model's flood (70,000, past the ~64,000 that grew each uncapped pack over the 4 MB document cap) passes
 * the same way, at ~5.4 CPU seconds instead of ~0.9: what bounds the packs is that full packs are never rewritten,
 * whatever follows, which the packs after the first batch, unchanged at the end, show.
 */
const CALLERS = 10 * PACK_BUCKETS * MAX_PACK_ENTRIES;
const REJECTED = 35;
/** Each batch is twice what the packs take, so that the first fills them and the others find them full. */
const BATCH = 2 * PACK_BUCKETS * MAX_PACK_ENTRIES;
/** What the DynamoDB store refuses (`DocumentTooLargeError`): a document over 4 MB once compressed. */
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** One request from each of `count` fresh public addresses, evenly over one generation. */
function flood(count: number): ApiEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    time: START + Math.floor((i * GENERATION_MS) / count),
    source: 'cloudfront-realtime' as const,
    requestId: `flood-${i}`,
    host: 'api.example.com',
    method: 'GET',
    path: '/v2/products',
    status: 200,
    bytesOut: 900,
    clientIp: `11.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
    userAgent: 'curl/8.4.0',
    authenticated: false,
  }));
}

/** The memory store, refusing packs the way DynamoDB refuses an oversized document, and keeping the largest seen. */
function cappedStore(clock: ReturnType<typeof fixedClock>): { store: Store; largestPackBytes: () => number } {
  const store = createMemoryStore({ clock, copy: false });
  const callers = store.callers;
  let largest = 0;
  const put = async (items: readonly DocumentPut<unknown>[]) => {
    for (const item of items) {
      const bytes = compress(JSON.stringify(item.value)).length;
      largest = Math.max(largest, bytes);
      if (bytes > MAX_DOCUMENT_BYTES) throw new Error(`callers/${item.id} is ${bytes} bytes compressed`);
    }
    await callers.put(items);
  };
  return {
    store: {
      ...store,
      callers: {
        ...callers,
        get: callers.get.bind(callers),
        list: callers.list.bind(callers),
        delete: callers.delete.bind(callers),
        put,
      },
    },
    largestPackBytes: () => largest,
  };
}

describe('a flood of fresh callers', () => {
  it("ten times what a generation's packs take, in two minutes: no batch fails, full packs stay as they are, every record is counted", async () => {
    // Prepare
    const clock = fixedClock(START + GENERATION_MS);
    const { store, largestPackBytes } = cappedStore(clock);
    const events = flood(CALLERS);
    const rejections: Rejection[] = Array.from({ length: REJECTED }, (_, i) => ({
      reason: 'bad-field-count',
      where: `shard-0/${i}`,
    }));
    // Act: the batches as a Kinesis consumer would deliver them, the rejected lines in the first.
    let sequence = 0;
    let afterFirstBatch: unknown;
    for (let from = 0; from < events.length; from += BATCH) {
      const slice = events.slice(from, from + BATCH);
      const batchRejections = from === 0 ? rejections : [];
      await analyzeBatch(
        {
          events: slice,
          rejections: batchRejections,
          shard: 'shard-0',
          eventSequences: slice.map(() => String(++sequence).padStart(12, '0')),
          rejectionSequences: batchRejections.map(() => String(++sequence).padStart(12, '0')),
        },
        { store, clock },
      );
      afterFirstBatch ??= structuredClone(await listAll(typed<CallerPack>(store.callers)));
    }
    // Assess: packs are bounded, and every caller past them has a document of its own.
    const packs = await listAll(typed<CallerPack>(store.callers));
    const packed = packs.reduce((n, p) => n + Object.keys(p.value.callers).length, 0);
    expect(packs.length).toBe(PACK_BUCKETS);
    expect(packs.map((p) => Object.keys(p.value.callers).length)).toEqual(Array(PACK_BUCKETS).fill(MAX_PACK_ENTRIES));
    expect(packs).toEqual(afterFirstBatch);
    expect(largestPackBytes()).toBeLessThan(MAX_DOCUMENT_BYTES / 20);
    const own = await listAll(store.entities);
    expect(own.length).toBe(CALLERS - packed);
    const callers = await listCallers(store);
    expect(callers.length).toBe(CALLERS);
    expect(callers.every((c) => c.value.requests === 1)).toBe(true);
    // Records in = analysed + rejected.
    const stats = await loadRunStats(store);
    expect(stats).toMatchObject({ records: CALLERS + REJECTED, analysed: CALLERS, rejected: REJECTED });
  });
});
