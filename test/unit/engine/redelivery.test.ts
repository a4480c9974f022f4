import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { type AnalysisBatch, analyzeBatch } from '../../../shared/engine/analyze.js';
import { listCallers } from '../../../shared/engine/callers.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { COLLECTION_NAMES, type CollectionName, type Store } from '../../../shared/ports/store.js';
import { type SimulateOptions, simulate } from '../../../shared/simulate/simulate.js';
import { makeApiEvent } from '../../helpers/events.js';

const SHARD = 'shardId-000000000000';
const BATCH = 250;

/** The simulated traffic as the batches of one shard, each record with its own sequence number. */
function shardBatches(options: SimulateOptions): AnalysisBatch[] {
  const { events } = simulate(options);
  const batches: AnalysisBatch[] = [];
  for (let i = 0; i < events.length; i += BATCH) {
    const slice = events.slice(i, i + BATCH);
    batches.push({
      events: slice,
      rejections: [],
      shard: SHARD,
      eventSequences: slice.map((_, j) => String(i + j + 1).padStart(21, '0')),
    });
  }
  return batches;
}

/**
 * Every document of every collection, by collection and id; callers as `listCallers` reads them, since which of them
 * sit in packs and which have documents of their own depends on how many changed per batch, not on their content.
 */
async function contents(store: Store): Promise<Record<string, Record<string, unknown>>> {
  const all: Record<string, Record<string, unknown>> = {};
  all.callers = Object.fromEntries((await listCallers(store)).map(({ id, value }) => [id, value]));
  for (const name of COLLECTION_NAMES) {
    if (name === 'callers' || name === 'entities') continue;
    const docs: Record<string, unknown> = {};
    let cursor: string | undefined;
    do {
      const page = await store[name].list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const { id, value } of page.items) docs[id] = value;
      cursor = page.cursor;
    } while (cursor);
    all[name] = docs;
  }
  return all;
}

/**
 * Runs the batches; when `failing` is given, every second batch's first write (`put`, or `delete` when `deletes`) to
 * that collection fails (nothing written) and the batch is delivered again, as the event source mapping does after
 * the function throws.
 */
async function run(batches: readonly AnalysisBatch[], failing?: CollectionName, deletes = false) {
  const clock = fixedClock(Date.UTC(2026, 10, 24));
  const inner = createMemoryStore({ clock });
  let failNext = false;
  let failures = 0;
  const store: Store = { ...inner };
  if (failing) {
    const collection = inner[failing];
    const fail = (now: boolean) => {
      if (!now || !failNext) return;
      failNext = false;
      failures++;
      throw new Error('ProvisionedThroughputExceededException (injected)');
    };
    store[failing] = {
      get: (ids) => collection.get(ids),
      list: (query) => collection.list(query),
      delete: async (ids) => {
        fail(deletes);
        return collection.delete(ids);
      },
      put: async (items) => {
        fail(!deletes);
        return collection.put(items);
      },
    };
  }
  for (const [n, batch] of batches.entries()) {
    failNext = failing !== undefined && n % 2 === 1;
    try {
      await analyzeBatch(batch, { store, clock });
    } catch {
      failNext = false;
      await analyzeBatch(batch, { store, clock });
    }
  }
  return { state: await contents(inner), failures };
}

/** Every document of the faulty run equals the fault-free run's, collection by collection. */
function expectSameState(faulty: Awaited<ReturnType<typeof run>>, clean: Awaited<ReturnType<typeof run>>): void {
  for (const [collection, docs] of Object.entries(clean.state)) {
    const got = faulty.state[collection] ?? {};
    expect(Object.keys(got).sort(), collection).toEqual(Object.keys(docs).sort());
    for (const [id, doc] of Object.entries(docs)) expect(got[id], `${collection} ${id}`).toEqual(doc);
  }
}

describe('redelivery after a batch failed part-way', () => {
  const batches = shardBatches({ scenario: 'mixed', seed: 3, minutes: 20, volume: 0.15, attackStartMinute: 8 });
  let clean: Awaited<ReturnType<typeof run>>;

  it.each(['entities', 'callers', 'endpoints', 'meta', 'findings', 'discovery'] as const)(
    'ends in the state of a single delivery when a write to %s fails',
    async (failing) => {
      // Prepare
      clean ??= await run(batches);
      // Act
      const faulty = await run(batches, failing);
      // Assess: every document (callers and their risk, endpoint peer sketches, findings, run ledger, discovery's
      // template trees and their hit counts) as if each batch had been delivered once.
      expect(faulty.failures).toBeGreaterThan(0);
      expect(Object.keys(clean.state.findings ?? {}).length).toBeGreaterThan(0);
      expect(Object.keys(clean.state.discovery ?? {}).length).toBeGreaterThan(0);
      expectSameState(faulty, clean);
    },
  );
});

describe('redelivery of a batch in which discovery merges templates', () => {
  // Load balancer names, one request each: the 12th distinct name makes them a parameter, in the second batch.
  const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj'];
  const batches = [NAMES.slice(0, 6), NAMES.slice(6)].map((names, b): AnalysisBatch => {
    const events = names.map((name, k) =>
      makeApiEvent({ time: Date.UTC(2026, 10, 24, 9, b, k), path: `/monitoring/metrics/load_balancer/${name}` }),
    );
    const eventSequences = events.map((_, k) => String(b * 100 + k + 1).padStart(21, '0'));
    return { events, rejections: [], shard: SHARD, eventSequences };
  });

  it.each([
    ['the callers are written', 'callers', false],
    ['the merged-away records are deleted', 'endpoints', true],
  ] as const)('folds and explains the merge once when the batch fails before %s', async (_, failing, deletes) => {
    // Prepare
    const clean = await run(batches);
    // Act
    const faulty = await run(batches, failing, deletes);
    // Assess
    expect(faulty.failures).toBe(1);
    expect(Object.keys(clean.state.endpoints ?? {})).toEqual([
      'api.example.com GET /monitoring/metrics/load_balancer/{loadBalancerName}',
    ]);
    expectSameState(faulty, clean);
  });
});

describe('redelivery during a distributed credential-stuffing campaign', () => {
  // Hundreds of addresses failing a login once or twice an hour: their findings are raised by the login endpoint's
  // population document, and each participant's own document takes the finding (open, risk) in the same batch.
  const batches = shardBatches({
    scenario: 'credential-stuffing-distributed',
    seed: 3,
    minutes: 60,
    volume: 0.15,
    attackStartMinute: 30,
  });

  it('every participant released by a failed attempt keeps its finding and risk', async () => {
    // Prepare
    const clean = await run(batches);
    const participants = Object.values(clean.state.findings ?? {}).filter(
      (f) => (f as Finding).type === 'credential-stuffing' && 'ownFailedLogins' in (f as Finding).evidence,
    );
    // Act: the callers' documents are written after the population's and the findings.
    const faulty = await run(batches, 'entities');
    // Assess
    expect(faulty.failures).toBeGreaterThan(0);
    expect(participants.length).toBeGreaterThan(10);
    expectSameState(faulty, clean);
  });
});
