/**
 * The responder end to end: the handler core on the memory store, then the REAL responder handler module on the
 * local cloud — finding events published by the Kinesis adapter onto a kinesalite stream `findings`, delivered by
 * the local event source mapping, decisions and actions kept in dynalite.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateStreamCommand, DescribeStreamCommand } from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponderHandler } from '../../../functions/responder/responder.js';
import { type LocalCloud, loadHandler, startLocalCloud } from '../../../infra/local/cloud.js';
import { KinesisEventSourcePoller } from '../../../infra/local/poller.js';
import { createKinesisFindingPublisher } from '../../../shared/adapters/kinesis-findings/kinesis-finding-publisher.js';
import { createLocalEnforcer } from '../../../shared/adapters/local-enforcer/local-enforcer.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { fixedClock, systemClock } from '../../../shared/ports/clock.js';
import type { Enforcer } from '../../../shared/ports/enforcer.js';
import { type Store, typed } from '../../../shared/ports/store.js';
import { expireActions } from '../../../shared/response/expire.js';
import { encodeFindingEvent, toFindingEvent } from '../../../shared/response/finding-events.js';
import type { AuditEntry, TargetState } from '../../../shared/response/state.js';
import { kinesisEvent } from '../../helpers/kinesis-events.js';
import { ATTACKER, config, makeFinding, T0 } from '../../unit/response/factories.js';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
const quiet = { info: () => undefined, error: () => undefined };

async function activeOf(store: Store, key: string) {
  return (await typed<TargetState>(store.actions).get([`target:${key}`])).get(`target:${key}`)?.value;
}

async function auditEvents(store: Store, target?: string) {
  const events: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await typed<AuditEntry>(store.audit).list({ ...(cursor ? { cursor } : {}) });
    events.push(
      ...page.items.filter((i) => target === undefined || i.value.target === target).map((i) => i.value.event),
    );
    cursor = page.cursor;
  } while (cursor);
  return events;
}

describe('responder handler (memory store)', () => {
  const record = (revision = 1, id = ATTACKER) =>
    encodeFindingEvent(toFindingEvent(makeFinding({ revision, entity: { type: 'ip', id } }), T0));

  it('the same event delivered twice applies one action', async () => {
    // Prepare
    const store = createMemoryStore({ clock: fixedClock(T0) });
    const enforcer = createLocalEnforcer();
    const handle = createResponderHandler({ store, clock: fixedClock(T0), config: config(), enforcer, log: quiet });
    const event = kinesisEvent([record()]);
    // Act
    const first = await handle(event);
    const second = await handle(event);
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(second.batchItemFailures).toEqual([]);
    expect(enforcer.history).toHaveLength(1);
    expect(await auditEvents(store)).toEqual(['decided', 'enforced', 'alerted']);
  });

  it('reports exactly the unreadable and the failed records by sequence number', async () => {
    const store = createMemoryStore({ clock: fixedClock(T0) });
    const local = createLocalEnforcer();
    const failFor = '45.33.32.2';
    // Fails the change for one address only (as WAF reports per change).
    const enforcer: Enforcer = {
      apply: async (changes, context) => {
        const outcomes = [];
        for (const change of changes) {
          if (change.op === 'block-ip' && change.address === failFor)
            outcomes.push({ ok: false as const, change, reason: 'failed' as const, detail: 'throttled' });
          else outcomes.push(...(await local.apply([change], context)).outcomes);
        }
        return { outcomes, evicted: [] };
      },
    };
    const handle = createResponderHandler({ store, clock: fixedClock(T0), config: config(), enforcer, log: quiet });
    const event = kinesisEvent([record(1, '45.33.32.1'), 'garbage', record(1, failFor), record(1, '45.33.32.3')]);
    const response = await handle(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[1]?.kinesis.sequenceNumber,
      event.Records[2]?.kinesis.sequenceNumber,
    ]);
    expect([...local.blockedIps].sort()).toEqual(['45.33.32.1', '45.33.32.3']);
  });
});

describe('responder on the local cloud (kinesalite + dynalite, real handler)', () => {
  let cloud: LocalCloud;
  const streamName = 'lantern-local-findings';

  beforeAll(async () => {
    cloud = await startLocalCloud({ shards: 1, prefix: 'lantern-resp' });
    await cloud.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    for (let i = 0; ; i++) {
      const { StreamDescription } = await cloud.kinesis.send(new DescribeStreamCommand({ StreamName: streamName }));
      if (StreamDescription?.StreamStatus === 'ACTIVE') break;
      if (i > 200) throw new Error('findings stream not active');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('on the DynamoDB store too, the same event twice applies one action', async () => {
    const store = cloud.store();
    const enforcer = createLocalEnforcer();
    const handle = createResponderHandler({ store, clock: systemClock, config: config(), enforcer, log: quiet });
    const finding = makeFinding({ entity: { type: 'ip', id: '45.33.32.200' } });
    const event = kinesisEvent([encodeFindingEvent(toFindingEvent(finding, T0))]);
    expect((await handle(event)).batchItemFailures).toEqual([]);
    expect((await handle(event)).batchItemFailures).toEqual([]);
    expect(enforcer.history.map((h) => h.change)).toEqual([{ op: 'block-ip', address: '45.33.32.200', rank: 201 }]);
    expect((await activeOf(store, 'ip:45.33.32.200'))?.offences).toBe(1);
  });

  it('publishes findings, the mapping delivers them, the real handler blocks once in enforce mode; expiry lifts it', async () => {
    // Prepare: the real handler module, enforce mode, local enforcer (records what it would do), no alert channel.
    const modulePath = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      '../../../functions/responder/handler.ts',
    );
    const handler = await loadHandler<Handler>(cloud, modulePath, 'handler', {
      LANTERN_RESPONSE_MODE: 'enforce',
      LANTERN_ENFORCER: 'local',
      AWS_ENDPOINT_URL_KINESIS: cloud.kinesisEndpoint,
    });
    const poller = new KinesisEventSourcePoller(cloud.kinesis, streamName, handler, {
      functionName: 'lantern-responder',
      maximumBatchingWindowMs: 50,
      pollIntervalMs: 50,
    });
    const publisher = createKinesisFindingPublisher({ client: cloud.kinesis, stream: streamName, clock: systemClock });
    const finding = makeFinding({ lastSeen: Date.now() });
    await poller.start();
    try {
      // Act: the same finding revision published twice (an ingest retry), then an escalation.
      await publisher.publish([finding]);
      await publisher.publish([finding]);
      await publisher.publish([{ ...finding, revision: 2, severity: 'critical' }]);
      await poller.waitIdle();
    } finally {
      await poller.stop();
    }
    // Assess
    const store = cloud.store();
    const state = await activeOf(store, `ip:${ATTACKER}`);
    expect(state).toMatchObject({ offences: 1, active: { kind: 'block', enforced: true, revision: 2 } });
    const events = await auditEvents(store, `ip:${ATTACKER}`);
    expect(events.filter((e) => e === 'decided')).toHaveLength(2);
    expect(events.filter((e) => e === 'enforced')).toHaveLength(2);

    const enforcer = createLocalEnforcer();
    const later = fixedClock((state?.active?.until ?? 0) + 1);
    const report = await expireActions({ store, clock: later, mode: 'enforce', enforcer });
    expect(report.expired).toContain(`ip:${ATTACKER}`);
    expect(enforcer.history.map((h) => h.change)).toContainEqual({ op: 'unblock-ip', address: ATTACKER });
    expect((await activeOf(store, `ip:${ATTACKER}`))?.active).toBeUndefined();
    expect((await auditEvents(store, `ip:${ATTACKER}`)).at(-1)).toBe('expired');
  });
});
