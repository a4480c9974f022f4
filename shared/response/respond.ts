/**
 * The responder: finding revisions in, decisions recorded, actions enforced, people told, everything audited.
 * Receives its ports; no SDK. Used by the responder Lambda, the local cloud and `npm start`.
 *
 * Idempotency (a retried event never applies an action twice): the decision for `(finding id, revision)` is written
 * once to `store.actions` (`finding:<id>#<rev>`, expected version 0) before anything is applied; its `done` flags
 * say which steps have completed. A retry reuses the stored decision and redoes only the steps not marked done;
 * each step is itself safe to repeat (the hour's cap document lists the decisions it has counted, the target document
 * records which finding revision set it, WAF and usage-plan changes are idempotent, audit ids are deterministic).
 * The one step that may repeat visibly is an alert sent just before a crash (at-least-once delivery, like every
 * notification system).
 */
import { type EntityRecord, entityKey } from '../baselines/entity.js';
import type { Finding } from '../detection/finding.js';
import { severityRank } from '../detection/finding.js';
import type { Clock } from '../ports/clock.js';
import type {
  EnforcedTarget,
  EnforcementChange,
  EnforcementContext,
  EnforcementOutcome,
  Enforcer,
} from '../ports/enforcer.js';
import type { Alert, Notifier } from '../ports/notifier.js';
import { type DocumentCollection, type Store, StoreConflictError, typed } from '../ports/store.js';
import { batchNotifications, buildAlert } from './alerts.js';
import type { CompiledResponseConfig } from './config.js';
import { decide, resolveTarget } from './policy.js';
import {
  type ActionKind,
  type ActiveAction,
  type AuditEntry,
  type AuditEvent,
  auditId,
  capDocId,
  type Decision,
  type DecisionRecord,
  decisionDocId,
  fnv1a64,
  type HourlyCounts,
  standingAction,
  type Target,
  type TargetState,
  targetDocId,
  targetKey,
} from './state.js';

export interface ResponderDeps {
  store: Store;
  clock: Clock;
  config: CompiledResponseConfig;
  /** Required in enforce mode. */
  enforcer?: Enforcer;
  notifier?: Notifier;
}

export interface FindingOutcome {
  findingId: string;
  revision: number;
  decision: DecisionRecord['decision'];
  /** Already fully handled before this call (a retried event). */
  duplicate: boolean;
  /** Alerted in this call. */
  alerted: boolean;
  error?: unknown;
}

type ActionsDoc = TargetState | DecisionRecord | HourlyCounts;

const MAX_CONFLICT_RETRIES = 8;
/** Decision records outlive any redelivery (Kinesis keeps records up to 7 days; reconciliation looks back 1 h). */
export const DECISION_RETENTION_MS = 30 * 24 * 3_600_000;
/** Hourly cap counters are only read during their hour. */
const CAP_RETENTION_MS = 2 * 3_600_000;

export class ResponseError extends Error {
  override name = 'ResponseError';
}

/** Rank of an action when a WAF set is full: severity first, then repeat offences. */
export function actionRank(severity: Finding['severity'], offences: number): number {
  return severityRank(severity) * 100 + Math.min(99, offences);
}

export function changeFor(target: Target, kind: 'block' | 'throttle', rank: number): EnforcementChange {
  if (target.kind === 'ip') return { op: 'block-ip', address: target.address, rank };
  return kind === 'block'
    ? { op: 'block-key', apiKeyId: target.id, rank }
    : { op: 'throttle-key', apiKeyId: target.id };
}

/**
 * The parts an action has at the edge: an address block; on a key, its WAF block and its quarantine throttle (a block
 * hardened from a throttle, or one that restores usage plans, has both), in the order they are lifted.
 */
function partsOf(target: Target, active: ActiveAction): Array<'block' | 'throttle'> {
  if (target.kind === 'ip') return ['block'];
  const parts: Array<'block' | 'throttle'> = [];
  if (active.kind === 'block') parts.push('block');
  if (active.kind === 'throttle' || active.restore || active.hardenedFrom) parts.push('throttle');
  return parts;
}

/** The change that takes one part of an action off the edge. */
function liftOf(target: Target, part: 'block' | 'throttle', active: ActiveAction): EnforcementChange {
  if (target.kind === 'ip') return { op: 'unblock-ip', address: target.address };
  return part === 'block'
    ? { op: 'unblock-key', apiKeyId: target.id }
    : { op: 'unthrottle-key', apiKeyId: target.id, restoreUsagePlanIds: active.restore?.usagePlanIds ?? [] };
}

/**
 * The changes that undo an active action, less those already done. A block on a key hardened from a throttle is two:
 * out of the WAF key rule, then out of the quarantine usage plan back into its own plans.
 */
export function liftFor(state: TargetState): EnforcementChange[] {
  const active = state.active;
  if (!active) return [];
  return partsOf(state.target, active)
    .map((part) => liftOf(state.target, part, active))
    .filter((c) => !active.lifted?.includes(c.op));
}

/**
 * The changes that put an enforced action (back) at the edge, in the reverse order of its lift, less the parts whose
 * lift was already done on purpose: for a lift that raced a newer action on the same target (see `restoreAtEdge` in
 * expire.ts). All idempotent.
 */
export function applyFor(state: TargetState): EnforcementChange[] {
  const active = state.active;
  if (!active?.enforced) return [];
  const rank = actionRank(active.severity, state.offences);
  return partsOf(state.target, active)
    .filter((part) => !active.lifted?.includes(liftOf(state.target, part, active).op))
    .reverse()
    .map((part) => changeFor(state.target, part, rank));
}

/** The throttle still in force at the edge under a key block that is refused or evicted, if any. */
export function throttleUnder(active: ActiveAction): ActiveAction | undefined {
  if (active.kind !== 'block' || !(active.hardenedFrom || active.restore)) return undefined;
  const throttle = active.hardenedFrom ?? { ...alone(active), kind: 'throttle' as const };
  return { ...throttle, ...(active.restore ? { restore: active.restore } : {}) };
}

/** An action without what it carries from the actions around it (plans to restore, the throttle under it, lifts). */
function alone({
  restore: _r,
  hardenedFrom: _h,
  lifted: _l,
  ...action
}: ActiveAction): NonNullable<ActiveAction['hardenedFrom']> {
  return action;
}

export function ranksFromStore(store: Store): NonNullable<EnforcementContext['ranks']> {
  return async (targets: readonly EnforcedTarget[]) => {
    const actions = typed<TargetState>(store.actions);
    const docs = await actions.get(targets.map((t) => targetDocId(t)));
    const ranks = new Map<string, number>();
    for (const doc of docs.values()) {
      const active = doc.value.active;
      if (active && active.kind === 'block')
        ranks.set(targetKey(doc.value.target), actionRank(active.severity, doc.value.offences));
    }
    return ranks;
  };
}

/** Appends an audit entry; writing the same entry twice (a retry) is a no-op. */
export async function audit(store: Store, entry: AuditEntry, seed: string): Promise<void> {
  const log = typed<AuditEntry>(store.audit);
  try {
    await log.put([{ id: auditId(entry.at, entry.event, `${seed}:${entry.event}`), value: entry, expectedVersion: 0 }]);
  } catch (error: unknown) {
    if (!(error instanceof StoreConflictError)) throw error;
  }
}

/** Read-modify-write of one document with optimistic retries. `change` returns undefined to write nothing. */
export async function updateDoc<T>(
  collection: DocumentCollection<T>,
  id: string,
  change: (current: T | undefined) => T | undefined,
  expiresAt?: number,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    const found = (await collection.get([id])).get(id);
    const next = change(found ? structuredClone(found.value) : undefined);
    if (next === undefined) return found?.value;
    try {
      await collection.put([
        { id, value: next, expectedVersion: found?.version ?? 0, ...(expiresAt !== undefined ? { expiresAt } : {}) },
      ]);
      return next;
    } catch (error: unknown) {
      if (!(error instanceof StoreConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

function newTargetState(target: Target): TargetState {
  return { target, offences: 0 };
}

interface Work {
  finding: Finding;
  outcome: FindingOutcome;
  record: DecisionRecord;
  /** The change to enforce, when this finding's action is enforced and not applied yet. */
  change?: EnforcementChange;
  enforcement?: EnforcementOutcome;
  notes: string[];
}

/**
 * Handles finding revisions in order, in three passes so that many findings at once cost one write per WAF set:
 * 1. per finding: decide (or reuse the stored decision), record it, audit it, record the action on its target;
 * 2. one enforcer call for every change of the batch (the WAF writer coalesces them);
 * 3. per finding: what enforcement said (restore plans, refusals, evictions), then alerts for the whole call
 *    (individually or as one digest).
 * Never throws for one finding: its outcome carries the error, so the caller reports exactly that record as failed.
 */
export async function respond(findings: readonly Finding[], deps: ResponderDeps): Promise<FindingOutcome[]> {
  const outcomes: FindingOutcome[] = [];
  const work: Work[] = [];
  const seen = new Map<string, FindingOutcome>();
  for (const finding of findings) {
    const outcome: FindingOutcome = {
      findingId: finding.id,
      revision: finding.revision,
      decision: { action: 'none', alert: false, enforce: false, reasons: [], level: 0 },
      duplicate: false,
      alerted: false,
    };
    outcomes.push(outcome);
    // The same revision twice in one call (a producer retry landing in the same batch): handled once.
    const first = seen.get(decisionDocId(finding.id, finding.revision));
    if (first) {
      outcome.decision = first.decision;
      outcome.duplicate = true;
      continue;
    }
    seen.set(decisionDocId(finding.id, finding.revision), outcome);
    try {
      const prepared = await prepare(finding, deps);
      outcome.decision = prepared.record.decision;
      outcome.duplicate = prepared.duplicate;
      if (!prepared.duplicate)
        work.push({
          finding,
          outcome,
          record: prepared.record,
          ...(prepared.change ? { change: prepared.change } : {}),
          notes: [],
        });
    } catch (error: unknown) {
      outcome.error = error;
    }
  }

  const enforcing = work.filter((w) => w.change !== undefined);
  if (enforcing.length > 0) {
    try {
      if (!deps.enforcer) throw new ResponseError('enforce mode without an enforcer');
      const report = await deps.enforcer.apply(
        enforcing.map((w) => w.change as EnforcementChange),
        { ranks: ranksFromStore(deps.store) },
      );
      enforcing.forEach((w, i) => {
        w.enforcement = report.outcomes[i];
      });
      for (const evicted of report.evicted) {
        const target: Target =
          evicted.op === 'block-ip' ? { kind: 'ip', address: evicted.target } : { kind: 'api-key', id: evicted.target };
        await endAction(
          deps.store,
          deps.clock.now(),
          target,
          'evicted',
          'the WAF set is full: made room for a worse offender',
          deps.config.mode,
        );
        const note = `The WAF set was full: ${evicted.target} was unblocked early to make room.`;
        for (const w of enforcing) w.notes.push(note);
      }
    } catch (error: unknown) {
      for (const w of enforcing) w.outcome.error = error;
    }
  }

  const pendingAlerts: Array<{ alert: Alert; record: DecisionRecord; outcome: FindingOutcome }> = [];
  for (const w of work) {
    if (w.outcome.error !== undefined) continue;
    try {
      if (w.change) await afterEnforcement(w, deps);
      await markDone(deps.store, w.record, { applied: true });
      if (w.record.decision.alert && !w.record.done.alerted) {
        pendingAlerts.push({
          alert: buildAlert(w.record, deps.config.consoleUrl, w.notes.join(' ') || undefined),
          record: w.record,
          outcome: w.outcome,
        });
      }
    } catch (error: unknown) {
      w.outcome.error = error;
    }
  }
  await sendAlerts(pendingAlerts, deps);
  return outcomes;
}

async function markDone(store: Store, record: DecisionRecord, done: DecisionRecord['done']): Promise<void> {
  Object.assign(record.done, done);
  await updateDoc(
    typed<DecisionRecord>(store.actions),
    decisionDocId(record.findingId, record.revision),
    (current) =>
      current ? { ...current, decision: record.decision, done: { ...current.done, ...record.done } } : undefined,
    record.decidedAt + DECISION_RETENTION_MS,
  );
}

async function prepare(
  finding: Finding,
  deps: ResponderDeps,
): Promise<{ record: DecisionRecord; duplicate: boolean; change?: EnforcementChange }> {
  const { store, clock, config } = deps;
  const actions = typed<ActionsDoc>(store.actions);
  const targets = actions as DocumentCollection<TargetState>;
  const records = actions as DocumentCollection<DecisionRecord>;
  const recordId = decisionDocId(finding.id, finding.revision);

  // 1. The decision: stored, or taken now and stored before anything is applied.
  let stored = (await records.get([recordId])).get(recordId);
  if (!stored) {
    const now = clock.now();
    const hour = (await (actions as DocumentCollection<HourlyCounts>).get([capDocId(now)])).get(capDocId(now))?.value;
    const context = await targetStateFor(finding, targets, deps);
    const decision = decide({
      finding,
      config,
      now,
      newBlocksThisHour: hour?.count ?? 0,
      newThrottlesThisHour: hour?.throttles ?? 0,
      ...context,
    });
    const counts = countedAs(decision, context.state);
    const record: DecisionRecord = {
      findingId: finding.id,
      revision: finding.revision,
      decidedAt: now,
      mode: config.mode,
      decision,
      ...(counts ? { counts } : {}),
      done: {},
      finding: {
        type: finding.type,
        severity: finding.severity,
        confidence: finding.confidence,
        entity: finding.entity,
        summary: finding.summary,
        evidence: finding.evidence,
        ...(finding.endpoint ? { endpoint: finding.endpoint } : {}),
      },
    };
    try {
      await records.put([{ id: recordId, value: record, expectedVersion: 0, expiresAt: now + DECISION_RETENTION_MS }]);
    } catch (error: unknown) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
    stored = (await records.get([recordId])).get(recordId);
    if (!stored) throw new ResponseError(`decision ${recordId} vanished after writing`);
  }
  const record = stored.value;
  const duplicate = Boolean(
    record.done.applied && record.done.audited && (record.done.alerted || !record.decision.alert),
  );
  if (duplicate) return { record, duplicate };
  const d = record.decision;

  if (!record.done.audited) {
    await audit(
      store,
      {
        at: record.decidedAt,
        event: 'decided',
        mode: record.mode,
        ...(d.target ? { target: targetKey(d.target) } : {}),
        findingId: record.findingId,
        revision: record.revision,
        action: d.action === 'none' ? (d.alert ? 'alert' : 'none') : d.extends ? `extend-${d.action}` : d.action,
        ...(d.until !== undefined ? { until: d.until } : {}),
        reason: d.reasons.join('; '),
        by: 'lantern',
      },
      recordId,
    );
    record.done.audited = true;
  }

  // 2. Count the action against its hour's cap, record it on its target; say what to enforce.
  if (record.done.applied || d.action === 'none' || !d.target || d.until === undefined)
    return { record, duplicate: false };
  if (record.counts) await countAction(store, record, record.counts);
  const state = await recordAction(record, deps);
  if (!d.enforce) return { record, duplicate: false };
  return {
    record,
    duplicate: false,
    change: changeFor(d.target, d.action, actionRank(record.finding.severity, state.offences)),
  };
}

async function targetStateFor(
  finding: Finding,
  targets: DocumentCollection<TargetState>,
  deps: ResponderDeps,
): Promise<{ state?: TargetState; linkedPrincipals?: string[] }> {
  const { target } = resolveTarget(finding, deps.config);
  if (!target) return {};
  const id = targetDocId(target);
  const [state, entity] = await Promise.all([
    targets.get([id]),
    typed<Pick<EntityRecord, 'links'>>(deps.store.entities).get([entityKey(finding.entity)]),
  ]);
  const principals = entity.get(entityKey(finding.entity))?.value.links?.principals;
  const found = state.get(id)?.value;
  return {
    ...(found ? { state: found } : {}),
    ...(principals && principals.length > 0 ? { linkedPrincipals: principals } : {}),
  };
}

/**
 * The new action a decision adds to its hour's cap, as the policy saw it: a new block or throttle, or a throttle
 * hardened into a block (the key was not blocked before, and the policy held the hardening to the block cap).
 */
function countedAs(decision: Decision, state: TargetState | undefined): ActionKind | undefined {
  if (decision.action === 'none') return undefined;
  if (!decision.extends) return decision.action;
  return decision.action === 'block' && state?.active?.kind === 'throttle' ? 'block' : undefined;
}

/**
 * Adds a decision's action to its hour's count, once: the hour's document lists the decisions it has counted, so a
 * retry after a failed write, or after a write that landed but was not acknowledged, finds its own and adds nothing.
 * Counted before the action is recorded on its target: a decision abandoned in between leaves a count without an
 * action, so the cap lets one fewer through, never one more. So does a revision whose count failed while a later
 * revision of its finding, in the same batch, started the action (both count; the later one stands on the target).
 */
async function countAction(store: Store, record: DecisionRecord, kind: ActionKind): Promise<void> {
  const id = fnv1a64(decisionDocId(record.findingId, record.revision));
  await updateDoc(
    typed<HourlyCounts>(store.actions),
    capDocId(record.decidedAt),
    (c) => {
      if (c?.counted?.includes(id)) return undefined;
      return {
        count: (c?.count ?? 0) + (kind === 'block' ? 1 : 0),
        throttles: (c?.throttles ?? 0) + (kind === 'throttle' ? 1 : 0),
        counted: [...(c?.counted ?? []), id],
      };
    },
    record.decidedAt + CAP_RETENTION_MS,
  );
}

/** The action on its target's document, once per finding revision. */
async function recordAction(record: DecisionRecord, deps: ResponderDeps): Promise<TargetState> {
  const { store } = deps;
  const d = record.decision;
  const target = d.target as Target;
  const kind = d.action as ActionKind;
  const enforced = d.enforce;
  const state = (await updateDoc(typed<TargetState>(store.actions), targetDocId(target), (current) => {
    const s = current ?? newTargetState(target);
    // Done by an earlier try; or a later revision of the finding got there first (this one failed, the stream
    // redelivers both): the later one stands.
    if (s.active?.findingId === record.findingId && s.active.revision >= record.revision) return undefined;
    // A monitor-mode record is not in force: in enforce mode it is replaced, not extended.
    const standing = standingAction(s.active, record.decidedAt);
    const extending = standing !== undefined && (standing.enforced || !enforced);
    const previous = s.active;
    // A monitor-mode record over an action in force at the edge only moves its end: the record keeps saying what the
    // edge holds, so that the expirer still lifts it (and does not try to lift a block never applied).
    const overEdge = extending && previous?.enforced === true && !enforced;
    const recorded: ActionKind = overEdge ? (previous as ActiveAction).kind : kind;
    // The quarantine outlives any block over it; once out of it at the edge (a half-done lift of a due action), the
    // key's plans are not to be restored again, nor the throttle brought back.
    const quarantined = !previous?.lifted?.includes('unthrottle-key');
    const restore = previous?.restore && quarantined ? previous.restore : undefined;
    const hardenedFrom =
      !extending || !quarantined
        ? undefined
        : previous?.kind === 'throttle' && recorded === 'block'
          ? alone(previous)
          : previous?.hardenedFrom;
    s.active = {
      kind: recorded,
      since: extending ? (s.active as NonNullable<TargetState['active']>).since : record.decidedAt,
      until: d.until as number,
      findingId: record.findingId,
      revision: record.revision,
      severity: record.finding.severity,
      enforced: enforced || overEdge,
      // The plans to restore a quarantined key survive a re-throttle before the expirer ran, and a hardening.
      ...(restore ? { restore } : {}),
      ...(hardenedFrom && recorded === 'block' ? { hardenedFrom } : {}),
    };
    if (!extending) s.offences += 1;
    return s;
  })) as TargetState;
  return state;
}

/** What enforcement said about one finding's change: remember plans to restore, or undo a refused action. */
async function afterEnforcement(w: Work, deps: ResponderDeps): Promise<void> {
  const { store, clock } = deps;
  const record = w.record;
  const target = record.decision.target as Target;
  const kind = record.decision.action as ActionKind;
  const outcome = w.enforcement;
  const docId = targetDocId(target);
  const targets = typed<TargetState>(store.actions);
  const recordId = decisionDocId(record.findingId, record.revision);
  if (!outcome) throw new ResponseError(`no enforcement outcome for ${recordId}`);
  if (outcome.ok) {
    // Remembered even when empty: it says the key is in the quarantine plan, which a later block must lift too.
    const restore = outcome.restoreUsagePlanIds;
    if (restore && outcome.change.op === 'throttle-key') {
      await updateDoc(targets, docId, (s) => {
        if (!s?.active || s.active.restore) return undefined;
        s.active.restore = { usagePlanIds: restore };
        return s;
      });
    }
    await audit(
      store,
      {
        at: record.decidedAt,
        event: 'enforced',
        mode: record.mode,
        target: targetKey(target),
        findingId: record.findingId,
        revision: record.revision,
        action: kind,
        ...(record.decision.until !== undefined ? { until: record.decision.until } : {}),
        reason: outcome.detail ?? 'applied',
        by: 'lantern',
      },
      recordId,
    );
    return;
  }
  if (outcome.reason === 'failed')
    throw new ResponseError(`enforcement failed for ${targetKey(target)}: ${outcome.detail}`);
  // Refused for good (set full of worse offenders, key unknown, no enforcer for it): nothing new is in force; say so,
  // alert. A refused hardening leaves the throttle under it in force, and so on the target, to be lifted on time.
  let left: ActiveAction | undefined;
  await updateDoc(targets, docId, (s) => {
    if (!s?.active || s.active.findingId !== record.findingId) return undefined;
    left = throttleUnder(s.active);
    if (left) s.active = left;
    else delete s.active;
    return s;
  });
  const stays = left ? `; the key stays throttled until ${new Date(left.until).toISOString()}` : '';
  await audit(
    store,
    {
      at: clock.now(),
      event: 'enforce-failed',
      mode: record.mode,
      target: targetKey(target),
      findingId: record.findingId,
      revision: record.revision,
      action: kind,
      reason: `${outcome.reason}: ${outcome.detail}${stays}`,
      by: 'lantern',
    },
    recordId,
  );
  record.decision.alert = true;
  w.notes.push(`Could not ${kind}: ${outcome.detail}${stays}.`);
}

/** The identity of one action on its target: a new decision over it (even an extension) changes it. */
export type ActionRef = Pick<ActiveAction, 'since' | 'findingId' | 'revision'>;

export function sameAction(a: ActionRef, b: ActionRef): boolean {
  return a.since === b.since && a.findingId === b.findingId && a.revision === b.revision;
}

/**
 * What `endAction` did: `ended` the action, found none to end, or found the target `superseded` (it holds another
 * action than the one expected: recorded since the caller read it, and possibly applied at the edge again).
 */
export type EndOutcome =
  | { outcome: 'ended'; state: TargetState; ended: ActiveAction }
  | { outcome: 'none'; state: TargetState | undefined }
  | { outcome: 'superseded'; state: TargetState; current: ActiveAction };

/**
 * Ends an active action in the store (not at the edge) and audits it. An evicted key block that hardened a throttle
 * ends as a block only: the throttle under it is still in force at the edge, and stays on the target until it is due.
 * With `expected`, only that action is ended: a caller that lifted it at the edge must not end a newer one recorded
 * meanwhile (the responder may just have put it back at the edge: ended, it would stay there with no record).
 */
export async function endAction(
  store: Store,
  now: number,
  target: Target,
  how: 'expired' | 'unblocked' | 'evicted',
  reason: string,
  mode: 'monitor' | 'enforce',
  by = 'lantern',
  expected?: ActionRef,
): Promise<EndOutcome> {
  let ended: ActiveAction | undefined;
  let current: ActiveAction | undefined;
  const state = await updateDoc(typed<TargetState>(store.actions), targetDocId(target), (s) => {
    // Judged afresh on each read: a version conflict re-reads the target, which may hold another action by then.
    ended = undefined;
    current = undefined;
    if (!s?.active) return undefined;
    if (expected && !sameAction(s.active, expected)) {
      current = s.active;
      return undefined;
    }
    ended = s.active;
    s.last = { kind: s.active.kind, ended: now, how };
    const left = how === 'evicted' ? throttleUnder(s.active) : undefined;
    if (left) s.active = left;
    else delete s.active;
    return s;
  });
  if (current && state) return { outcome: 'superseded', state, current };
  if (!ended || !state) return { outcome: 'none', state };
  const event: AuditEvent = how === 'expired' ? 'expired' : how === 'evicted' ? 'evicted' : 'lifted';
  await audit(
    store,
    {
      at: now,
      event,
      mode,
      target: targetKey(target),
      findingId: ended.findingId,
      revision: ended.revision,
      action: `end-${ended.kind}`,
      reason,
      by,
    },
    `${targetKey(target)}:${ended.since}`,
  );
  return { outcome: 'ended', state, ended };
}

async function sendAlerts(
  pending: Array<{ alert: Alert; record: DecisionRecord; outcome: FindingOutcome }>,
  deps: ResponderDeps,
): Promise<void> {
  if (pending.length === 0) return;
  const records = typed<DecisionRecord>(deps.store.actions);
  const markSent = async (items: typeof pending) => {
    for (const item of items) {
      const id = decisionDocId(item.record.findingId, item.record.revision);
      await updateDoc(records, id, (current) =>
        current ? { ...current, done: { ...current.done, alerted: true } } : undefined,
      );
      await audit(
        deps.store,
        {
          at: deps.clock.now(),
          event: 'alerted',
          mode: item.record.mode,
          findingId: item.record.findingId,
          revision: item.record.revision,
          action: 'alert',
          reason: item.alert.actionTaken,
          by: 'lantern',
        },
        id,
      );
      item.outcome.alerted = true;
    }
  };
  if (!deps.notifier) {
    await markSent(pending);
    return;
  }
  const notifications = batchNotifications(
    pending.map((p) => p.alert),
    deps.config.digestThreshold,
    deps.clock.now(),
    deps.config.consoleUrl,
  );
  try {
    for (const notification of notifications) await deps.notifier.notify(notification);
    await markSent(pending);
  } catch (error: unknown) {
    // Not marked: the events are retried and the alerts sent then.
    for (const item of pending) item.outcome.error ??= error;
  }
}
