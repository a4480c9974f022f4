import { describe, expect, it } from 'vitest';
import { createLocalEnforcer } from '../../../shared/adapters/local-enforcer/local-enforcer.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import type { EnforcementChange, Enforcer } from '../../../shared/ports/enforcer.js';
import type { Notification, Notifier } from '../../../shared/ports/notifier.js';
import { typed } from '../../../shared/ports/store.js';
import { applyOverride, expireActions, OverrideError } from '../../../shared/response/expire.js';
import { unansweredFindings } from '../../../shared/response/reconcile.js';
import { applyFor, liftFor, respond } from '../../../shared/response/respond.js';
import {
  type AuditEntry,
  capDocId,
  type DecisionRecord,
  type HourlyCounts,
  type TargetState,
} from '../../../shared/response/state.js';
import { interceptPuts } from '../../helpers/store-faults.js';
import { ATTACKER, config, HOUR, makeFinding, T0 } from './factories.js';

function setup(mode: 'monitor' | 'enforce' = 'enforce', overrides: Parameters<typeof config>[0] = {}) {
  const clock = fixedClock(T0);
  const store = createMemoryStore({ clock });
  const enforcer = createLocalEnforcer({ now: clock.now, originalPlans: () => ['gold'] });
  const sent: Notification[] = [];
  const notifier: Notifier = { notify: async (n) => void sent.push(n) };
  const deps = { store, clock, config: config({ mode, ...overrides }), enforcer, notifier };
  const target = async (key: string) =>
    (await typed<TargetState>(store.actions).get([`target:${key}`])).get(`target:${key}`)?.value;
  const auditTrail = async () => (await typed<AuditEntry>(store.audit).list()).items.map((i) => i.value);
  const hourlyCounts = async (at = clock.now()) =>
    (await typed<HourlyCounts>(store.actions).get([capDocId(at)])).get(capDocId(at))?.value;
  return { clock, store, enforcer, sent, deps, target, auditTrail, hourlyCounts };
}

/** A key finding that shows the key used (logins won with it), throttle-worthy unless overridden. */
function keyFinding(id: string, revision = 1, overrides: Partial<Finding> = {}): Finding {
  const base = makeFinding({ entity: { type: 'api-key', id }, severity: 'medium', confidence: 0.8, revision });
  return { ...base, evidence: { ...base.evidence, successfulLogins: 3 }, ...overrides };
}

/** An edge that applies nothing: every change fails with `reason`. */
function refusingEveryChange(reason: 'failed' | 'set-full', detail: string): Enforcer {
  return {
    apply: async (changes) => ({
      outcomes: changes.map((change) => ({ ok: false as const, change, reason, detail })),
      evicted: [],
    }),
  };
}

/** `edge`, except that every change of kind `op` fails with `reason` (the rest is applied). */
function failingOne(
  edge: Enforcer,
  op: EnforcementChange['op'],
  reason: 'failed' | 'set-full',
  detail: string,
): Enforcer {
  return {
    apply: async (changes, context) => {
      const report = await edge.apply(
        changes.filter((c) => c.op !== op),
        context,
      );
      let k = 0;
      return {
        evicted: report.evicted,
        outcomes: changes.map((change) =>
          change.op === op
            ? { ok: false as const, change, reason, detail }
            : (report.outcomes[k++] as (typeof report.outcomes)[number]),
        ),
      };
    },
  };
}

describe('responder', () => {
  it('enforce mode: blocks, records the action, audits and alerts once', async () => {
    // Prepare
    const { deps, enforcer, sent, target, auditTrail } = setup('enforce');
    // Act
    const [outcome] = await respond([makeFinding()], deps);
    // Assess
    expect(outcome).toMatchObject({ duplicate: false, alerted: true, decision: { action: 'block', enforce: true } });
    expect([...enforcer.blockedIps]).toEqual([ATTACKER]);
    expect(await target(`ip:${ATTACKER}`)).toMatchObject({
      offences: 1,
      active: { kind: 'block', until: T0 + HOUR, enforced: true, revision: 1 },
    });
    expect((await auditTrail()).map((e) => e.event)).toEqual(['decided', 'enforced', 'alerted']);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.kind === 'alert' && sent[0].alert.actionTaken).toMatch(
      /^Done: block in AWS WAF address 45\.33\.32\.156 until/,
    );
  });

  it('the same finding event twice applies one action and sends one alert', async () => {
    const { deps, enforcer, sent, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    const [again] = await respond([makeFinding()], deps);
    expect(again?.duplicate).toBe(true);
    expect(enforcer.history).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect((await auditTrail()).filter((e) => e.event === 'decided')).toHaveLength(1);
  });

  it('the same revision twice in one batch is handled once', async () => {
    const { deps, enforcer, sent } = setup('enforce');
    const outcomes = await respond([makeFinding(), makeFinding()], deps);
    expect(outcomes.map((o) => o.duplicate)).toEqual([false, true]);
    expect(enforcer.history).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('a retry after a failed enforcement redoes only what is missing', async () => {
    const { deps, enforcer, target } = setup('enforce');
    let fail = true;
    const flaky: Enforcer = {
      apply: async (changes, context) => {
        if (fail)
          return {
            outcomes: changes.map((change) => ({
              ok: false as const,
              change,
              reason: 'failed' as const,
              detail: 'WAF unavailable',
            })),
            evicted: [],
          };
        return enforcer.apply(changes, context);
      },
    };
    const [first] = await respond([makeFinding()], { ...deps, enforcer: flaky });
    expect(first?.error).toBeInstanceOf(Error);
    fail = false;
    const [second] = await respond([makeFinding()], { ...deps, enforcer: flaky });
    expect(second?.error).toBeUndefined();
    expect(enforcer.history).toHaveLength(1);
    expect((await target(`ip:${ATTACKER}`))?.offences).toBe(1);
  });

  it('monitor mode records what it would do, enforces nothing, and says so in the alert', async () => {
    const { deps, enforcer, sent, target } = setup('monitor');
    await respond([makeFinding()], deps);
    expect(enforcer.history).toHaveLength(0);
    expect((await target(`ip:${ATTACKER}`))?.active).toMatchObject({ kind: 'block', enforced: false });
    expect(sent[0]?.kind === 'alert' && sent[0].alert.actionTaken).toMatch(
      /^Monitor mode, nothing enforced: would block/,
    );
  });

  it('an escalation (new revision) extends the block instead of adding a second', async () => {
    const { deps, clock, enforcer, target, sent } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(30 * 60_000);
    await respond([makeFinding({ revision: 2, severity: 'critical' })], deps);
    const state = await target(`ip:${ATTACKER}`);
    expect(state).toMatchObject({
      offences: 1,
      active: { revision: 2, since: T0, until: T0 + 30 * 60_000 + 4 * HOUR },
    });
    expect(enforcer.blockedIps.size).toBe(1);
    expect(sent).toHaveLength(2); // one alert per finding and escalation
  });

  it('expires blocks through the enforcer and audits it; the next offence lasts longer', async () => {
    const { deps, clock, enforcer, target, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(HOUR - 1);
    expect((await expireActions({ ...deps, mode: 'enforce' })).expired).toEqual([]);
    clock.advance(1);
    expect((await expireActions({ ...deps, mode: 'enforce' })).expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.blockedIps.size).toBe(0);
    expect((await target(`ip:${ATTACKER}`))?.last).toMatchObject({ how: 'expired' });
    expect((await auditTrail()).map((e) => e.event)).toContain('expired');
    await respond([makeFinding({ revision: 2 })], deps);
    expect((await target(`ip:${ATTACKER}`))?.active?.until).toBe(clock.now() + 4 * HOUR);
  });

  it('throttles a key, remembers its plans, and restores them on expiry', async () => {
    const { deps, clock, enforcer, target } = setup('enforce');
    const finding = makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity: 'medium', confidence: 0.8 });
    await respond([finding], deps);
    expect((await target('api-key:k1'))?.active).toMatchObject({
      kind: 'throttle',
      restore: { usagePlanIds: ['gold'] },
    });
    clock.advance(HOUR);
    await expireActions({ ...deps, mode: 'enforce' });
    expect(enforcer.history.at(-1)?.change).toEqual({
      op: 'unthrottle-key',
      apiKeyId: 'k1',
      restoreUsagePlanIds: ['gold'],
    });
  });

  it('a manual unblock lifts the block and the next detection respects it', async () => {
    const { deps, clock, enforcer, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    await applyOverride(
      {
        op: 'unblock',
        target: { kind: 'ip', address: ATTACKER },
        by: 'ops@example.com',
        holdMs: 24 * HOUR,
        note: 'customer NAT',
      },
      { ...deps, mode: 'enforce' },
    );
    expect(enforcer.blockedIps.size).toBe(0);
    clock.advance(HOUR);
    const [next] = await respond([makeFinding({ revision: 2, severity: 'critical' })], deps);
    expect(next?.decision.action).toBe('none');
    expect(next?.decision.reasons.join()).toMatch(/manually unblocked by ops@example.com/);
    expect(enforcer.blockedIps.size).toBe(0);
    expect((await auditTrail()).filter((e) => e.by === 'ops@example.com').map((e) => e.event)).toEqual([
      'lifted',
      'override',
    ]);
  });

  it('a manual extend keeps the block longer; a manual allow stops all action', async () => {
    const { deps, clock, enforcer, target } = setup('enforce');
    await respond([makeFinding()], deps);
    await applyOverride(
      { op: 'extend', target: { kind: 'ip', address: ATTACKER }, by: 'ops', until: T0 + 48 * HOUR },
      { ...deps, mode: 'enforce' },
    );
    clock.advance(2 * HOUR);
    await expireActions({ ...deps, mode: 'enforce' });
    expect(enforcer.blockedIps.size).toBe(1);
    await applyOverride(
      { op: 'allow', target: { kind: 'ip', address: ATTACKER }, by: 'ops' },
      { ...deps, mode: 'enforce' },
    );
    expect(enforcer.blockedIps.size).toBe(0);
    const [next] = await respond([makeFinding({ revision: 2, severity: 'critical' })], deps);
    expect(next?.decision.reasons.join()).toMatch(/allowlisted by ops/);
    expect((await target(`ip:${ATTACKER}`))?.override?.kind).toBe('allow');
  });

  it('the hourly cap turns further blocks into alerts', async () => {
    const { deps, enforcer } = setup('enforce', { maxNewBlocksPerHour: 2 });
    const findings = ['45.33.32.1', '45.33.32.2', '45.33.32.3'].map((id) =>
      makeFinding({ entity: { type: 'ip', id } }),
    );
    const outcomes = await respond(findings, deps);
    expect(outcomes.map((o) => o.decision.action)).toEqual(['block', 'block', 'none']);
    expect(outcomes[2]?.decision.reasons.join()).toMatch(/hourly cap/);
    expect(enforcer.blockedIps.size).toBe(2);
  });

  it('the hourly throttle cap: the 51st new key throttle in an hour is alerted instead', async () => {
    // Prepare
    const { deps, enforcer, sent, hourlyCounts } = setup('enforce', { digestThreshold: 100 });
    const findings = Array.from({ length: 51 }, (_, n) => keyFinding(`k${n + 1}`));
    // Act
    const outcomes = await respond(findings, deps);
    // Assess
    expect(outcomes.slice(0, 50).every((o) => o.decision.action === 'throttle')).toBe(true);
    expect(outcomes[50]?.decision).toMatchObject({ action: 'none', alert: true });
    expect(outcomes[50]?.decision.reasons.join()).toMatch(/hourly cap of 50 new throttles reached/);
    expect(enforcer.throttledKeys.size).toBe(50);
    expect(enforcer.throttledKeys.has('k51')).toBe(false);
    expect(await hourlyCounts()).toMatchObject({ count: 0, throttles: 50 });
    expect(sent.filter((n) => n.kind === 'alert' && /hourly cap/.test(n.alert.actionTaken))).toHaveLength(1);
  });

  it('a redelivered revision does not count its throttle twice', async () => {
    // Prepare: the first delivery records the throttle, then fails at the edge; the retry completes it.
    const { deps, enforcer, hourlyCounts } = setup('enforce', { maxNewThrottlesPerHour: 2 });
    let fail = true;
    const flaky: Enforcer = {
      apply: async (changes, context) =>
        fail
          ? {
              outcomes: changes.map((change) => ({
                ok: false as const,
                change,
                reason: 'failed' as const,
                detail: 'API Gateway unavailable',
              })),
              evicted: [],
            }
          : enforcer.apply(changes, context),
    };
    // Act
    const [first] = await respond([keyFinding('k1')], { ...deps, enforcer: flaky });
    fail = false;
    const [retry] = await respond([keyFinding('k1')], { ...deps, enforcer: flaky });
    const [again] = await respond([keyFinding('k1')], deps);
    const [second] = await respond([keyFinding('k2')], deps);
    // Assess: k1 counts once, so the cap of 2 still has room for k2.
    expect(first?.error).toBeInstanceOf(Error);
    expect(retry).toMatchObject({ duplicate: false, decision: { action: 'throttle' } });
    expect(retry?.error).toBeUndefined();
    expect(again?.duplicate).toBe(true);
    expect(second?.decision.action).toBe('throttle');
    expect(await hourlyCounts()).toMatchObject({ count: 0, throttles: 2 });
    expect((await hourlyCounts())?.counted).toHaveLength(2);
    expect([...enforcer.throttledKeys.keys()]).toEqual(['k1', 'k2']);
  });

  it.each([
    ['refused before it landed', 'before'],
    ['landed but went unacknowledged', 'after'],
  ] as const)('a count write that failed (%s) is counted exactly once on retry', async (_, when) => {
    // Prepare: the hour's first write of its cap document fails once, either way a store write can fail.
    const { deps, store, enforcer, hourlyCounts } = setup('enforce', { maxNewThrottlesPerHour: 2 });
    const actions = store.actions;
    let failed = false;
    const faulty = interceptPuts(actions, async (items, write) => {
      if (failed || !items.some((i) => i.id.startsWith('cap:'))) return write(items);
      failed = true;
      if (when === 'after') await write(items);
      throw new Error('DynamoDB: ProvisionedThroughputExceededException');
    });
    const faultyDeps = { ...deps, store: { ...store, actions: faulty } };
    // Act
    const [first] = await respond([keyFinding('k1')], faultyDeps);
    const [retry] = await respond([keyFinding('k1')], faultyDeps);
    const [second] = await respond([keyFinding('k2')], faultyDeps);
    const [third] = await respond([keyFinding('k3')], faultyDeps);
    // Assess: k1 counts once, whichever way its count failed; the cap of 2 then holds k3 back.
    expect(first?.error).toBeInstanceOf(Error);
    expect(retry?.error).toBeUndefined();
    expect(second?.decision.action).toBe('throttle');
    expect(third?.decision.action).toBe('none');
    expect(await hourlyCounts()).toMatchObject({ count: 0, throttles: 2 });
    expect([...enforcer.throttledKeys.keys()]).toEqual(['k1', 'k2']);
  });

  it('a retried revision does not overwrite a later revision of its finding already on the target', async () => {
    // Prepare: revision 1's first write fails; revision 2 (an escalation, same batch) is recorded meanwhile.
    const { deps, store, target } = setup('enforce');
    const actions = store.actions;
    let failed = false;
    const faulty = interceptPuts(actions, async (items, write) => {
      if (failed || !items.some((i) => i.id.startsWith('cap:'))) return write(items);
      failed = true;
      throw new Error('DynamoDB: InternalServerError');
    });
    const faultyDeps = { ...deps, store: { ...store, actions: faulty } };
    const batch = [makeFinding(), makeFinding({ revision: 2, severity: 'critical' })];
    // Act: the stream redelivers both.
    const first = await respond(batch, faultyDeps);
    const retry = await respond(batch, faultyDeps);
    // Assess: the target keeps revision 2 (its severity ranks the block when a WAF set is full).
    expect(first.map((o) => o.error === undefined)).toEqual([false, true]);
    expect(retry.map((o) => o.error)).toEqual([undefined, undefined]);
    expect((await target(`ip:${ATTACKER}`))?.active).toMatchObject({ revision: 2, severity: 'critical' });
  });

  it('the throttle count starts again with the next clock hour', async () => {
    // Prepare
    const { deps, clock, hourlyCounts } = setup('enforce', { maxNewThrottlesPerHour: 1 });
    await respond([keyFinding('k1')], deps);
    const [capped] = await respond([keyFinding('k2')], deps);
    // Act: T0 is on the hour; the next hour starts one hour later.
    clock.advance(HOUR);
    const [next] = await respond([keyFinding('k2', 2)], deps);
    // Assess
    expect(capped?.decision.action).toBe('none');
    expect(next?.decision.action).toBe('throttle');
    expect(await hourlyCounts()).toMatchObject({ count: 0, throttles: 1 });
    expect(await hourlyCounts(T0)).toMatchObject({ count: 0, throttles: 1 });
  });

  it('a throttle hardened into a block counts against the block cap', async () => {
    // Prepare: one new block an hour; a throttled key turns block-worthy.
    const { deps, clock, enforcer, hourlyCounts } = setup('enforce', { maxNewBlocksPerHour: 1 });
    await respond([keyFinding('k1')], deps);
    clock.advance(10 * 60_000);
    // Act
    const [hardened] = await respond([keyFinding('k1', 2, { severity: 'critical', confidence: 0.95 })], deps);
    const [address] = await respond([makeFinding()], deps);
    // Assess: the key's block took the hour's one block, so the address is alerted instead.
    expect(hardened?.decision).toMatchObject({ action: 'block', extends: true });
    expect(enforcer.blockedKeys.has('k1')).toBe(true);
    expect(await hourlyCounts()).toMatchObject({ count: 1, throttles: 1 });
    expect(address?.decision).toMatchObject({ action: 'none', alert: true });
    expect(address?.decision.reasons.join()).toMatch(/hourly cap of 1 new blocks reached/);
    expect(enforcer.blockedIps.size).toBe(0);
  });

  it('many findings at once reach the enforcer in one call (one write per WAF set)', async () => {
    const { deps, enforcer } = setup('enforce');
    const calls: number[] = [];
    const counting: Enforcer = {
      apply: async (changes, context) => {
        calls.push(changes.length);
        return enforcer.apply(changes, context);
      },
    };
    const findings = [1, 2, 3].map((n) => makeFinding({ entity: { type: 'ip', id: `45.33.32.${n}` } }));
    await respond(findings, { ...deps, enforcer: counting });
    expect(calls).toEqual([3]);
    expect(enforcer.blockedIps.size).toBe(3);
  });

  it('a worse offender evicts a weaker block from a full set: the evicted block is ended and the alert says so', async () => {
    const { deps, enforcer, target, sent, auditTrail } = setup('enforce');
    await respond([makeFinding({ entity: { type: 'ip', id: '45.33.32.9' }, severity: 'high' })], deps);
    const evicting: Enforcer = {
      apply: async (changes, context) => {
        const ranks = await context?.ranks?.([{ kind: 'ip', address: '45.33.32.9' }]);
        expect(ranks?.get('ip:45.33.32.9')).toBe(201); // high (2) × 100 + 1 offence
        const report = await enforcer.apply(changes, context);
        return { ...report, evicted: [{ op: 'block-ip', target: '45.33.32.9' }] };
      },
    };
    await respond([makeFinding({ severity: 'critical' })], { ...deps, enforcer: evicting });
    expect((await target('ip:45.33.32.9'))?.last).toMatchObject({ how: 'evicted' });
    expect((await target('ip:45.33.32.9'))?.active).toBeUndefined();
    const last = sent.at(-1);
    expect(last?.kind === 'alert' && last.alert.actionTaken).toMatch(/45\.33\.32\.9 was unblocked early/);
    expect((await auditTrail()).map((e) => e.event)).toContain('evicted');
  });

  it('a lift that fails at the edge stays active and is retried by the next expiry run', async () => {
    const { deps, clock, enforcer, target } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(HOUR);
    const broken = refusingEveryChange('failed', 'WAFInternalErrorException');
    const failed = await expireActions({ ...deps, enforcer: broken, mode: 'enforce' });
    expect(failed).toEqual({
      expired: [],
      failed: [{ target: `ip:${ATTACKER}`, detail: 'WAFInternalErrorException' }],
      superseded: [],
    });
    expect((await target(`ip:${ATTACKER}`))?.active).toBeDefined();
    expect((await expireActions({ ...deps, mode: 'enforce' })).expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.blockedIps.size).toBe(0);
  });

  it('clearing an override lets Lantern act again', async () => {
    const { deps } = setup('enforce');
    await applyOverride(
      { op: 'allow', target: { kind: 'ip', address: ATTACKER }, by: 'ops' },
      { ...deps, mode: 'enforce' },
    );
    expect((await respond([makeFinding()], deps))[0]?.decision.action).toBe('none');
    await applyOverride(
      { op: 'clear', target: { kind: 'ip', address: ATTACKER }, by: 'ops' },
      { ...deps, mode: 'enforce' },
    );
    expect((await respond([makeFinding({ revision: 2 })], deps))[0]?.decision.action).toBe('block');
  });

  it('many alerts at once become one digest', async () => {
    const { deps, sent } = setup('monitor', { digestThreshold: 3 });
    const findings = [1, 2, 3, 4].map((n) => makeFinding({ entity: { type: 'ip', id: `45.33.32.${n}` } }));
    const outcomes = await respond(findings, deps);
    expect(sent.map((n) => n.kind)).toEqual(['digest']);
    expect(sent[0]?.kind === 'digest' && sent[0].digest.alerts).toHaveLength(4);
    expect(outcomes.every((o) => o.alerted)).toBe(true);
  });

  it('an alert that could not be sent is retried with the event, without acting again', async () => {
    const { deps, enforcer, sent } = setup('enforce');
    let down = true;
    const notifier: Notifier = {
      notify: async (n) => {
        if (down) throw new Error('SNS unavailable');
        sent.push(n);
      },
    };
    const [first] = await respond([makeFinding()], { ...deps, notifier });
    expect(first?.error).toBeInstanceOf(Error);
    down = false;
    const [second] = await respond([makeFinding()], { ...deps, notifier });
    expect(second).toMatchObject({ alerted: true });
    expect(sent).toHaveLength(1);
    expect(enforcer.history).toHaveLength(1);
  });

  it('a block refused because the WAF set is full is recorded as not in force, and alerted', async () => {
    const { deps, target, sent } = setup('enforce', { alertMinSeverity: 'critical' });
    const full = refusingEveryChange('set-full', 'the WAF set is full');
    await respond([makeFinding()], { ...deps, enforcer: full });
    expect((await target(`ip:${ATTACKER}`))?.active).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.kind === 'alert' && sent[0].alert.actionTaken).toMatch(/Could not block: the WAF set is full/);
    const record = (await typed<DecisionRecord>(deps.store.actions).list({ prefix: 'finding:' })).items[0]?.value;
    expect(record?.done).toEqual({ audited: true, applied: true, alerted: true });
  });
});

describe('a throttle hardened into a block', () => {
  /** Throttles k1 (its plans: gold), then hardens the throttle into a block ten minutes later. */
  async function hardened(enforcer?: Enforcer) {
    const s = setup('enforce');
    await respond([keyFinding('k1')], s.deps);
    s.clock.advance(10 * 60_000);
    await respond([keyFinding('k1', 2, { severity: 'critical', confidence: 0.95 })], {
      ...s.deps,
      ...(enforcer ? { enforcer } : {}),
    });
    return s;
  }
  const ops = (enforcer: ReturnType<typeof setup>['enforcer']) => enforcer.history.map((h) => h.change.op);

  it('on expiry, unblocks the key and restores it to its plans (out of the quarantine plan)', async () => {
    // Prepare
    const { deps, clock, enforcer, target, auditTrail } = await hardened();
    expect((await target('api-key:k1'))?.active).toMatchObject({ kind: 'block', restore: { usagePlanIds: ['gold'] } });
    clock.advance(48 * HOUR);
    // Act
    const report = await expireActions({ ...deps, mode: 'enforce' });
    // Assess
    expect(report).toEqual({ expired: ['api-key:k1'], failed: [], superseded: [] });
    expect(ops(enforcer)).toEqual(['throttle-key', 'block-key', 'unblock-key', 'unthrottle-key']);
    expect(enforcer.history.at(-1)?.change).toEqual({
      op: 'unthrottle-key',
      apiKeyId: 'k1',
      restoreUsagePlanIds: ['gold'],
    });
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.size).toBe(0);
    expect((await target('api-key:k1'))?.active).toBeUndefined();
    expect((await auditTrail()).at(-1)).toMatchObject({ event: 'expired', action: 'end-block', target: 'api-key:k1' });
    // A second run on the same expiry finds nothing to do.
    expect(await expireActions({ ...deps, mode: 'enforce' })).toEqual({ expired: [], failed: [], superseded: [] });
    expect(enforcer.history).toHaveLength(4);
  });

  it('a lift that half-succeeded finishes on the next run without repeating the half that was done', async () => {
    const { deps, clock, enforcer, target, auditTrail } = await hardened();
    clock.advance(48 * HOUR);
    const plansDown = failingOne(enforcer, 'unthrottle-key', 'failed', 'TooManyRequestsException');
    // Act: the WAF half works, the usage-plan half does not.
    const first = await expireActions({ ...deps, enforcer: plansDown, mode: 'enforce' });
    expect(first).toEqual({
      expired: [],
      failed: [{ target: 'api-key:k1', detail: 'TooManyRequestsException' }],
      superseded: [],
    });
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.has('k1')).toBe(true);
    expect((await target('api-key:k1'))?.active).toMatchObject({ kind: 'block', restore: { usagePlanIds: ['gold'] } });
    expect((await auditTrail()).at(-1)).toMatchObject({
      event: 'lift-incomplete',
      target: 'api-key:k1',
      reason: 'done: unblock-key; failed: TooManyRequestsException; the rest is retried',
    });
    const second = await expireActions({ ...deps, mode: 'enforce' });
    // Assess: only the missing half was applied.
    expect(second).toEqual({ expired: ['api-key:k1'], failed: [], superseded: [] });
    expect(ops(enforcer)).toEqual(['throttle-key', 'block-key', 'unblock-key', 'unthrottle-key']);
    expect(enforcer.throttledKeys.size).toBe(0);
    expect((await target('api-key:k1'))?.active).toBeUndefined();
    expect((await auditTrail()).map((e) => e.event).slice(-2)).toEqual(['lift-incomplete', 'expired']);
  });

  it('a finding after a lift that restored the plans but left the block extends the block alone: the plans are not restored twice', async () => {
    // Prepare: the hardened block is due; its lift restores the key's plans but fails to unblock it.
    const { deps, clock, enforcer, target } = await hardened();
    clock.advance(48 * HOUR);
    const wafDown = failingOne(enforcer, 'unblock-key', 'failed', 'WAFInternalErrorException');
    expect((await expireActions({ ...deps, enforcer: wafDown, mode: 'enforce' })).failed).toHaveLength(1);
    expect(enforcer.throttledKeys.size).toBe(0);
    // Act: a new finding for the key before the next expiry run, then the expirer once the block is due again.
    const [again] = await respond([keyFinding('k1', 3, { severity: 'critical', confidence: 0.95 })], deps);
    const extended = (await target('api-key:k1'))?.active;
    clock.advance(200 * HOUR);
    const report = await expireActions({ ...deps, mode: 'enforce' });
    // Assess: the block is extended with nothing of the quarantine already lifted; its lift only unblocks.
    expect(again?.decision).toMatchObject({ action: 'block', extends: true });
    expect(extended?.restore).toBeUndefined();
    expect(extended?.hardenedFrom).toBeUndefined();
    expect(report).toEqual({ expired: ['api-key:k1'], failed: [], superseded: [] });
    expect(ops(enforcer)).toEqual(['throttle-key', 'block-key', 'unthrottle-key', 'block-key', 'unblock-key']);
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.size).toBe(0);
  });

  it('a hardening refused because the WAF key set is full leaves the throttle in force, and it is lifted on time', async () => {
    // Prepare
    const s = setup('enforce');
    await respond([keyFinding('k1')], s.deps);
    const throttle = (await s.target('api-key:k1'))?.active;
    s.clock.advance(10 * 60_000);
    const keySetFull = failingOne(s.enforcer, 'block-key', 'set-full', 'the WAF key set is full');
    // Act
    await respond([keyFinding('k1', 2, { severity: 'critical', confidence: 0.95 })], {
      ...s.deps,
      enforcer: keySetFull,
    });
    // Assess: still the throttle it was (same finding, same end), its plans still known.
    expect((await s.target('api-key:k1'))?.active).toEqual(throttle);
    expect((await s.auditTrail()).map((e) => e.event)).toContain('enforce-failed');
    s.clock.advance(48 * HOUR);
    expect(await expireActions({ ...s.deps, mode: 'enforce' })).toEqual({
      expired: ['api-key:k1'],
      failed: [],
      superseded: [],
    });
    expect(ops(s.enforcer)).toEqual(['throttle-key', 'unthrottle-key']);
    expect(s.enforcer.history.at(-1)?.change).toEqual({
      op: 'unthrottle-key',
      apiKeyId: 'k1',
      restoreUsagePlanIds: ['gold'],
    });
    expect(s.enforcer.throttledKeys.size).toBe(0);
  });

  it('a block evicted from a full WAF key set leaves the throttle under it, lifted when it is due', async () => {
    // Prepare
    const s = setup('enforce');
    await respond([keyFinding('k1')], s.deps);
    const throttle = (await s.target('api-key:k1'))?.active;
    s.clock.advance(10 * 60_000);
    await respond([keyFinding('k1', 2, { severity: 'critical', confidence: 0.95 })], s.deps);
    const evicting: Enforcer = {
      apply: async (changes, context) => {
        const report = await s.enforcer.apply([...changes, { op: 'unblock-key', apiKeyId: 'k1' }], context);
        return { outcomes: report.outcomes.slice(0, changes.length), evicted: [{ op: 'block-key', target: 'k1' }] };
      },
    };
    // Act: a worse key takes k1's place in the WAF key set.
    await respond([keyFinding('k2', 1, { severity: 'critical', confidence: 0.95 })], { ...s.deps, enforcer: evicting });
    // Assess
    const k1 = await s.target('api-key:k1');
    expect(k1?.active).toEqual(throttle);
    expect(k1?.last).toMatchObject({ kind: 'block', how: 'evicted' });
    expect(s.enforcer.throttledKeys.has('k1')).toBe(true);
    s.clock.advance(48 * HOUR);
    await expireActions({ ...s.deps, mode: 'enforce' });
    expect(s.enforcer.throttledKeys.has('k1')).toBe(false);
    expect(s.enforcer.history.filter((h) => h.change.op === 'unthrottle-key').map((h) => h.change)).toContainEqual({
      op: 'unthrottle-key',
      apiKeyId: 'k1',
      restoreUsagePlanIds: ['gold'],
    });
  });

  it('switched to monitor, a would-be hardening leaves the real throttle on record, and it is still lifted', async () => {
    // Prepare: k1 throttled in enforce mode; the responder then runs in monitor mode.
    const { deps, clock, enforcer, target } = setup('enforce');
    await respond([keyFinding('k1')], deps);
    clock.advance(10 * 60_000);
    const monitor = { ...deps, config: config({ mode: 'monitor' }) };
    // Act
    const [wouldHarden] = await respond([keyFinding('k1', 2, { severity: 'critical', confidence: 0.95 })], monitor);
    // Assess: decided (and audited) as a block, but the edge still holds the throttle, and so does the record.
    expect(wouldHarden?.decision).toMatchObject({ action: 'block', enforce: false });
    expect((await target('api-key:k1'))?.active).toMatchObject({
      kind: 'throttle',
      enforced: true,
      restore: { usagePlanIds: ['gold'] },
    });
    clock.advance(48 * HOUR);
    await expireActions({ ...monitor, mode: 'monitor' });
    expect(ops(enforcer)).toEqual(['throttle-key', 'unthrottle-key']);
    expect(enforcer.throttledKeys.size).toBe(0);
  });

  it('switched to monitor, an escalation of an enforced address block is still lifted on time', async () => {
    const { deps, clock, enforcer } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(10 * 60_000);
    const monitor = { ...deps, config: config({ mode: 'monitor' }) };
    await respond([makeFinding({ revision: 2, severity: 'critical' })], monitor);
    clock.advance(200 * HOUR);
    expect((await expireActions({ ...monitor, mode: 'monitor' })).expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.blockedIps.size).toBe(0);
  });

  it('a manual unblock lifts the block and the quarantine both, audited as the operator', async () => {
    const { deps, enforcer, target, auditTrail } = await hardened();
    await applyOverride(
      { op: 'unblock', target: { kind: 'api-key', id: 'k1' }, by: 'ops@example.com', holdMs: 24 * HOUR },
      { ...deps, mode: 'enforce' },
    );
    expect(ops(enforcer)).toEqual(['throttle-key', 'block-key', 'unblock-key', 'unthrottle-key']);
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.size).toBe(0);
    expect((await target('api-key:k1'))?.active).toBeUndefined();
    expect((await auditTrail()).filter((e) => e.by === 'ops@example.com').map((e) => e.event)).toEqual([
      'lifted',
      'override',
    ]);
  });
});

describe('a finding on a target whose action is due but not lifted yet (the expirer runs every minute)', () => {
  it('a throttle-worthy finding on a key whose block is due extends the block: the expirer still lifts it', async () => {
    // Prepare: k1 blocked; its block is due, the expirer has not run yet.
    const { deps, clock, enforcer, target, auditTrail } = setup('enforce');
    await respond([keyFinding('k1', 1, { severity: 'critical', confidence: 0.95 })], deps);
    const block = (await target('api-key:k1'))?.active;
    expect(block).toMatchObject({ kind: 'block', enforced: true });
    clock.set((block?.until ?? 0) + 30_000);
    // Act: a new, throttle-worthy revision arrives, then the expirer runs now and once the action is due again.
    const [late] = await respond([keyFinding('k1', 2)], deps);
    expect((await expireActions({ ...deps, mode: 'enforce' })).expired).toEqual([]);
    clock.advance(200 * HOUR);
    const report = await expireActions({ ...deps, mode: 'enforce' });
    // Assess: the block was extended (still what the edge holds), then lifted; nothing is left at the edge.
    expect(late?.decision).toMatchObject({ action: 'block', extends: true });
    expect(report.expired).toEqual(['api-key:k1']);
    expect(enforcer.blockedKeys.size).toBe(0);
    expect(enforcer.throttledKeys.size).toBe(0);
    expect((await target('api-key:k1'))?.active).toBeUndefined();
    const trail = (await auditTrail()).filter((e) => e.target === 'api-key:k1');
    expect(trail.map((e) => `${e.event} ${e.action}`)).toEqual([
      'decided block',
      'enforced block',
      'decided extend-block',
      'enforced block',
      'expired end-block',
    ]);
  });

  it('switched to monitor, a finding on an address whose enforced block is due keeps it on record, and it is lifted', async () => {
    // Prepare: the address blocked in enforce mode; due; the responder now runs in monitor mode.
    const { deps, clock, enforcer, target, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(HOUR + 30_000);
    const monitor = { ...deps, config: config({ mode: 'monitor' }) };
    // Act
    await respond([makeFinding({ revision: 2 })], monitor);
    expect((await target(`ip:${ATTACKER}`))?.active).toMatchObject({ kind: 'block', enforced: true });
    clock.advance(200 * HOUR);
    const report = await expireActions({ ...monitor, mode: 'monitor' });
    // Assess
    expect(report.expired).toEqual([`ip:${ATTACKER}`]);
    expect(enforcer.blockedIps.size).toBe(0);
    expect((await auditTrail()).map((e) => `${e.event} ${e.action}`)).toContain('expired end-block');
  });

  it('a block whose lift keeps failing is extended, not forgotten, by a new finding: lifted once the edge answers', async () => {
    // Prepare: the address blocked; due; the expirer's lift fails at the edge.
    const { deps, clock, enforcer, target } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(HOUR + 30_000);
    const broken = refusingEveryChange('failed', 'WAF down');
    expect((await expireActions({ ...deps, enforcer: broken, mode: 'enforce' })).failed).toHaveLength(1);
    clock.advance(5 * 60_000);
    // Act: a new finding for the address, then the expirer once the (extended) block is due.
    const [again] = await respond([makeFinding({ revision: 2 })], deps);
    clock.advance(200 * HOUR);
    await expireActions({ ...deps, mode: 'enforce' });
    // Assess: one offence (an extension), lifted, nothing left.
    expect(again?.decision).toMatchObject({ action: 'block', extends: true });
    expect((await target(`ip:${ATTACKER}`))?.offences).toBe(1);
    expect(enforcer.blockedIps.size).toBe(0);
  });

  it('a manual unblock raced by a new finding between its lift and its end fails, and the new block stands', async () => {
    // Prepare: the address blocked; right after the operator's lift at the edge, the responder records and enforces
    // revision 2 on it.
    const { deps, enforcer, target, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    let raced = false;
    const racing: Enforcer = {
      apply: async (changes, context) => {
        const report = await enforcer.apply(changes, context);
        if (!raced && changes.some((c) => c.op === 'unblock-ip')) {
          raced = true;
          await respond([makeFinding({ revision: 2 })], deps);
        }
        return report;
      },
    };
    const unblock = {
      op: 'unblock' as const,
      target: { kind: 'ip' as const, address: ATTACKER },
      by: 'ana',
      holdMs: HOUR,
    };
    // Act
    const attempt = applyOverride(unblock, { ...deps, enforcer: racing, mode: 'enforce' });
    // Assess: refused, no override written, revision 2 on record and at the edge, the lift on the record.
    await expect(attempt).rejects.toThrow(OverrideError);
    const state = await target(`ip:${ATTACKER}`);
    expect(state?.active).toMatchObject({ revision: 2, enforced: true });
    expect(state?.override).toBeUndefined();
    expect([...enforcer.blockedIps]).toEqual([ATTACKER]);
    expect(await auditTrail()).toContainEqual(
      expect.objectContaining({ event: 'lift-superseded', revision: 1, by: 'ana' }),
    );
  });

  it('a version conflict on ending a lifted block re-reads the target: a new finding written meanwhile is not ended', async () => {
    // Prepare: the address blocked and due; the expirer's end write loses a race to the responder, which records and
    // enforces revision 2 between the expirer's read of the target and its write (a version conflict).
    const { deps, store, clock, enforcer, target, auditTrail } = setup('enforce');
    await respond([makeFinding()], deps);
    clock.advance(HOUR + 30_000);
    const actions = store.actions;
    let raced = false;
    const racing = interceptPuts(actions, async (items, write) => {
      const ending = items.some((i) => i.id === `target:ip:${ATTACKER}` && !(i.value as TargetState).active);
      if (ending && !raced) {
        raced = true;
        await respond([makeFinding({ revision: 2 })], deps);
      }
      return write(items);
    });
    // Act
    const report = await expireActions({ ...deps, store: { ...store, actions: racing }, mode: 'enforce' });
    // Assess: the expirer gave way to revision 2, which stands on record and at the edge; the lift is on the record.
    expect(raced).toBe(true);
    expect(report).toMatchObject({ expired: [], superseded: [`ip:${ATTACKER}`] });
    expect((await target(`ip:${ATTACKER}`))?.active).toMatchObject({ revision: 2, enforced: true });
    expect([...enforcer.blockedIps]).toEqual([ATTACKER]);
    expect((await auditTrail()).map((e) => `${e.event} ${e.revision}`)).toContain('lift-superseded 1');
  });
});

describe('reconciliation', () => {
  it('finds open findings whose revision never reached the responder, within the window', async () => {
    const { deps, store, clock } = setup('enforce');
    const put = async (f: ReturnType<typeof makeFinding>) =>
      store.findings.put([{ id: f.id, value: f, expectedVersion: 0 }]);
    const answered = makeFinding({ entity: { type: 'ip', id: '45.33.32.1' }, lastSeen: T0 - 10 * 60_000 });
    const lost = makeFinding({ entity: { type: 'ip', id: '45.33.32.2' }, lastSeen: T0 - 10 * 60_000, revision: 2 });
    const tooRecent = makeFinding({ entity: { type: 'ip', id: '45.33.32.3' }, lastSeen: T0 - 60_000 });
    const tooOld = makeFinding({ entity: { type: 'ip', id: '45.33.32.4' }, lastSeen: T0 - 2 * HOUR });
    const resolved = makeFinding({
      entity: { type: 'ip', id: '45.33.32.5' },
      lastSeen: T0 - 10 * 60_000,
      status: 'resolved',
    });
    for (const f of [answered, lost, tooRecent, tooOld, resolved]) await put(f);
    await respond([answered], deps);
    const missing = await unansweredFindings(store, clock.now());
    expect(missing.map((f) => [f.entity.id, f.revision])).toEqual([['45.33.32.2', 2]]);
    await respond(missing, deps);
    expect(await unansweredFindings(store, clock.now())).toEqual([]);
  });
});

describe('putting an action back at the edge', () => {
  it('applies what lifting it undoes, throttle under a hardened block first, less what was lifted on purpose', () => {
    const active = {
      kind: 'block' as const,
      since: T0,
      until: T0 + HOUR,
      findingId: 'f1',
      revision: 2,
      severity: 'high' as const,
      enforced: true,
      restore: { usagePlanIds: ['gold'] },
    };
    const key = { target: { kind: 'api-key' as const, id: 'k1' }, offences: 2, active };
    expect(applyFor(key).map((c) => c.op)).toEqual(['throttle-key', 'block-key']);
    expect(liftFor(key).map((c) => c.op)).toEqual(['unblock-key', 'unthrottle-key']);
    expect(applyFor({ ...key, active: { ...active, lifted: ['unthrottle-key' as const] } }).map((c) => c.op)).toEqual([
      'block-key',
    ]);
    expect(applyFor({ ...key, active: { ...active, enforced: false } })).toEqual([]);
    const ip = { target: { kind: 'ip' as const, address: ATTACKER }, offences: 1, active };
    expect(applyFor(ip)).toEqual([{ op: 'block-ip', address: ATTACKER, rank: expect.any(Number) }]);
  });
});
