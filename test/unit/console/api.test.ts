import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import type { ConsoleActions } from '../../../shared/console/actions.js';
import { type ConsoleRequest, createConsoleApi } from '../../../shared/console/api.js';
import { ConsoleReadModel } from '../../../shared/console/read-model.js';
import type { Store } from '../../../shared/ports/store.js';
import { EVIL_UA, fillStore, testClock } from './traffic.js';

let store: Store;
let clock: Awaited<ReturnType<typeof fillStore>>;

const get = (path: string, query = ''): ConsoleRequest => ({
  method: 'GET',
  path,
  query: new URLSearchParams(query),
  actor: 'console:test',
});

beforeAll(async () => {
  clock = testClock();
  store = createMemoryStore({ clock });
  await fillStore(store, clock);
});

function api(actions?: ConsoleActions) {
  return createConsoleApi({
    model: new ConsoleReadModel(store, { clock, maxAgeMs: 0 }),
    clock,
    ...(actions ? { actions } : {}),
  });
}

describe('console API', () => {
  it('lists endpoints filtered, sorted and paged server-side', async () => {
    // Act
    const all = await api()(get('/api/endpoints', 'sort=path&order=asc'));
    const shadow = await api()(get('/api/endpoints', 'classification=shadow'));
    const first = await api()(get('/api/endpoints', 'limit=2'));
    const cursor = (first.body as { cursor?: string }).cursor ?? '';
    const second = await api()(get('/api/endpoints', `limit=2&cursor=${cursor}`));
    // Assess
    expect(all.status).toBe(200);
    const body = all.body as {
      items: Array<{ path: string; classification: string }>;
      facets: { classification: unknown };
    };
    expect(body.items.map((e) => `${e.path} ${e.classification}`)).toEqual([
      '/internal/debug shadow',
      '/v1/me managed',
      '/v1/pets managed',
    ]);
    expect((shadow.body as { total: number }).total).toBe(1);
    expect((first.body as { items: unknown[]; total: number }).items).toHaveLength(2);
    expect(second.body).toMatchObject({ total: 3 });
    expect((second.body as { items: unknown[]; cursor?: string }).items).toHaveLength(1);
    expect((second.body as { cursor?: string }).cursor).toBeUndefined();
  });

  it('ranks entities by risk and returns a detail with the user agent as data', async () => {
    // Act
    const list = await api()(get('/api/entities', 'limit=3'));
    const detail = await api()(get('/api/entity', 'id=ip:45.133.1.99'));
    const risky = await api()(get('/api/entities', 'risk=high,medium,low'));
    // Assess
    const risks = (list.body as { items: Array<{ risk: number }> }).items.map((e) => e.risk);
    expect([...risks].sort((a, b) => b - a)).toEqual(risks);
    expect((detail.body as { userAgents: string[] }).userAgents).toEqual([EVIL_UA]);
    const riskyRows = (risky.body as { items: Array<{ id: string; risk: number }> }).items;
    expect(riskyRows.length).toBeGreaterThan(0);
    expect(riskyRows.every((e) => e.risk > 0)).toBe(true);
  });

  it('lists the brief callers the engine keeps in packs, and shows their details', async () => {
    // Act: six users made ten requests each, too few for documents of their own (docs/data-model.md)
    const list = await api()(get('/api/entities', 'limit=100'));
    const detail = await api()(get('/api/entity', 'id=principal:user-3'));
    // Assess
    const ids = (list.body as { items: Array<{ id: string }> }).items.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['principal:user-0', 'principal:user-5', 'ip:45.133.1.99']));
    expect(detail.status).toBe(200);
    expect((detail.body as { entity: { requests: number } }).entity.requests).toBe(10);
  });

  it('returns endpoint details, finding evidence in words, and 404 for what does not exist', async () => {
    // Act
    const endpoint = await api()(get('/api/endpoint', 'id=api.example.com GET /v1/pets'));
    const findings = await api()(get('/api/findings'));
    const first = (findings.body as { items: Array<{ id: string }> }).items[0];
    const finding = await api()(get('/api/finding', `id=${encodeURIComponent(first?.id ?? '')}`));
    // Assess
    expect((endpoint.body as { endpoint: { requests: number } }).endpoint.requests).toBe(30);
    expect((finding.body as { evidence: Array<{ text: string }> }).evidence.length).toBeGreaterThan(0);
    expect((await api()(get('/api/endpoint', 'id=nope'))).status).toBe(404);
    expect((await api()(get('/api/nope'))).status).toBe(404);
    expect((await api()(get('/api/endpoint'))).status).toBe(400);
  });

  it('exports the filtered inventory as CSV and OpenAPI', async () => {
    // Act
    const csv = await api()(get('/api/endpoints.csv', 'classification=managed'));
    const openapi = await api()(get('/api/endpoints.openapi.json'));
    // Assess
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect((csv.body as string).trim().split('\r\n')).toHaveLength(3);
    expect(Object.keys((openapi.body as { paths: object }).paths).sort()).toEqual([
      '/internal/debug',
      '/v1/me',
      '/v1/pets',
    ]);
  });

  it('answers 501 for actions without the response module, and passes them with the actor when it is there', async () => {
    // Prepare
    const calls: unknown[] = [];
    const record = async (call: unknown[]) => {
      calls.push(call);
      return { message: 'ok' };
    };
    const actions: ConsoleActions = {
      unblock: async (id, c) => record(['unblock', id, c.actor]),
      extend: async (id, ms, c) => record(['extend', id, ms, c.actor]),
      allowlist: async (e, c) => record(['allow', e, c.actor]),
      acknowledge: async (id, c) => record(['ack', id, c.actor]),
      resolve: async (id, c) => record(['resolve', id, c.actor]),
    };
    const post = (path: string, body: unknown): ConsoleRequest => ({
      method: 'POST',
      path,
      query: new URLSearchParams(),
      body,
      actor: 'console:ann',
    });
    // Act
    const refused = await api()(post('/api/actions/unblock', { id: 'target:ip:1.2.3.4' }));
    const ok = await api(actions)(post('/api/actions/unblock', { id: 'target:ip:1.2.3.4' }));
    const badExtend = await api(actions)(post('/api/actions/extend', { id: 'x', ms: -1 }));
    await api(actions)(post('/api/entities/allowlist', { id: 'api-key:k1' }));
    const viaGet = await api(actions)(get('/api/actions/unblock', 'id=x'));
    // Assess
    expect(refused).toEqual({
      status: 501,
      body: { error: 'Actions are not available: this console was started without the response module.' },
    });
    expect(ok.status).toBe(200);
    expect(badExtend.status).toBe(400);
    expect(viaGet.status).toBe(405);
    expect(calls).toEqual([
      ['unblock', 'target:ip:1.2.3.4', 'console:ann'],
      ['allow', { type: 'api-key', id: 'k1' }, 'console:ann'],
    ]);
  });
});
