import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { hash32 } from '../../../shared/baselines/distinct.js';
import { newEntityRecord } from '../../../shared/baselines/entity.js';
import { analyzeBatch, type StoredEntity } from '../../../shared/engine/analyze.js';
import {
  BatchCallers,
  type CallerPack,
  GENERATION_MS,
  HORIZON_MS,
  listCallers,
  MAX_PACK_ENTRIES,
  PACK_BUCKETS,
  PROMOTE_AT_REQUESTS,
} from '../../../shared/engine/callers.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { listAll, StoreConflictError, typed } from '../../../shared/ports/store.js';
import { makeApiEvent } from '../../helpers/events.js';
import { interceptPuts } from '../../helpers/store-faults.js';

const START = Date.UTC(2026, 10, 2, 12, 0, 0);

/** `count` requests of one address, a second apart from `at`, with Kinesis sequence numbers from `firstSequence`. */
function requests(ip: string, count: number, at: number) {
  return Array.from({ length: count }, (_, i) => makeApiEvent({ clientIp: ip, time: at + i * 1000, path: '/v1/pets' }));
}

function setup() {
  const clock = fixedClock(START);
  const store = createMemoryStore({ clock });
  let sequence = 1_000_000;
  const deliver = async (events: ReturnType<typeof requests>, again = false) => {
    const first = again ? sequence - events.length : sequence;
    if (!again) sequence += events.length;
    const eventSequences = events.map((_, i) => String(first + i));
    await analyzeBatch({ events, rejections: [], shard: 'shard-0', eventSequences }, { store, clock });
  };
  const callers = async () => new Map((await listCallers(store)).map(({ id, value }) => [id, value]));
  return { store, deliver, callers };
}

describe('callers kept in packs', () => {
  it('keeps a brief caller in its generation’s pack, not in a document of its own, and lists it with its counts', async () => {
    // Prepare
    const { store, deliver, callers } = setup();
    // Act
    await deliver([...requests('192.0.2.1', 3, START), ...requests('192.0.2.2', 2, START)]);
    // Assess
    expect((await store.entities.list()).items).toEqual([]);
    const packs = await listAll(typed<CallerPack>(store.callers));
    expect(packs.length).toBeGreaterThan(0);
    const listed = await callers();
    expect(listed.get('ip:192.0.2.1')?.requests).toBe(3);
    expect(listed.get('ip:192.0.2.2')?.requests).toBe(2);
  });

  it('promotes a caller to its own document once it crosses the threshold, and lists it once', async () => {
    // Prepare
    const { store, deliver, callers } = setup();
    await deliver(requests('192.0.2.1', PROMOTE_AT_REQUESTS - 10, START));
    // Act
    await deliver(requests('192.0.2.1', 20, START + 5 * 60_000));
    // Assess
    const own = (await typed<StoredEntity>(store.entities).get(['ip:192.0.2.1'])).get('ip:192.0.2.1');
    expect(own?.value.requests).toBe(PROMOTE_AT_REQUESTS + 10);
    const listed = await listCallers(store);
    expect(listed.filter((c) => c.id === 'ip:192.0.2.1')).toHaveLength(1);
    expect((await callers()).get('ip:192.0.2.1')?.requests).toBe(PROMOTE_AT_REQUESTS + 10);
  });

  it('carries a caller forward across generations with exact counts, and a redelivered batch changes nothing', async () => {
    // Prepare
    const { deliver, callers } = setup();
    const first = requests('192.0.2.1', 4, START);
    const later = requests('192.0.2.1', 5, START + 3 * GENERATION_MS);
    // Act
    await deliver(first);
    await deliver(later);
    const before = (await callers()).get('ip:192.0.2.1');
    await deliver(later, true);
    // Assess
    const after = (await callers()).get('ip:192.0.2.1');
    expect(after?.requests).toBe(9);
    expect(after).toEqual(before);
  });

  it('forgets, for detection, a brief caller silent for longer than the horizon: it starts afresh', async () => {
    // Prepare
    const { deliver, callers } = setup();
    await deliver(requests('192.0.2.1', 4, START));
    // Act
    const back = START + 3000 + HORIZON_MS + 60_000;
    await deliver(requests('192.0.2.1', 2, back));
    // Assess
    const listed = (await callers()).get('ip:192.0.2.1');
    expect(listed?.requests).toBe(2);
    expect(listed?.firstSeen).toBe(back);
  });

  it('remembers a brief caller back within the horizon, whichever batch its return falls in', async () => {
    // Prepare
    const { deliver, callers } = setup();
    await deliver(requests('192.0.2.1', 4, START));
    // Act: its return opens a batch that reaches far past the horizon
    const back = START + HORIZON_MS - 60_000;
    await deliver([...requests('192.0.2.1', 2, back), ...requests('192.0.2.2', 1, back + HORIZON_MS)]);
    // Assess
    const listed = (await callers()).get('ip:192.0.2.1');
    expect(listed?.requests).toBe(6);
    expect(listed?.firstSeen).toBe(START);
  });

  it('gives callers past a full pack documents of their own, so that no pack grows with the request rate', async () => {
    // Prepare: more fresh addresses in one generation than its packs take
    const { store, deliver, callers } = setup();
    const count = MAX_PACK_ENTRIES * PACK_BUCKETS * 2;
    const events = Array.from({ length: count }, (_, i) =>
      makeApiEvent({ clientIp: `10.0.${i >> 8}.${i & 255}`, time: START + i, path: '/v1/pets' }),
    );
    // Act
    await deliver(events);
    // Assess
    const packs = await listAll(typed<CallerPack>(store.callers));
    expect(packs.every((p) => Object.keys(p.value.callers).length <= MAX_PACK_ENTRIES)).toBe(true);
    expect((await store.entities.list({ limit: count })).items.length).toBeGreaterThan(0);
    const listed = await callers();
    expect(listed.size).toBe(count);
    expect([...listed.values()].every((c) => c.requests === 1)).toBe(true);
  });

  it('writes a few changed callers of a large pack to documents of their own instead of rewriting the pack', async () => {
    // Prepare: forty brief callers packed by one batch
    const { store, deliver, callers } = setup();
    const ips = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    await deliver(ips.flatMap((ip, i) => requests(ip, 2, START + i)));
    const before = await listAll(typed<CallerPack>(store.callers));
    // Act: a second batch in the same generation touches one of them
    await deliver(requests('198.51.100.7', 1, START + 10_000));
    // Assess: the packs are as they were, the caller has its own document, and its counts carry on
    const after = await listAll(typed<CallerPack>(store.callers));
    expect(after).toEqual(before);
    expect((await store.entities.list()).items.map((d) => d.id)).toEqual(['ip:198.51.100.7']);
    const listed = await callers();
    expect(listed.get('ip:198.51.100.7')?.requests).toBe(3);
    expect(listed.get('ip:198.51.100.8')?.requests).toBe(2);
    expect(listed.size).toBe(40);
  });

  it('forgets a brief caller with a document of its own after the horizon, as it would a packed one', async () => {
    // Prepare: a small rewrite gives one of forty packed callers a document of its own
    const { store, deliver, callers } = setup();
    const ips = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`);
    await deliver(ips.flatMap((ip, i) => requests(ip, 2, START + i)));
    await deliver(requests('198.51.100.7', 1, START + 10_000));
    expect((await store.entities.list()).items.map((d) => d.id)).toEqual(['ip:198.51.100.7']);
    // Act: both it and a packed neighbour come back after the horizon
    const back = START + 10_000 + HORIZON_MS + 60_000;
    await deliver([...requests('198.51.100.7', 2, back), ...requests('198.51.100.8', 2, back)]);
    // Assess: where each lived does not change what is remembered
    const listed = await callers();
    for (const id of ['ip:198.51.100.7', 'ip:198.51.100.8']) {
      expect(listed.get(id)?.requests).toBe(2);
      expect(listed.get(id)?.firstSeen).toBe(back);
    }
  });

  it('files a copy under its caller’s last request, so a retried attempt that ends earlier is not shadowed by the failed one', async () => {
    // Prepare: the run ledger's write fails once, after the callers were written
    const clock = fixedClock(START);
    const inner = createMemoryStore({ clock });
    let failLedger = true;
    const store = {
      ...inner,
      meta: interceptPuts(inner.meta, async (items, write) => {
        if (failLedger && items.some((item) => item.id.startsWith('run'))) {
          failLedger = false;
          throw new Error('injected: the ledger write failed');
        }
        return write(items);
      }),
    };
    const at = (minutes: number) => START + minutes * 60_000;
    const x = (minutes: number) => makeApiEvent({ clientIp: '192.0.2.1', time: at(minutes), path: '/v1/pets' });
    const y = (minutes: number) => makeApiEvent({ clientIp: '192.0.2.2', time: at(minutes), path: '/v1/pets' });
    // One stream: x at 0, y at 8 min, then x's late record of 1 min (edges deliver late), then x at 9 min.
    const stream = [x(0), y(8), x(1), x(9)];
    const deliver = (from: number, to: number) =>
      analyzeBatch(
        {
          events: stream.slice(from, to),
          rejections: [],
          shard: 'shard-0',
          eventSequences: stream.slice(from, to).map((_, i) => String(1_000_000 + from + i)),
        },
        { store, clock },
      );
    // Act: the first attempt covers 0..8 min and fails; it is retried smaller, one record at a time, then the rest.
    await expect(deliver(0, 2)).rejects.toThrow('injected');
    await deliver(0, 1);
    await deliver(1, 2);
    await deliver(2, 3);
    await deliver(3, 4);
    // Assess: every request of x counted once, none lost behind the failed attempt's copy
    const listed = new Map((await listCallers(store)).map(({ id, value }) => [id, value]));
    expect(listed.get('ip:192.0.2.1')?.requests).toBe(3);
    expect(listed.get('ip:192.0.2.2')?.requests).toBe(1);
  });

  it('lets detection read a packed caller outside the batch, and writes what it changed once, promoted by a finding', async () => {
    // Prepare: a caller packed by an earlier batch, not in this one (a login campaign's participant)
    const { store, deliver } = setup();
    await deliver(requests('192.0.2.9', 3, START));
    const callers = await BatchCallers.load(store, new Map([['ip:192.0.2.1', START + 60_000]]), () =>
      newEntityRecord({ type: 'ip', id: '192.0.2.1' }, START + 60_000),
    );
    const view = typed<StoredEntity>(callers.detectionStore().entities);
    // Act
    const found = (await view.get(['ip:192.0.2.9'])).get('ip:192.0.2.9');
    const participant = found?.value as StoredEntity;
    participant.risk = 40;
    await view.put([{ id: 'ip:192.0.2.9', value: participant, expectedVersion: found?.version ?? -1 }]);
    const ownBeforeSave = (await store.entities.list()).items.length;
    await callers.save(fixedClock(START));
    // Assess
    expect(found?.value.requests).toBe(3);
    expect(ownBeforeSave).toBe(0);
    const own = (await typed<StoredEntity>(store.entities).get(['ip:192.0.2.9'])).get('ip:192.0.2.9');
    expect(own?.value.risk).toBe(40);
    expect(own?.value.requests).toBe(3);
    expect((await listCallers(store)).filter((c) => c.id === 'ip:192.0.2.9')).toHaveLength(1);
  });

  it('redoes a batch whose pack lost a version race to another shard, and counts each request once', async () => {
    // Prepare: another shard writes the same generation's pack between this batch's read and its write
    const { store, deliver, callers } = setup();
    await deliver(requests('192.0.2.1', 2, START));
    const sameBucket = (ip: string) => hash32(`ip:${ip}`) % PACK_BUCKETS === hash32('ip:192.0.2.1') % PACK_BUCKETS;
    const neighbour = Array.from({ length: 254 }, (_, i) => `192.0.2.${i + 2}`).find(sameBucket) as string;
    const packs = store.callers;
    let raced = false;
    let conflicts = 0;
    store.callers = interceptPuts(packs, async (items, write) => {
      if (!raced) {
        raced = true;
        const other = makeApiEvent({ clientIp: neighbour, time: START + 10_000, path: '/v1/pets' });
        await analyzeBatch(
          { events: [other], rejections: [], shard: 'shard-1', eventSequences: ['5'] },
          { store: { ...store, callers: packs }, clock: fixedClock(START) },
        );
      }
      return write(items).catch((error: unknown) => {
        if (error instanceof StoreConflictError) conflicts++;
        throw error;
      });
    });
    // Act
    await deliver(requests('192.0.2.1', 3, START + 20_000));
    // Assess
    const listed = await callers();
    expect(conflicts).toBe(1);
    expect(listed.get('ip:192.0.2.1')?.requests).toBe(5);
    expect(listed.get(`ip:${neighbour}`)?.requests).toBe(1);
  });
});
