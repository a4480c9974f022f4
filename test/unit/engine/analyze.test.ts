import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { analyzeBatch, loadRunStats, type StoredEndpoint } from '../../../shared/engine/analyze.js';
import { buildReport } from '../../../shared/engine/report.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { type Store, StoreConflictError, typed } from '../../../shared/ports/store.js';
import { simulate } from '../../../shared/simulate/simulate.js';
import { makeApiEvent } from '../../helpers/events.js';
import { interceptPuts } from '../../helpers/store-faults.js';

/** A store whose run ledger loses a version race on the first write of every batch, as a concurrent shard would make it. */
function racingStore(inner: Store): Store & { conflicts: number } {
  let armed = true;
  const racing = interceptPuts(inner.meta, async (items, write) => {
    if (armed && items.some((i) => i.id.startsWith('run'))) {
      armed = false;
      result.conflicts++;
      throw new StoreConflictError('meta', ['run']);
    }
    armed = true;
    return write(items);
  });
  const result = { ...inner, meta: racing, conflicts: 0 };
  return result;
}

/** A store whose template trees lose a version race on the first write of every batch (after the run ledger's). */
function racingTrees(inner: Store): Store & { conflicts: number } {
  let armed = true;
  const racing = interceptPuts(inner.discovery, async (items, write) => {
    if (armed) {
      armed = false;
      result.conflicts++;
      throw new StoreConflictError(
        'discovery',
        items.map((i) => i.id),
      );
    }
    armed = true;
    return write(items);
  });
  const result = { ...inner, discovery: racing, conflicts: 0 };
  return result;
}

describe('the engine', () => {
  it('reports every finding a batch opened, even when the batch lost a version race and was redone', async () => {
    // Prepare
    const { events } = simulate({ scenario: 'scanning', seed: 3, minutes: 30, attackStartMinute: 10, volume: 0.3 });
    const clock = fixedClock(events[0]?.time ?? 0);
    const store = racingStore(createMemoryStore({ clock }));
    const reported = new Set<string>();

    // Act
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      clock.set(batch.at(-1)?.time ?? 0);
      const eventSequences = batch.map((_, k) => String(1_000_000 + i + k));
      const effects = await analyzeBatch(
        { events: batch, rejections: [], shard: 's-0', eventSequences },
        { store, clock },
      );
      for (const finding of effects.findings) reported.add(finding.id);
    }

    // Assess
    const stored = (await typed<Finding>(store.findings).list({ limit: 10_000 })).items.map((i) => i.id);
    expect(store.conflicts).toBeGreaterThan(10);
    expect(stored.length).toBeGreaterThan(0);
    expect([...reported].sort()).toEqual(stored.sort());
    expect((await buildReport(store)).summary.records).toBe(events.length);
  });

  it('keeps one run ledger per shard, so shards never collide on it, and the report sums them', async () => {
    const store = createMemoryStore();
    const clock = fixedClock(Date.UTC(2026, 10, 1));
    const batch = (shard: string, n: number) => ({
      events: Array.from({ length: n }, () => makeApiEvent()),
      rejections: [{ reason: 'bad-field-count' as const, where: `${shard}/9` }],
      shard,
      eventSequences: Array.from({ length: n }, (_, k) => String(100 + k)),
      rejectionSequences: ['200'],
    });
    await analyzeBatch(batch('shardId-000', 3), { store, clock });
    await analyzeBatch(batch('shardId-001', 4), { store, clock });

    expect([...(await store.meta.get(['run:shardId-000', 'run:shardId-001', 'run'])).keys()].sort()).toEqual([
      'run:shardId-000',
      'run:shardId-001',
    ]);
    expect((await buildReport(store)).summary).toMatchObject({ records: 9, analysed: 7, rejected: 2 });
  });

  it('teaches each template tree a batch once and counts the batch once when a tree loses a race after the ledger', async () => {
    // Prepare: ids on two hosts, enough of them for discovery to merge them into a parameter.
    const clock = fixedClock(Date.UTC(2026, 10, 1));
    const batches = [0, 1, 2].map((b) => {
      const events = Array.from({ length: 40 }, (_, k) =>
        makeApiEvent({ host: k % 2 ? 'api.example.com' : 'shop.example.com', path: `/v1/orders/${b * 40 + k + 1000}` }),
      );
      const eventSequences = events.map((_, k) => String(b * 40 + k + 1));
      return { events, rejections: [], controlMessages: 1, shard: 'shardId-000', eventSequences };
    });
    const clean = createMemoryStore({ clock });
    const racing = racingTrees(createMemoryStore({ clock }));

    // Act
    for (const batch of batches) await analyzeBatch(batch, { store: clean, clock });
    const effects = [];
    for (const batch of batches) effects.push(await analyzeBatch(batch, { store: racing, clock }));

    // Assess
    expect(racing.conflicts).toBe(3);
    expect(effects.map((e) => [e.conflictsRetried, e.stats.analysed, e.stats.controlMessages])).toEqual([
      [1, 40, 1],
      [1, 40, 1],
      [1, 40, 1],
    ]);
    const trees = async (store: Store) => (await store.discovery.list({ limit: 100 })).items;
    expect((await trees(clean)).length).toBe(2);
    expect(await trees(racing)).toEqual(await trees(clean));
    expect((await buildReport(racing)).summary).toMatchObject({ records: 120, analysed: 120 });
    expect((await loadRunStats(racing)).controlMessages).toBe(3);
  });

  it('counts every request of a CloudWatch Logs envelope (they share one sequence number), once', async () => {
    const store = createMemoryStore();
    const clock = fixedClock(Date.UTC(2026, 10, 1));
    const events = [1, 2, 3].map(() => makeApiEvent({ path: '/v1/health', status: 200 }));
    const batch = { events, rejections: [], shard: 'shardId-000', eventSequences: ['500', '500', '500'] };

    await analyzeBatch(batch, { store, clock });
    await analyzeBatch(batch, { store, clock }); // redelivered

    const endpoint = (await typed<StoredEndpoint>(store.endpoints).list()).items.find(
      (i) => i.value.path === '/v1/health',
    );
    expect(endpoint?.value.requests).toBe(3);
    expect((await buildReport(store)).summary.records).toBe(3);
  });

  it('counts a CloudWatch Logs control message once when its batch is redelivered, by its sequence number', async () => {
    const store = createMemoryStore();
    const clock = fixedClock(Date.UTC(2026, 10, 1));
    const first = {
      events: [makeApiEvent({ path: '/v1/health', status: 200 })],
      rejections: [],
      shard: 'shardId-000',
      eventSequences: ['501'],
      controlMessages: 1,
      controlSequences: ['500'],
    };
    // A batch of nothing but a control message moves the ledger too: its redelivery counts nothing.
    const onlyControl = {
      events: [],
      rejections: [],
      shard: 'shardId-000',
      controlMessages: 1,
      controlSequences: ['502'],
    };

    const counted = [];
    for (const batch of [first, first, onlyControl, onlyControl])
      counted.push((await analyzeBatch(batch, { store, clock })).stats.controlMessages);

    expect(counted).toEqual([1, 0, 1, 0]);
    expect((await buildReport(store)).summary).toMatchObject({ records: 1, controlMessages: 2 });
  });
});
