/**
 * End to end on the local cloud, every function real: a simulated credential-stuffing attack is written as
 * CloudFront real-time log lines onto the log stream (kinesalite); the ingest handler (local event source mapping)
 * analyses it into dynalite and publishes the findings onto the findings stream; the responder handler (a second
 * mapping) answers them with the local enforcer.
 * enforce mode: the attacker's address, and only it, is blocked; the block expires.
 * monitor mode: the same decision is recorded as a would-be block; nothing is enforced.
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { functionPath, type LocalCloud, loadHandler, startLocalCloud } from '../../../infra/local/cloud.js';
import { putRecords } from '../../../infra/local/feed.js';
import { KinesisEventSourcePoller } from '../../../infra/local/poller.js';
import { createLocalEnforcer } from '../../../shared/adapters/local-enforcer/local-enforcer.js';
import { encodeCloudFrontRealtime } from '../../../shared/encoders/index.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { type Store, typed } from '../../../shared/ports/store.js';
import { expireActions } from '../../../shared/response/expire.js';
import type { AuditEntry, TargetState } from '../../../shared/response/state.js';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const ATTACKER = '45.33.32.156';

/** Customers logging in (a few typos), then one address trying 150 stolen credentials in 2.5 minutes. */
function credentialStuffing(start: number): ApiEvent[] {
  const events: ApiEvent[] = [];
  for (let i = 0; i < 60; i++) {
    events.push({
      time: start + i * 1000,
      source: 'cloudfront-realtime',
      requestId: `legit-${i}`,
      host: 'api.example.com',
      method: 'POST',
      path: '/login',
      status: i % 10 === 0 ? 401 : 200,
      clientIp: `81.2.69.${i % 40}`,
      userAgent: 'Mozilla/5.0',
      authenticated: false,
    });
  }
  for (let i = 0; i < 150; i++) {
    events.push({
      time: start + 60_000 + i * 1000,
      source: 'cloudfront-realtime',
      requestId: `attack-${i}`,
      host: 'api.example.com',
      method: 'POST',
      path: '/login',
      status: 401,
      clientIp: ATTACKER,
      userAgent: 'python-requests/2.31',
      authenticated: false,
    });
  }
  return events;
}

/** Attack lines -> log stream -> real ingest -> findings stream -> real responder. */
async function runAttack(cloud: LocalCloud, mode: 'monitor' | 'enforce'): Promise<Store> {
  const env = {
    LANTERN_FINDINGS_STREAM: cloud.findingsStreamName,
    LANTERN_RESPONSE_MODE: mode,
    LANTERN_ENFORCER: 'local',
  };
  const ingest = await loadHandler<Handler>(cloud, functionPath('ingest'), 'handler', env);
  const responder = await loadHandler<Handler>(cloud, functionPath('responder'), 'handler', env);
  const fast = { maximumBatchingWindowMs: 50, pollIntervalMs: 50 };
  const ingestion = new KinesisEventSourcePoller(cloud.kinesis, cloud.streamName, ingest, {
    functionName: 'lantern-ingest',
    ...fast,
  });
  const response = new KinesisEventSourcePoller(cloud.kinesis, cloud.findingsStreamName, responder, {
    functionName: 'lantern-responder',
    ...fast,
  });
  await ingestion.start();
  await response.start();
  try {
    const lines = credentialStuffing(Date.now() - 5 * 60_000).map((e) => Buffer.from(encodeCloudFrontRealtime(e)));
    await putRecords(cloud.kinesis, cloud.streamName, lines);
    await ingestion.waitIdle();
    await response.waitIdle();
  } finally {
    await ingestion.stop();
    await response.stop();
  }
  expect(ingestion.stats.failedInvocations).toBe(0);
  expect(response.stats.records).toBeGreaterThan(0);
  return cloud.store();
}

async function targets(store: Store): Promise<TargetState[]> {
  return (await typed<TargetState>(store.actions).list({ prefix: 'target:' })).items.map((i) => i.value);
}

describe('credential stuffing on the local cloud (ingest -> findings stream -> responder)', () => {
  let cloud: LocalCloud | undefined;
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  it('enforce mode: the attacker is blocked (only the attacker), and the block expires', async () => {
    cloud = await startLocalCloud({ shards: 1, prefix: 'lantern-e2e-enforce' });

    const store = await runAttack(cloud, 'enforce');

    const blocked = (await targets(store)).filter((t) => t.active?.enforced);
    expect(blocked.map((t) => t.target)).toEqual([{ kind: 'ip', address: ATTACKER }]);
    const until = blocked[0]?.active?.until ?? 0;
    expect(until).toBeGreaterThan(Date.now());
    const audit = (await typed<AuditEntry>(store.audit).list()).items.map((i) => i.value);
    // One block; an escalation of the finding during the attack extends it, never stacks a second.
    const trail = audit.filter((e) => e.target === `ip:${ATTACKER}`).map((e) => `${e.event} ${e.action}`);
    expect(trail.slice(0, 2)).toEqual(['decided block', 'enforced block']);
    expect(trail.slice(2).every((t) => t === 'decided extend-block' || t === 'enforced block')).toBe(true);
    expect(blocked[0]?.offences).toBe(1);

    const enforcer = createLocalEnforcer();
    const report = await expireActions({ store, clock: fixedClock(until + 1), mode: 'enforce', enforcer });
    expect(report.expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.history.map((h) => h.change)).toEqual([{ op: 'unblock-ip', address: ATTACKER }]);
    expect((await targets(store)).filter((t) => t.active)).toEqual([]);
  });

  it('monitor mode: the same attack is recorded as a would-be block, nothing is enforced', async () => {
    cloud = await startLocalCloud({ shards: 1, prefix: 'lantern-e2e-monitor' });

    const store = await runAttack(cloud, 'monitor');

    const recorded = (await targets(store)).filter((t) => t.active);
    expect(recorded.map((t) => [t.target, t.active?.enforced])).toEqual([[{ kind: 'ip', address: ATTACKER }, false]]);
    const audit = (await typed<AuditEntry>(store.audit).list()).items.map((i) => i.value);
    expect(audit.filter((e) => e.event === 'enforced')).toEqual([]);
    expect(audit.find((e) => e.target === `ip:${ATTACKER}`)?.reason).toMatch(/monitor mode: recorded, not enforced/);
  });
});
