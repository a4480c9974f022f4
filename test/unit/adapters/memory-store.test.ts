import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', async (clock) => createMemoryStore({ clock }));
// Compacting after every write: every document the contract reads back has been through JSON at least once.
describeStoreContract('memory, compacting', async (clock) => createMemoryStore({ clock, compactAfter: 1 }));

describe('memory store compaction (the CLI keeps idle documents as deflated JSON)', () => {
  const caller = (n: number) => ({ requests: n, links: { ips: ['192.0.2.1'], apiKeys: [] }, baseline: { open: {} } });

  /** Writes one unrelated document per call: the collection's clock, by which documents go idle. */
  async function otherWrites(store: ReturnType<typeof createMemoryStore>, count: number, from = 0): Promise<void> {
    for (let i = 0; i < count; i++)
      await store.entities.put([{ id: `ip:198.51.100.${from + i}`, value: caller(i), expectedVersion: 0 }]);
  }

  it('keeps a document live while it is read or written, and compacts it once it has been idle that many writes', async () => {
    // Prepare: without copies, a live document is handed out as the very object stored
    const store = createMemoryStore({ copy: false, compactAfter: 4 });
    const written = caller(1);
    await store.entities.put([{ id: 'ip:192.0.2.1', value: written, expectedVersion: 0 }]);
    // Act / Assess: read between every few writes, it stays the same object
    for (let round = 0; round < 3; round++) {
      await otherWrites(store, 3, round * 3);
      expect((await store.entities.get(['ip:192.0.2.1'])).get('ip:192.0.2.1')?.value).toBe(written);
    }
    // Act: idle for twice the threshold (a pass runs every `compactAfter` writes)
    await otherWrites(store, 8, 100);
    const back = (await store.entities.get(['ip:192.0.2.1'])).get('ip:192.0.2.1');
    // Assess: the same document and version, parsed afresh from its JSON, and live again from then on
    expect(back).toEqual({ value: written, version: 1 });
    expect(back?.value).not.toBe(written);
    expect((await store.entities.get(['ip:192.0.2.1'])).get('ip:192.0.2.1')?.value).toBe(back?.value);
  });

  it('lists compacted documents without making them live, and writes over them', async () => {
    // Prepare
    const store = createMemoryStore({ copy: false, compactAfter: 2 });
    await store.callers.put([
      { id: 'pack:1:0', value: { callers: { 'ip:192.0.2.1': '{"requests":3}' } }, expectedVersion: 0 },
    ]);
    for (let i = 0; i < 4; i++)
      await store.callers.put([{ id: `pack:${i + 2}:0`, value: { callers: {} }, expectedVersion: 0 }]);
    // Act
    const first = (await store.callers.list({ prefix: 'pack:1:' })).items[0];
    const second = (await store.callers.list({ prefix: 'pack:1:' })).items[0];
    await store.callers.put([{ id: 'pack:1:0', value: { callers: {} }, expectedVersion: 1 }]);
    // Assess: each listing parses its own copy (the stored one stays compacted); a write replaces it as usual
    expect(first).toEqual({ id: 'pack:1:0', value: { callers: { 'ip:192.0.2.1': '{"requests":3}' } }, version: 1 });
    expect(second?.value).toEqual(first?.value);
    expect(second?.value).not.toBe(first?.value);
    expect((await store.callers.get(['pack:1:0'])).get('pack:1:0')).toEqual({ value: { callers: {} }, version: 2 });
  });

  it('refuses a compaction threshold that is not a whole number of writes', () => {
    expect(() => createMemoryStore({ compactAfter: 0 })).toThrow(/compactAfter must be a whole number of writes/);
    expect(() => createMemoryStore({ compactAfter: 1.5 })).toThrow(/compactAfter must be a whole number of writes/);
  });
});
