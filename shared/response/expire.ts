/**
 * Automatic expiry and manual overrides. Both lift actions through the enforcer and audit what they did.
 * The expirer runs on a schedule (functions/expirer); overrides come from an operator (console, CLI).
 */
import type { Clock } from '../ports/clock.js';
import type { Enforcer } from '../ports/enforcer.js';
import { type Store, typed } from '../ports/store.js';
import { hostCidr } from './addresses.js';
import type { CompiledResponseConfig, ResponseMode } from './config.js';
import { applyFor, audit, endAction, liftFor, updateDoc } from './respond.js';
import { type ActiveAction, type Target, type TargetState, targetDocId, targetKey } from './state.js';

export interface ExpiryDeps {
  store: Store;
  clock: Clock;
  mode: ResponseMode;
  enforcer?: Enforcer;
  /** When given, active actions on targets now allowlisted or protected are lifted early (config changed since). */
  config?: CompiledResponseConfig;
}

/** Why an active action must end now although its time is not up: its target has since been spared by configuration. */
export function sparedBy(config: CompiledResponseConfig, target: Target): string | undefined {
  if (target.kind === 'api-key')
    return config.allow.apiKeys.includes(target.id) ? `API key ${target.id} is now allowlisted` : undefined;
  const allowed = config.allowedRanges.match(target.address);
  if (allowed) return `${target.address} is now allowlisted (${allowed})`;
  const protectedRange = config.neverBlock.match(target.address);
  return protectedRange ? `${target.address} is now in a protected range (${protectedRange})` : undefined;
}

export interface ExpiryReport {
  expired: string[];
  /** Targets whose lifting failed at the edge (retried on the next run: they stay active in the store). */
  failed: Array<{ target: string; detail: string }>;
  /**
   * Targets lifted at the edge whose action was not ended: a new one was recorded on them meanwhile (and the responder
   * applies it at the edge again), so it stands until its own end.
   */
  superseded: string[];
}

/** Every active action whose time is up: lifted at the edge (one coalesced call), then ended in the store. */
export async function expireActions(deps: ExpiryDeps, pageSize = 500): Promise<ExpiryReport> {
  const now = deps.clock.now();
  const targets = typed<TargetState>(deps.store.actions);
  const due: TargetState[] = [];
  const early = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await targets.list({ prefix: 'target:', limit: pageSize, ...(cursor ? { cursor } : {}) });
    for (const { value } of page.items) {
      if (!value.active) continue;
      const spared = deps.config ? sparedBy(deps.config, value.target) : undefined;
      if (spared) early.set(targetKey(value.target), spared);
      if (spared || value.active.until <= now) due.push(value);
    }
    cursor = page.cursor;
  } while (cursor);

  const report: ExpiryReport = { expired: [], failed: [], superseded: [] };
  if (due.length === 0) return report;
  const toLift = due.filter((s) => s.active?.enforced);
  const failed = new Map<string, string>();
  if (toLift.length > 0) {
    if (!deps.enforcer) throw new Error('enforced actions are due but no enforcer is configured');
    const lifting = { enforcer: deps.enforcer, store: deps.store, now, mode: deps.mode, by: 'lantern' };
    for (const [key, detail] of await liftAtEdge(toLift, lifting)) {
      failed.set(key, detail);
      report.failed.push({ target: key, detail });
    }
  }
  for (const state of due) {
    const key = targetKey(state.target);
    if (failed.has(key)) continue;
    const active = state.active as NonNullable<TargetState['active']>;
    const spared = early.get(key);
    const end = await endAction(
      deps.store,
      now,
      state.target,
      spared ? 'unblocked' : 'expired',
      `${spared ? `lifted early: ${spared}` : `${active.kind} expired (${new Date(active.until).toISOString()})`}${active.enforced ? restored(state) : ' — monitor mode, nothing to lift'}`,
      deps.mode,
      'lantern',
      active,
    );
    if (end.outcome === 'superseded') {
      report.superseded.push(key);
      if (active.enforced) {
        const failure = await restoreAtEdge(end.state, deps.enforcer as Enforcer);
        if (failure !== undefined) report.failed.push({ target: key, detail: failure });
        await auditSuperseded(deps.store, { now, mode: deps.mode, by: 'lantern' }, state, end.current, failure);
      }
      continue;
    }
    report.expired.push(key);
  }
  return report;
}

/**
 * Lifts the actions at the edge in one coalesced call: every change of every lift (a hardened key block is two).
 * A lift that half-succeeded records the done part on its target, so the next try does only the rest.
 * Returns the targets whose lift failed, with why; "not-found" counts as lifted (already gone at the edge).
 */
async function liftAtEdge(
  states: readonly TargetState[],
  deps: { enforcer: Enforcer; store: Store; now: number; mode: ResponseMode; by: string },
): Promise<Map<string, string>> {
  const { enforcer, store } = deps;
  const lifts = states.map((state) => ({ state, changes: liftFor(state) }));
  const changes = lifts.flatMap((l) => l.changes);
  const outcomes = changes.length > 0 ? (await enforcer.apply(changes)).outcomes : [];
  const failed = new Map<string, string>();
  let next = 0;
  for (const { state, changes: own } of lifts) {
    const results = outcomes.slice(next, next + own.length);
    next += own.length;
    // Per change: why it failed, or undefined when done.
    const why = own.map((_, i) => {
      const o = results[i];
      return o === undefined ? 'no outcome from the enforcer' : o.ok || o.reason === 'not-found' ? undefined : o.detail;
    });
    const problems = why.filter((p): p is string => p !== undefined);
    if (problems.length === 0) continue;
    failed.set(targetKey(state.target), problems.join('; '));
    const done = own.filter((_, i) => why[i] === undefined).map((c) => c.op);
    if (done.length === 0) continue;
    const active = state.active as ActiveAction;
    await updateDoc(typed<TargetState>(store.actions), targetDocId(state.target), (s) => {
      // Only the action this lift was for: a newer one (re-applied at the edge since) starts its lift afresh.
      if (s?.active?.since !== active.since || s.active.findingId !== active.findingId) return undefined;
      s.active.lifted = [...new Set([...(s.active.lifted ?? []), ...done])];
      return s;
    });
    // The edge changed although the action stays active: on the record, once per part done.
    await audit(
      store,
      {
        at: deps.now,
        event: 'lift-incomplete',
        mode: deps.mode,
        target: targetKey(state.target),
        findingId: active.findingId,
        revision: active.revision,
        action: `end-${active.kind}`,
        reason: `done: ${done.join(', ')}; failed: ${problems.join('; ')}; the rest is retried`,
        by: deps.by,
      },
      `${targetKey(state.target)}:${active.since}:${done.join(',')}`,
    );
  }
  return failed;
}

/**
 * After a lift whose action was superseded: the newer action is put back at the edge. The responder may have applied
 * it just before the lift (which then took it off), and nothing would apply it again before its own end. Returns why
 * that failed, if it did.
 */
async function restoreAtEdge(state: TargetState, enforcer: Enforcer): Promise<string | undefined> {
  const changes = applyFor(state);
  if (changes.length === 0) return undefined;
  const problems = (await enforcer.apply(changes)).outcomes.filter((o) => !o.ok).map((o) => o.detail);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The edge changed (the lift) although the action on record is not ended: that must be on the record too. */
async function auditSuperseded(
  store: Store,
  deps: { now: number; mode: ResponseMode; by: string },
  lifted: TargetState,
  current: ActiveAction,
  restoreFailure?: string,
): Promise<void> {
  const active = lifted.active as ActiveAction;
  const target = targetKey(lifted.target);
  await audit(
    store,
    {
      at: deps.now,
      event: 'lift-superseded',
      mode: deps.mode,
      target,
      findingId: active.findingId,
      revision: active.revision,
      action: `end-${active.kind}`,
      reason: `lifted at the edge, but ${current.findingId}#${current.revision} was recorded on the target meanwhile (a ${current.kind} until ${new Date(current.until).toISOString()}): it stands, not ended${current.enforced ? (restoreFailure === undefined ? ', and was put back at the edge' : `; putting it back at the edge failed (${restoreFailure})`) : ''}`,
      by: deps.by,
    },
    `${target}:${active.since}:${current.findingId}#${current.revision}`,
  );
}

/** For the audit: the plans a key was restored to, when its lift took it out of quarantine. */
function restored(state: TargetState): string {
  if (!state.active || state.active.kind === 'throttle') return '';
  // The whole lift, including a part done by an earlier, half-successful try.
  const { lifted: _done, ...active } = state.active;
  if (!liftFor({ ...state, active }).some((c) => c.op === 'unthrottle-key')) return '';
  return `; the key was also taken out of the quarantine usage plan (back to ${active.restore?.usagePlanIds.join(', ') || 'the fallback plan, if one is configured'})`;
}

export type OverrideRequest =
  /** Lift now; Lantern will not act on the target again for `holdMs` (default: the config's manualUnblockHoldMs). */
  | { op: 'unblock'; target: Target; by: string; note?: string; holdMs: number }
  /** Keep the active action until `until`. */
  | { op: 'extend'; target: Target; by: string; note?: string; until: number }
  /** Never act on the target (until `until`, if given); lifts an active action. */
  | { op: 'allow'; target: Target; by: string; note?: string; until?: number }
  /** Remove a standing override. */
  | { op: 'clear'; target: Target; by: string; note?: string };

export class OverrideError extends Error {
  override name = 'OverrideError';
}

/** Normalises an operator's target (addresses canonical, as the policy stores them). */
export function normaliseTarget(target: Target): Target {
  if (target.kind !== 'ip') return target;
  const cidr = hostCidr(target.address);
  if (!cidr) throw new OverrideError(`"${target.address}" is not an IP address`);
  return { kind: 'ip', address: cidr.slice(0, cidr.lastIndexOf('/')) };
}

/** Applies a manual override; the next detection reads it from the target's document and respects it. */
export async function applyOverride(request: OverrideRequest, deps: ExpiryDeps): Promise<TargetState> {
  const now = deps.clock.now();
  const target = normaliseTarget(request.target);
  const docs = typed<TargetState>(deps.store.actions);
  const id = targetDocId(target);
  const current = (await docs.get([id])).get(id)?.value;

  if ((request.op === 'unblock' || request.op === 'allow') && current?.active) {
    if (current.active.enforced) {
      if (!deps.enforcer) throw new OverrideError('the action is enforced but no enforcer is configured');
      const lifting = { enforcer: deps.enforcer, store: deps.store, now, mode: deps.mode, by: request.by };
      const failure = (await liftAtEdge([current], lifting)).get(targetKey(target));
      if (failure !== undefined) throw new OverrideError(`could not lift ${targetKey(target)}: ${failure}`);
    }
    const end = await endAction(
      deps.store,
      now,
      target,
      'unblocked',
      `manual ${request.op} by ${request.by}${request.note ? `: ${request.note}` : ''}${current.active.enforced ? restored(current) : ''}`,
      deps.mode,
      request.by,
      current.active,
    );
    // A new finding was recorded (and enforced again) on the target meanwhile: it stands, and the operator decides
    // again with it in view rather than having an override written over an action still in force.
    if (end.outcome === 'superseded') {
      if (current.active.enforced) {
        const failure = await restoreAtEdge(end.state, deps.enforcer as Enforcer);
        await auditSuperseded(deps.store, { now, mode: deps.mode, by: request.by }, current, end.current, failure);
      }
      throw new OverrideError(
        `${targetKey(target)}: ${end.current.findingId}#${end.current.revision} was recorded on it meanwhile and stands; ${request.op} again to lift it`,
      );
    }
  }
  if (request.op === 'extend') {
    if (!current?.active) throw new OverrideError(`${targetKey(target)} has no active action to extend`);
    if (!(request.until > now)) throw new OverrideError('extend: until must be in the future');
  }
  const state = (await updateDoc(docs, id, (s) => {
    const next: TargetState = s ?? { target, offences: 0 };
    if (request.op === 'unblock')
      next.override = {
        kind: 'unblock',
        until: now + request.holdMs,
        by: request.by,
        at: now,
        ...(request.note ? { note: request.note } : {}),
      };
    else if (request.op === 'allow')
      next.override = {
        kind: 'allow',
        by: request.by,
        at: now,
        ...(request.until ? { until: request.until } : {}),
        ...(request.note ? { note: request.note } : {}),
      };
    else if (request.op === 'clear') delete next.override;
    else if (next.active) next.active.until = request.until;
    return next;
  })) as TargetState;
  await audit(
    deps.store,
    {
      at: now,
      event: 'override',
      mode: deps.mode,
      target: targetKey(target),
      action: request.op,
      ...(request.op === 'extend'
        ? { until: request.until }
        : request.op === 'unblock'
          ? { until: now + request.holdMs }
          : request.op === 'allow' && request.until
            ? { until: request.until }
            : {}),
      reason: request.note ?? `manual ${request.op}`,
      by: request.by,
    },
    `${targetKey(target)}:${request.op}:${now}`,
  );
  return state;
}
