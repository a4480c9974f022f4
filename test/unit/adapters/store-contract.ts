/**
 * The Store port's behaviour, as one suite run against every adapter (memory here, DynamoDB on dynalite in
 * test/integration). An adapter passes it or it is not a Store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../shared/ports/clock.js';
import { type Store, StoreConflictError } from '../../../shared/ports/store.js';

export interface StoreHarness {
  store: Store;
  clock: ReturnType<typeof fixedClock>;
}

export type StoreFactory = (clock: ReturnType<typeof fixedClock>) => Promise<Store>;

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      const clock = fixedClock(T0);
      h = { store: await factory(clock), clock };
    });

    it('reads back what it wrote, with version 1, and nothing for unknown ids', async () => {
      // Prepare
      await h.store.endpoints.put([{ id: 'api.example.com GET /users', value: { requests: 3 }, expectedVersion: 0 }]);
      // Act
      const got = await h.store.endpoints.get(['api.example.com GET /users', 'nope']);
      // Assess
      expect(got.get('api.example.com GET /users')).toEqual({ value: { requests: 3 }, version: 1 });
      expect(got.has('nope')).toBe(false);
    });

    it('bumps the version on every write and refuses a stale one with the conflicting ids', async () => {
      await h.store.entities.put([
        { id: 'ip:192.0.2.1', value: { n: 1 }, expectedVersion: 0 },
        { id: 'ip:192.0.2.2', value: { n: 1 }, expectedVersion: 0 },
      ]);
      await h.store.entities.put([{ id: 'ip:192.0.2.1', value: { n: 2 }, expectedVersion: 1 }]);

      const attempt = h.store.entities.put([
        { id: 'ip:192.0.2.1', value: { n: 99 }, expectedVersion: 1 },
        { id: 'ip:192.0.2.2', value: { n: 2 }, expectedVersion: 1 },
        { id: 'ip:192.0.2.3', value: { n: 1 }, expectedVersion: 1 },
      ]);

      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreConflictError);
      expect([...(error as StoreConflictError).ids].sort()).toEqual(['ip:192.0.2.1', 'ip:192.0.2.3']);
      expect((error as StoreConflictError).collection).toBe('entities');
      const got = await h.store.entities.get(['ip:192.0.2.1', 'ip:192.0.2.2', 'ip:192.0.2.3']);
      expect(got.get('ip:192.0.2.1')).toEqual({ value: { n: 2 }, version: 2 });
      expect(got.get('ip:192.0.2.2')).toEqual({ value: { n: 2 }, version: 2 });
      expect(got.has('ip:192.0.2.3')).toBe(false);
    });

    it('refuses to create a document that already exists', async () => {
      await h.store.findings.put([{ id: 'f1', value: 'a', expectedVersion: 0 }]);
      await expect(h.store.findings.put([{ id: 'f1', value: 'b', expectedVersion: 0 }])).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      expect((await h.store.findings.get(['f1'])).get('f1')?.value).toBe('a');
    });

    it('keeps collections apart', async () => {
      await h.store.endpoints.put([{ id: 'same', value: 'endpoint', expectedVersion: 0 }]);
      await h.store.entities.put([{ id: 'same', value: 'entity', expectedVersion: 0 }]);
      expect((await h.store.endpoints.get(['same'])).get('same')?.value).toBe('endpoint');
      expect((await h.store.entities.get(['same'])).get('same')?.value).toBe('entity');
      expect((await h.store.findings.list()).items).toEqual([]);
    });

    it('hides an expired document, and lets it be created again from version 0', async () => {
      await h.store.meta.put([
        { id: 'short', value: 1, expectedVersion: 0, expiresAt: T0 + 60_000 },
        { id: 'long', value: 2, expectedVersion: 0, expiresAt: T0 + 3_600_000 },
      ]);
      expect((await h.store.meta.get(['short'])).get('short')?.version).toBe(1);

      h.clock.advance(60_000);

      expect((await h.store.meta.get(['short', 'long'])).has('short')).toBe(false);
      expect((await h.store.meta.list()).items.map((i) => i.id)).toEqual(['long']);
      await expect(h.store.meta.put([{ id: 'short', value: 3, expectedVersion: 1 }])).rejects.toBeInstanceOf(
        StoreConflictError,
      );
      await h.store.meta.put([{ id: 'short', value: 3, expectedVersion: 0 }]);
      expect((await h.store.meta.get(['short'])).get('short')).toEqual({ value: 3, version: 1 });
    });

    it('lists in id order, by prefix, page by page with a cursor', async () => {
      const ids = Array.from({ length: 57 }, (_, i) => `api.example.com GET /items/${String(i).padStart(3, '0')}`);
      ids.push('other.example.com GET /', 'api.example.com POST /items');
      await h.store.endpoints.put(ids.map((id) => ({ id, value: { id }, expectedVersion: 0 })));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.store.endpoints.list({
          prefix: 'api.example.com GET ',
          limit: 10,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(10);
        for (const item of page.items) expect(item.value).toEqual({ id: item.id });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 20);

      expect(seen).toEqual(ids.slice(0, 57));
      expect(pages).toBe(6);
      const all = await h.store.endpoints.list();
      expect(all.items.map((i) => i.id)).toEqual([...ids].sort());
      expect(all.cursor).toBeUndefined();
    });

    it('deletes', async () => {
      await h.store.actions.put([
        { id: 'a1', value: 1, expectedVersion: 0 },
        { id: 'a2', value: 2, expectedVersion: 0 },
      ]);
      await h.store.actions.delete(['a1', 'missing']);
      expect([...(await h.store.actions.get(['a1', 'a2'])).keys()]).toEqual(['a2']);
      await h.store.actions.put([{ id: 'a1', value: 3, expectedVersion: 0 }]);
      expect((await h.store.actions.get(['a1'])).get('a1')?.version).toBe(1);
    });

    it('returns copies: changing a read value does not change the store', async () => {
      await h.store.discovery.put([{ id: 'h', value: { list: [1] }, expectedVersion: 0 }]);
      const first = (await h.store.discovery.get(['h'])).get('h')?.value as { list: number[] };
      first.list.push(2);
      expect((await h.store.discovery.get(['h'])).get('h')?.value).toEqual({ list: [1] });
    });

    it("keeps a large document whole (a busy host's discovery state), through rewrites and deletion", async () => {
      const big = (seed: number) => ({
        paths: Array.from({ length: 20_000 }, (_, i) => `/v1/things/${(i * 7919 + seed) % 100_003}/${seed}`),
      });
      await h.store.discovery.put([{ id: 'host:api.example.com', value: big(1), expectedVersion: 0 }]);
      expect((await h.store.discovery.get(['host:api.example.com'])).get('host:api.example.com')).toEqual({
        value: big(1),
        version: 1,
      });

      await h.store.discovery.put([{ id: 'host:api.example.com', value: big(2), expectedVersion: 1 }]);
      await expect(
        h.store.discovery.put([{ id: 'host:api.example.com', value: big(3), expectedVersion: 1 }]),
      ).rejects.toBeInstanceOf(StoreConflictError);
      const page = await h.store.discovery.list({ prefix: 'host:' });
      expect(page.items).toEqual([{ id: 'host:api.example.com', value: big(2), version: 2 }]);

      await h.store.discovery.put([{ id: 'host:api.example.com', value: { small: true }, expectedVersion: 2 }]);
      expect((await h.store.discovery.get(['host:api.example.com'])).get('host:api.example.com')?.value).toEqual({
        small: true,
      });
      await h.store.discovery.delete(['host:api.example.com']);
      expect((await h.store.discovery.get(['host:api.example.com'])).size).toBe(0);
    });

    it('reads and writes hundreds of documents in one call', async () => {
      const ids = Array.from({ length: 250 }, (_, i) => `ip:198.51.100.${i}`);
      await h.store.entities.put(ids.map((id, i) => ({ id, value: { i }, expectedVersion: 0 })));
      const got = await h.store.entities.get(ids);
      expect(got.size).toBe(250);
      expect(got.get('ip:198.51.100.249')?.value).toEqual({ i: 249 });
    });

    it('accepts ids of any length and characters', async () => {
      const long = `api.example.com GET /${'a/'.repeat(3000)}é`;
      const odd = 'api.example.com GET /ünïcødé/%20/#/\t';
      await h.store.endpoints.put([
        { id: long, value: 1, expectedVersion: 0 },
        { id: odd, value: 2, expectedVersion: 0 },
      ]);
      const got = await h.store.endpoints.get([long, odd]);
      expect(got.get(long)?.value).toBe(1);
      expect(got.get(odd)?.value).toBe(2);
      expect(
        (await h.store.endpoints.list({ prefix: `api.example.com GET /${'a/'.repeat(1000)}` })).items.map((i) => i.id),
      ).toEqual([long]);
      await h.store.endpoints.put([{ id: long, value: 3, expectedVersion: 1 }]);
      expect((await h.store.endpoints.get([long])).get(long)).toEqual({ value: 3, version: 2 });
    });
  });
}
