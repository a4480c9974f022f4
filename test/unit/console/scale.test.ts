/**
 * The console at the scale issue #8 names: 10,000 endpoints and 100,000 entities. The first request scans and
 * projects each collection once; the next requests filter, sort and page the cached rows.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { createConsoleApi } from '../../../shared/console/api.js';
import { ConsoleReadModel } from '../../../shared/console/read-model.js';
import { fixedClock } from '../../../shared/ports/clock.js';

describe('console at scale', () => {
  it('serves sorted, filtered pages of 100,000 entities and 10,000 endpoints quickly once the rows are loaded', async () => {
    // Prepare
    const store = createMemoryStore({ copy: false });
    const t = Date.UTC(2026, 0, 1);
    const entities = Array.from({ length: 100_000 }, (_, i) => ({
      id: `ip:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      value: {
        type: 'ip',
        id: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        requests: (i * 31) % 5000,
        risk: (i * 7) % 101,
        firstSeen: t,
        lastSeen: t + i,
        statusCounts: { '200': 10, '404': i % 3 },
        links: { ips: [], apiKeys: [], principals: [] },
        userAgents: ['curl/8'],
      },
      expectedVersion: 0,
    }));
    const endpoints = Array.from({ length: 10_000 }, (_, i) => ({
      id: `h${i % 20}.example.com GET /v1/r${i}/{id}`,
      value: {
        host: `h${i % 20}.example.com`,
        method: 'GET',
        path: `/v1/r${i}/{id}`,
        requests: i,
        authenticated: i >> 1,
        firstSeen: t,
        lastSeen: t + i,
        statusCounts: { '2xx': i + 1 },
        classification: i % 50 === 0 ? 'shadow' : 'managed',
      },
      expectedVersion: 0,
    }));
    await store.entities.put(entities);
    await store.endpoints.put(endpoints);
    const clock = fixedClock(t + 200_000);
    const api = createConsoleApi({ model: new ConsoleReadModel(store, { clock, maxAgeMs: 60_000 }), clock });
    const get = (path: string, query: string) =>
      api({ method: 'GET', path, query: new URLSearchParams(query), actor: 'console:test' });
    // Act
    const cold = performance.now();
    await get('/api/entities', 'limit=50');
    await get('/api/endpoints', 'limit=50');
    const coldMs = performance.now() - cold;
    const warm = performance.now();
    const riskiest = await get('/api/entities', 'limit=50');
    const searched = await get('/api/entities', 'q=10.1.2.&sort=requests');
    const shadow = await get('/api/endpoints', 'classification=shadow&sort=requests&limit=10');
    const warmMs = (performance.now() - warm) / 3;
    // Assess
    expect((riskiest.body as { total: number; items: Array<{ risk: number }> }).items[0]?.risk).toBe(100);
    expect((searched.body as { total: number }).total).toBe(256);
    expect((shadow.body as { total: number }).total).toBe(200);
    expect(coldMs).toBeLessThan(5000);
    expect(warmMs).toBeLessThan(500);
    console.info(
      `console scale: first requests ${Math.round(coldMs)} ms (scan + projection), then ${Math.round(warmMs)} ms per list request`,
    );
  });
});
