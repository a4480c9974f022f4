/**
 * End to end on the local cloud: a simulated credential-stuffing attack is analysed by the engine on the DynamoDB
 * store (dynalite); the findings of the batch are published by the Kinesis adapter onto the `findings` stream
 * (kinesalite), exactly as the ingest Lambda will once it is wired (`publisher.publish(effects.findings)` after
 * `analyzeBatch`); the local event source mapping delivers them to the responder.
 * enforce mode: the attacker's address is blocked (recorded by the local enforcer), and the block expires.
 * monitor mode: the same decision is recorded, nothing is enforced.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, DescribeStreamCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { loadResponderConfig } from '../../../functions/responder/config.js';
import { createResponderHandler } from '../../../functions/responder/responder.js';
import { type LocalCloud, loadHandler, startLocalCloud } from '../../../infra/local/cloud.js';
import { KinesisEventSourcePoller, type KinesisFunction } from '../../../infra/local/poller.js';
import { createKinesisFindingPublisher } from '../../../shared/adapters/kinesis-findings/kinesis-finding-publisher.js';
import { createLocalEnforcer } from '../../../shared/adapters/local-enforcer/local-enforcer.js';
import { analyzeBatch } from '../../../shared/engine/analyze.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { fixedClock, systemClock } from '../../../shared/ports/clock.js';
import { type Store, typed } from '../../../shared/ports/store.js';
import { expireActions } from '../../../shared/response/expire.js';
import type { TargetState } from '../../../shared/response/state.js';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const ATTACKER = '45.33.32.156';
const FINDINGS_STREAM = 'lantern-e2e-findings';

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

async function findingsStream(cloud: LocalCloud): Promise<void> {
  await cloud.kinesis.send(new CreateStreamCommand({ StreamName: FINDINGS_STREAM, ShardCount: 1 }));
  for (let i = 0; ; i++) {
    const { StreamDescription } = await cloud.kinesis.send(new DescribeStreamCommand({ StreamName: FINDINGS_STREAM }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return;
    if (i > 200) throw new Error('findings stream not active');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Attack -> engine on dynalite -> findings published -> mapping -> responder. */
async function runAttack(cloud: LocalCloud, responder: KinesisFunction): Promise<Store> {
  await findingsStream(cloud);
  const store = cloud.store();
  const effects = await analyzeBatch(
    { events: credentialStuffing(Date.now() - 5 * 60_000), rejections: [] },
    { store, clock: systemClock },
  );
  expect(effects.findings.some((f) => f.type === 'credential-stuffing' && f.entity.id === ATTACKER)).toBe(true);
  const poller = new KinesisEventSourcePoller(cloud.kinesis, FINDINGS_STREAM, responder, {
    functionName: 'lantern-responder',
    maximumBatchingWindowMs: 50,
    pollIntervalMs: 50,
  });
  await poller.start();
  try {
    await createKinesisFindingPublisher({ client: cloud.kinesis, stream: FINDINGS_STREAM, clock: systemClock }).publish(
      effects.findings,
    );
    await poller.waitIdle();
  } finally {
    await poller.stop();
  }
  return store;
}

async function targets(store: Store): Promise<TargetState[]> {
  return (await typed<TargetState>(store.actions).list({ prefix: 'target:' })).items.map((i) => i.value);
}

describe('credential stuffing on the local cloud', () => {
  let cloud: LocalCloud | undefined;
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  it('enforce mode: the attacker is blocked (only the attacker), and the block expires', async () => {
    cloud = await startLocalCloud({ shards: 1, prefix: 'lantern-e2e-enforce' });
    const modulePath = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../../functions/responder/handler.ts',
    );
    const handler = await loadHandler<Handler>(cloud, modulePath, 'handler', {
      LANTERN_RESPONSE_MODE: 'enforce',
      LANTERN_ENFORCER: 'local',
    });

    const store = await runAttack(cloud, handler);

    const blocked = (await targets(store)).filter((t) => t.active?.enforced);
    expect(blocked.map((t) => t.target)).toEqual([{ kind: 'ip', address: ATTACKER }]);
    const until = blocked[0]?.active?.until ?? 0;
    expect(until).toBeGreaterThan(Date.now());

    const enforcer = createLocalEnforcer();
    const report = await expireActions({ store, clock: fixedClock(until + 1), mode: 'enforce', enforcer });
    expect(report.expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.history.map((h) => h.change)).toEqual([{ op: 'unblock-ip', address: ATTACKER }]);
    expect((await targets(store)).filter((t) => t.active)).toEqual([]);
  });

  it('monitor mode: the same attack is recorded as a would-be block, nothing is enforced', async () => {
    cloud = await startLocalCloud({ shards: 1, prefix: 'lantern-e2e-monitor' });
    const config = loadResponderConfig({
      ...cloud.functionEnv,
      LANTERN_RESPONSE_MODE: 'monitor',
      LANTERN_ENFORCER: 'local',
    });
    const enforcer = createLocalEnforcer();
    const responder = createResponderHandler({
      store: cloud.store(),
      clock: systemClock,
      config: config.policy,
      enforcer,
      log: { info: () => undefined, error: () => undefined },
    });

    const store = await runAttack(cloud, responder);

    expect(enforcer.history).toEqual([]);
    const recorded = (await targets(store)).filter((t) => t.active);
    expect(recorded.map((t) => [t.target, t.active?.enforced])).toEqual([[{ kind: 'ip', address: ATTACKER }, false]]);
  });
});
