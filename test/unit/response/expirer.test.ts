import { describe, expect, it } from 'vitest';
import { createExpirer, ExpiryIncompleteError } from '../../../functions/expirer/expirer.js';
import { createLocalEnforcer } from '../../../shared/adapters/local-enforcer/local-enforcer.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import type { Enforcer } from '../../../shared/ports/enforcer.js';
import type { FindingPublisher } from '../../../shared/response/finding-events.js';
import { respond } from '../../../shared/response/respond.js';
import { ATTACKER, config, HOUR, makeFinding, T0 } from './factories.js';

const quiet = { info: () => undefined, error: () => undefined };

describe('expirer run', () => {
  it('expires what is due and republishes the findings the responder never answered', async () => {
    // Prepare
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const enforcer = createLocalEnforcer();
    await respond([makeFinding()], { store, clock, config: config(), enforcer });
    const lost = makeFinding({ entity: { type: 'ip', id: '45.33.32.77' }, lastSeen: T0 + HOUR - 10 * 60_000 });
    await store.findings.put([{ id: lost.id, value: lost, expectedVersion: 0 }]);
    clock.advance(HOUR);
    const published: Finding[] = [];
    const publisher: FindingPublisher = { publish: async (findings) => void published.push(...findings) };
    // Act
    const run = await createExpirer({ store, clock, config: config(), enforcer, publisher, log: quiet })();
    // Assess
    expect(run).toEqual({ expired: 1, republished: 1 });
    expect(published.map((f) => f.entity.id)).toEqual(['45.33.32.77']);
    expect(enforcer.blockedIps.size).toBe(0);
  });

  it('lifts early a block on an address allowlisted since', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const enforcer = createLocalEnforcer();
    await respond([makeFinding()], { store, clock, config: config(), enforcer });
    const run = await createExpirer({
      store,
      clock,
      config: config({ allow: { cidrs: ['45.33.32.0/24'], apiKeys: [], principals: [] } }),
      enforcer,
      log: quiet,
    })();
    expect(run.expired).toBe(1);
    expect(enforcer.blockedIps.size).toBe(0);
    const audit = (await store.audit.list()).items.map((i) => i.value as { event: string; reason: string });
    expect(audit.at(-1)).toMatchObject({
      event: 'lifted',
      reason: 'lifted early: 45.33.32.156 is now allowlisted (45.33.32.0/24)',
    });
  });

  it('fails the run when a lift failed (retried next run)', async () => {
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const deps = { store, clock, config: config(), enforcer: createLocalEnforcer(), log: quiet };
    await respond([makeFinding()], deps);
    clock.advance(HOUR);
    const broken: Enforcer = {
      apply: async (changes) => ({
        outcomes: changes.map((change) => ({ ok: false as const, change, reason: 'failed' as const, detail: 'down' })),
        evicted: [],
      }),
    };
    await expect(createExpirer({ ...deps, enforcer: broken })()).rejects.toThrow(
      new ExpiryIncompleteError(`could not lift ip:${ATTACKER} (down)`),
    );
  });
  it('a key throttle hardened into a block: the run lifts both, and a second run on the same expiry does nothing', async () => {
    // Prepare: k1 throttled (plans: gold), then hardened into a block.
    const clock = fixedClock(T0);
    const store = createMemoryStore({ clock });
    const enforcer = createLocalEnforcer({ originalPlans: () => ['gold'] });
    const deps = { store, clock, config: config(), enforcer, log: quiet };
    const keyFinding = (revision: number, severity: Finding['severity'], confidence: number) => {
      const f = makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity, confidence, revision });
      return { ...f, evidence: { ...f.evidence, successfulLogins: 3 } };
    };
    await respond([keyFinding(1, 'medium', 0.8)], deps);
    clock.advance(10 * 60_000);
    await respond([keyFinding(2, 'critical', 0.95)], deps);
    expect([...enforcer.blockedKeys]).toEqual(['k1']);
    clock.advance(48 * HOUR);
    // Act
    const run = createExpirer(deps);
    const first = await run();
    const second = await run();
    // Assess
    expect(first).toEqual({ expired: 1, republished: 0 });
    expect(second).toEqual({ expired: 0, republished: 0 });
    expect(enforcer.history.map((h) => h.change)).toEqual([
      { op: 'throttle-key', apiKeyId: 'k1' },
      expect.objectContaining({ op: 'block-key', apiKeyId: 'k1' }),
      { op: 'unblock-key', apiKeyId: 'k1' },
      { op: 'unthrottle-key', apiKeyId: 'k1', restoreUsagePlanIds: ['gold'] },
    ]);
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.size).toBe(0);
    const audit = (await store.audit.list()).items.map((i) => i.value as { event: string; reason: string });
    expect(audit.filter((e) => e.event === 'expired')).toHaveLength(1);
    expect(audit.at(-1)?.reason).toMatch(/taken out of the quarantine usage plan \(back to gold\)$/);
  });

  it('a new finding recorded and enforced between the lift and the end stands: on record and at the edge', async () => {
    // Prepare: the address is blocked; when its block is due, the expirer lifts it, and right after that lift the
    // responder records and enforces a new revision of the finding (before the expirer ends the action it read).
    const { clock, store, edge, deps, racing } = await dueBlockRaced('after');
    const logged: Array<[string, unknown]> = [];
    const log = { info: (message: string, data?: unknown) => logged.push([message, data]), error: () => undefined };
    // Act
    const run = await createExpirer({ ...deps, enforcer: racing.enforcer, log })();
    // Assess
    expect(racing.interleaved).toBe(true);
    expect(run.expired).toBe(0);
    expect(logged).toContainEqual(['superseded', { targets: [`ip:${ATTACKER}`] }]);
    expect([...edge.blockedIps]).toEqual([ATTACKER]);
    const target = (await store.actions.get([`target:ip:${ATTACKER}`])).get(`target:ip:${ATTACKER}`)?.value as {
      active?: { revision: number; until: number; enforced: boolean };
    };
    expect(target.active).toMatchObject({ revision: 2, enforced: true });
    const audit = (await store.audit.list()).items.map((i) => i.value as { event: string; revision?: number });
    expect(audit.filter((e) => e.event === 'expired')).toEqual([]);
    expect(audit.at(-1)).toMatchObject({ event: 'lift-superseded', revision: 1 });
    // The new block is lifted on its own time.
    clock.advance((target.active?.until ?? 0) - clock.now());
    expect(await createExpirer(deps)()).toEqual({ expired: 1, republished: 0 });
    expect(edge.blockedIps.size).toBe(0);
  });

  it('a new finding enforced after the expirer read the target but before its lift reached the edge is put back there', async () => {
    // Prepare: the block is due; the expirer reads it, then the responder records and enforces revision 2 (a no-op at
    // the edge, the address is still blocked), and only then does the expirer's unblock reach the edge.
    const { edge, deps, store, racing } = await dueBlockRaced('before');
    // Act
    const run = await createExpirer({ ...deps, enforcer: racing.enforcer, log: quiet })();
    // Assess: revision 2 stands on record and, again, at the edge; the audit says the lift was undone.
    expect(racing.interleaved).toBe(true);
    expect(run.expired).toBe(0);
    expect([...edge.blockedIps]).toEqual([ATTACKER]);
    expect(edge.history.map((h) => h.change.op)).toEqual(['block-ip', 'block-ip', 'unblock-ip', 'block-ip']);
    const audit = (await store.audit.list()).items.map((i) => i.value as { event: string; reason: string });
    expect(audit.at(-1)).toMatchObject({
      event: 'lift-superseded',
      reason: expect.stringMatching(/put back at the edge$/),
    });
  });
});

/**
 * An address blocked an hour ago, its block now due, and an edge on which the responder records and enforces
 * revision 2 of its finding just before or just after the expirer's unblock lands.
 */
async function dueBlockRaced(when: 'before' | 'after') {
  const clock = fixedClock(T0);
  const store = createMemoryStore({ clock });
  const edge = createLocalEnforcer();
  const deps = { store, clock, config: config(), enforcer: edge, log: quiet };
  await respond([makeFinding()], deps);
  clock.advance(HOUR);
  const racing = racingUnblock(edge, when, () => respond([makeFinding({ revision: 2, lastSeen: clock.now() })], deps));
  return { clock, store, edge, deps, racing };
}

/** An edge on which `meanwhile` (the responder acting) runs once, just before or just after the first unblock lands. */
function racingUnblock(edge: Enforcer, when: 'before' | 'after', meanwhile: () => Promise<unknown>) {
  const race = { interleaved: false, enforcer: edge };
  race.enforcer = {
    apply: async (changes, context) => {
      const due = !race.interleaved && changes.some((c) => c.op === 'unblock-ip');
      if (due) race.interleaved = true;
      if (due && when === 'before') await meanwhile();
      const report = await edge.apply(changes, context);
      if (due && when === 'after') await meanwhile();
      return report;
    },
  };
  return race;
}
