import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { type EndpointBaseline, endpointBaselineId } from '../../../shared/baselines/endpoint-baseline.js';
import { type EntityRef, parseEntityKey } from '../../../shared/baselines/entity.js';
import { type PopulationBaseline, populationId } from '../../../shared/baselines/population.js';
import { DetectionConfigError, resolveDetectionConfig } from '../../../shared/detection/config.js';
import type { ObservedRequest } from '../../../shared/detection/detect.js';
import { type Finding, findingId } from '../../../shared/detection/finding.js';
import { fallbackTemplate } from '../../../shared/detection/template.js';
import { newEndpointRecord } from '../../../shared/discovery/inventory.js';
import type { StoredEntity } from '../../../shared/engine/analyze.js';
import { type Store, typed } from '../../../shared/ports/store.js';
import { makeApiEvent, resetApiEventSequence } from '../../helpers/events.js';
import { interceptPuts } from '../../helpers/store-faults.js';
import { allFindings, entityDoc, HOST, observed, runDetect, T0 } from './harness.js';

const MINUTE = 60_000;
const SCANNER = '203.0.113.50';

/**
 * An hour of ordinary logins (about 1 failure a minute), then 20 minutes of 6 per minute from fresh addresses
 * (`203.0.*`, `attackers` of them) and a real user a minute who fails once and gives up after browsing.
 */
function distributedCampaign() {
  const events: ObservedRequest[] = [];
  const request = (time: number, clientIp: string, method: 'GET' | 'POST', status: number) =>
    events.push(
      observed(
        makeApiEvent({ host: HOST, time, clientIp, method, path: method === 'GET' ? '/products' : '/login', status }),
      ),
    );
  let attackers = 0;
  for (let m = 0; m < 60; m++) {
    for (let k = 0; k < 10; k++) {
      const ip = `198.51.${m}.${k}`;
      const time = T0 + m * MINUTE + k * 5000;
      request(time, ip, 'GET', 200);
      request(time + 1000, ip, 'POST', k === 0 ? 401 : 200);
    }
  }
  for (let m = 60; m < 80; m++) {
    for (let k = 0; k < 6; k++) {
      request(T0 + m * MINUTE + k * 9000, `203.0.${m}.${k}`, 'POST', 401);
      attackers++;
    }
    request(T0 + m * MINUTE + 100, `192.0.2.${m}`, 'GET', 200);
    request(T0 + m * MINUTE + 200, `192.0.2.${m}`, 'POST', 401);
  }
  events.sort((a, b) => a.event.time - b.event.time);
  return { events, attackers };
}

/** The campaign's requests as the batches of one shard (200 records each), with sequence numbers. */
function campaignBatches(): ObservedRequest[][] {
  const { events } = distributedCampaign();
  const batches: ObservedRequest[][] = [];
  for (let i = 0; i < events.length; i += 200) {
    batches.push(events.slice(i, i + 200).map((r, k) => ({ ...r, sequence: String(10_000 + i + k) })));
  }
  return batches;
}

const SHARD = 'shard-1';
const LOGIN_POPULATION = populationId(`${HOST} POST /login`);

/**
 * Detection's state: findings, its documents in `meta`, and each caller's baseline and risk (the harness, unlike the
 * engine, records a caller's counters again when a batch comes again).
 */
async function everything(store: Store): Promise<Record<string, unknown>> {
  const all: Record<string, unknown> = {};
  for (const name of ['findings', 'meta'] as const) {
    for (const { id, value } of (await store[name].list({ limit: 10_000 })).items) all[`${name} ${id}`] = value;
  }
  for (const { id, value } of (await typed<StoredEntity>(store.entities).list({ limit: 10_000 })).items) {
    all[`entities ${id}`] = { baseline: value.baseline, risk: value.risk };
  }
  return all;
}

function probes(from: number, count: number, offset = 0) {
  return Array.from({ length: count }, (_, i) =>
    observed(
      makeApiEvent({
        host: HOST,
        time: from + i * 100,
        clientIp: SCANNER,
        path: `/probe/${String.fromCharCode(97 + ((i + offset) % 26))}${i + offset}x`,
        status: 404,
      }),
    ),
  );
}

describe('detect', () => {
  let store: Store;
  beforeEach(() => {
    resetApiEventSequence();
    store = createMemoryStore();
  });

  it('keeps one finding per (type, entity, endpoint): updated as evidence grows, revision bumped on escalation', async () => {
    // Prepare / Act: 30 probes, then 100 more in the next batch.
    const first = await runDetect(store, probes(T0 + 5 * MINUTE, 30));
    const second = await runDetect(store, probes(T0 + 6 * MINUTE, 100, 30));
    const third = await runDetect(store, probes(T0 + 7 * MINUTE, 10, 130));
    // Assess
    const findings = await allFindings(store);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding?.id).toBe(findingId('scanning', { type: 'ip', id: SCANNER }));
    expect(finding?.severity).toBe('high');
    expect(finding?.revision).toBe(2);
    expect(first.map((f) => f.severity)).toEqual(['medium']);
    expect(second.map((f) => f.revision)).toEqual([2]);
    expect(third).toEqual([]);
    expect(finding?.summary).toMatch(/probed \d+ paths/);
  });

  it('derives the entity risk from its open findings', async () => {
    await runDetect(store, probes(T0 + 5 * MINUTE, 30));
    const entity = await entityDoc(store, `ip:${SCANNER}`);
    expect(entity?.risk).toBeGreaterThan(0);
    expect(entity?.risk).toBeLessThanOrEqual(100);
    await runDetect(store, probes(T0 + 6 * MINUTE, 200, 30));
    expect((await entityDoc(store, `ip:${SCANNER}`))?.risk).toBeGreaterThan(entity?.risk ?? 0);
  });

  it('does not count a redelivered record twice (same shard and sequence)', async () => {
    // Prepare
    const requests = Array.from({ length: 5 }, (_, i) =>
      observed(
        makeApiEvent({ host: HOST, time: T0 + i * 1000, clientIp: '198.51.100.1', path: '/catalog', status: 200 }),
        {
          sequence: String(100 + i),
        },
      ),
    );
    // Act: delivered, then the last three again (a retried, bisected batch)
    await runDetect(store, requests, { shard: 'shard-1' });
    await runDetect(store, requests.slice(2), { shard: 'shard-1' });
    // Assess
    const id = endpointBaselineId(`${HOST} GET /catalog`);
    const endpoint = (await typed<EndpointBaseline>(store.meta).get([id])).get(id)?.value;
    expect(endpoint?.requests).toBe(5);
    const entity = await entityDoc(store, 'ip:198.51.100.1');
    expect(entity?.baseline?.endpoints[`${HOST} GET /catalog`]?.total.requests).toBe(5);
  });

  it('counts every request of a CloudWatch Logs envelope (several requests, one sequence)', async () => {
    const requests = Array.from({ length: 4 }, (_, i) =>
      observed(makeApiEvent({ host: HOST, time: T0 + i, clientIp: '198.51.100.2', path: '/catalog' }), {
        sequence: '7',
      }),
    );
    await runDetect(store, requests, { shard: 'shard-1' });
    const entity = await entityDoc(store, 'ip:198.51.100.2');
    expect(entity?.baseline?.endpoints[`${HOST} GET /catalog`]?.total.requests).toBe(4);
  });

  it("uses discovery's template and parameter values when present", async () => {
    // Ids that the fallback rule would not recognise: only discovery knows they are objects.
    const requests = Array.from({ length: 60 }, (_, i) => {
      const name = `order-${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
      return observed(
        makeApiEvent({
          host: HOST,
          time: T0 + 5 * MINUTE + i * 1000,
          principal: 'mallory',
          authenticated: true,
          path: `/orders/${name}`,
          status: 403,
        }),
        { template: '/orders/{orderName}', params: [name] },
      );
    });
    expect(fallbackTemplate('/orders/order-ab').params).toEqual([]);
    await runDetect(store, requests);
    const findings = await allFindings(store);
    expect(findings.map((f) => [f.type, f.endpoint?.path])).toEqual([['bola-enumeration', '/orders/{orderName}']]);
  });

  it("takes shadow/zombie classification from discovery's endpoint document, unless configuration says otherwise", async () => {
    // Prepare
    const key = `${HOST} GET /internal/users/{id}`;
    const doc = { ...newEndpointRecord(HOST, 'GET', '/internal/users/{id}', T0), classification: 'shadow' as const };
    const request = (i: number) =>
      observed(makeApiEvent({ host: HOST, time: T0 + i, clientIp: '198.51.100.7', path: `/internal/users/${i}` }), {
        template: '/internal/users/{id}',
        params: [String(i)],
      });
    // Act
    await runDetect(store, [request(1)], { endpoints: new Map([[key, doc]]) });
    const other = createMemoryStore();
    await runDetect(other, [request(2)], { endpoints: new Map([[key, doc]]), config: { classify: () => 'managed' } });
    // Assess
    expect((await allFindings(store)).map((f) => f.type)).toEqual(['shadow-api-traffic']);
    expect(await allFindings(other)).toEqual([]);
  });

  it('finds distributed low-and-slow credential stuffing at the population level, and spares real users', async () => {
    // Prepare: real users who fail once and give up after browsing are not participants.
    const { events, attackers: n } = distributedCampaign();
    // Act: batches of 200
    for (let i = 0; i < events.length; i += 200) await runDetect(store, events.slice(i, i + 200));
    // Assess
    const findings = (await allFindings(store)).filter((f) => f.type === 'credential-stuffing');
    const flagged = new Set(findings.map((f) => f.entity.id));
    const attackers = [...flagged].filter((ip) => ip.startsWith('203.0.'));
    expect(attackers.length).toBeGreaterThanOrEqual(0.8 * n);
    expect([...flagged].filter((ip) => !ip.startsWith('203.0.'))).toEqual([]);
    expect(findings[0]?.evidence.campaignFailedLoginsPer10Min).toBeDefined();
  });
});

describe('detect: low-and-slow credential stuffing', () => {
  let store: Store;
  beforeEach(() => {
    resetApiEventSequence();
    store = createMemoryStore();
  });

  it('finds a campaign of 4 fail-only addresses per 10 minutes over the hour, and spares users who gave up before it', async () => {
    // Prepare: three hours of ordinary logins (users browse first; one in ten fails once, then succeeds) and a user
    // who fails once and gives up every 30 minutes; then an hour of 4 fresh addresses per 10 minutes, one failure each.
    const events = [];
    const login = (time: number, ip: string, status: number) =>
      observed(makeApiEvent({ host: HOST, time, clientIp: ip, method: 'POST', path: '/login', status }));
    for (let m = 0; m < 180; m++) {
      for (let k = 0; k < 5; k++) {
        const ip = `198.51.${m}.${k}`;
        const time = T0 + m * MINUTE + k * 10_000;
        events.push(
          observed(makeApiEvent({ host: HOST, time, clientIp: ip, method: 'GET', path: '/products', status: 200 })),
        );
        if (k === 0) events.push(login(time + 1000, ip, 401));
        events.push(login(time + 5000, ip, 200));
      }
      if (m % 30 === 15) events.push(login(T0 + m * MINUTE + 30_000, `192.0.2.${m}`, 401));
    }
    const attackers: string[] = [];
    for (let i = 0; i < 24; i++) {
      const ip = `203.0.113.${i}`;
      attackers.push(ip);
      events.push(login(T0 + 180 * MINUTE + i * 150_000, ip, 401));
    }
    events.sort((a, b) => a.event.time - b.event.time);
    // Act: batches of 5 simulated minutes, then one more login a few minutes after the last attempt.
    const end = T0 + 245 * MINUTE;
    events.push(login(end, '198.51.250.1', 200));
    for (let from = T0; from <= end; from += 5 * MINUTE) {
      const batch = events.filter((e) => e.event.time >= from && e.event.time < from + 5 * MINUTE);
      if (batch.length > 0) await runDetect(store, batch);
    }
    // Assess: no 10 minutes had 12 of them; the hour had 24.
    const findings = (await allFindings(store)).filter((f) => f.type === 'credential-stuffing');
    const flagged = new Set(findings.map((f) => f.entity.id));
    expect(attackers.filter((ip) => flagged.has(ip)).length).toBeGreaterThanOrEqual(22);
    expect([...flagged].filter((ip) => !ip.startsWith('203.0.113.'))).toEqual([]);
    expect(findings[0]?.evidence.campaignFailOnlyCallersPerHour).toMatchObject({ threshold: 20 });
  });
});

describe('detect: campaign participants when a batch is delivered again', () => {
  beforeEach(() => resetApiEventSequence());

  it('gives the participants a failed attempt released their findings and risk, as a single delivery does', async () => {
    // Prepare: the first write of callers' documents of every batch fails (after the population's and the findings').
    const batches = campaignBatches();
    const clean = createMemoryStore();
    const inner = createMemoryStore();
    let failing = false;
    let failures = 0;
    const faulty: Store = {
      ...inner,
      entities: interceptPuts(inner.entities, async (items, write) => {
        if (!failing) return write(items);
        failing = false;
        failures++;
        throw new Error('injected');
      }),
    };
    // Act
    for (const batch of batches) await runDetect(clean, batch, { shard: SHARD });
    for (const batch of batches) {
      failing = true;
      try {
        await runDetect(faulty, batch, { shard: SHARD });
      } catch {
        await runDetect(faulty, batch, { shard: SHARD });
      }
    }
    // Assess
    expect(failures).toBe(batches.length);
    const participants = (await allFindings(clean)).filter((f) => 'ownFailedLogins' in f.evidence);
    expect(participants.length).toBeGreaterThan(50);
    expect(await everything(inner)).toEqual(await everything(clean));
  });

  it('leaves alone a participant whose document took its finding when the releasing batch comes again', async () => {
    // Prepare: the whole campaign, then an analyst resolves a finding of the last release.
    const batches = campaignBatches();
    const store = createMemoryStore();
    for (const batch of batches) await runDetect(store, batch, { shard: SHARD });
    const population = (await store.meta.get([LOGIN_POPULATION])).get(LOGIN_POPULATION)?.value as PopulationBaseline;
    const release = population.released?.[SHARD];
    const participant = Object.keys(release?.participants ?? {})[0] as string;
    const id = findingId('credential-stuffing', parseEntityKey(participant) as EntityRef, {
      host: HOST,
      method: 'POST',
      path: '/login',
    });
    const findings = typed<Finding>(store.findings);
    const stored = (await findings.get([id])).get(id);
    await findings.put([
      { id, value: { ...(stored?.value as Finding), status: 'resolved' }, expectedVersion: stored?.version ?? 0 },
    ]);
    const settled = await everything(store);
    const releasing = batches.find((b) => b.some((r) => r.sequence === release?.through)) as ObservedRequest[];
    // Act: a re-read from an older checkpoint
    const reopened = await runDetect(store, releasing, { shard: SHARD });
    // Assess
    expect(reopened).toEqual([]);
    expect(await everything(store)).toEqual(settled);
  });
});

describe('detection config', () => {
  it('fills defaults', () => {
    const config = resolveDetectionConfig();
    expect(config.thresholds.volumetric.minRequests).toBe(300);
    expect(config.identity.sessionCookie).toBe('session');
  });

  it('overrides single thresholds and keeps the rest', () => {
    const config = resolveDetectionConfig({ thresholds: { scanning: { minPaths: 50 } } });
    expect(config.thresholds.scanning).toEqual({ minPaths: 50, minNotFoundShare: 0.5 });
  });

  it('rejects unknown settings, bad numbers, bad shares and bad patterns with exact messages', () => {
    expect(() => resolveDetectionConfig({ thresholds: { scanning: { minPath: 5 } } } as never)).toThrow(
      new DetectionConfigError('detection config: unknown setting thresholds.scanning.minPath'),
    );
    expect(() => resolveDetectionConfig({ thresholds: { volumetric: { minRequests: -1 } } })).toThrow(
      'detection config: thresholds.volumetric.minRequests must be a non-negative number',
    );
    expect(() => resolveDetectionConfig({ thresholds: { scanning: { minNotFoundShare: 2 } } })).toThrow(
      'detection config: thresholds.scanning.minNotFoundShare is a share and must be between 0 and 1',
    );
    expect(() => resolveDetectionConfig({ authEndpoints: ['('] })).toThrow(
      'detection config: authEndpoints[0] is not a valid regular expression: (',
    );
    expect(() => resolveDetectionConfig({ thresholds: { bola: { peerMultiple: 0.5 } } })).toThrow(
      'detection config: thresholds.bola.peerMultiple must be at least 1',
    );
  });
});

describe('fallback template', () => {
  it('turns numbers, UUIDs and long tokens into parameters and keeps words', () => {
    expect(fallbackTemplate('/v2/orders/123/invoice')).toEqual({ path: '/v2/orders/{id}/invoice', params: ['123'] });
    expect(fallbackTemplate('/users/3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b')).toEqual({
      path: '/users/{id}',
      params: ['3f2b8c1e-9d4a-4b6e-8f0a-1c2d3e4f5a6b'],
    });
    expect(fallbackTemplate('/v2/auth/login')).toEqual({ path: '/v2/auth/login', params: [] });
  });
});
