/**
 * What the responder remembers, in `store.actions` and `store.audit`. Value types and ids are owned here.
 *
 * `store.actions`:
 * - `target:<kind>:<id>`  one document per thing we may act on (an address, an API key): its active block or
 *   throttle, its offence count (escalation), a manual override. Never deleted: history decides durations.
 * - `finding:<finding id>#<revision>`  the decision taken for one revision of one finding: written once, before
 *   anything is applied, so a retried event finds it and never applies an action twice. Kept 30 days (TTL).
 * - `cap:<hour>`  new blocks and new throttles started in that clock hour (the hourly caps), `HourlyCounts`.
 * `store.audit`: `<ISO time>#<hash>`: one entry per decision, enforcement, expiry and override, append-only.
 */
import type { EntityRef } from '../baselines/entity.js';
import type { Finding, Severity } from '../detection/finding.js';
import type { EnforcementChange } from '../ports/enforcer.js';

/** What an action is taken against. An address is always canonical (addresses.ts `hostCidr` without the prefix). */
export type Target = { kind: 'ip'; address: string } | { kind: 'api-key'; id: string };

export function targetKey(target: Target): string {
  return target.kind === 'ip' ? `ip:${target.address}` : `api-key:${target.id}`;
}

export function describeTarget(target: Target): string {
  return target.kind === 'ip' ? `address ${target.address}` : `API key ${target.id}`;
}

export type ActionKind = 'block' | 'throttle';

export interface ActiveAction {
  kind: ActionKind;
  since: number;
  until: number;
  findingId: string;
  revision: number;
  severity: Severity;
  /** False in monitor mode: recorded as what would have been done. */
  enforced: boolean;
  /**
   * What to restore when it ends (the usage plans an API key was in before its quarantine). Present while the key
   * is in the quarantine plan, whatever kind the action is now: a block hardened from a throttle keeps it, so that
   * lifting the block also takes the key out of quarantine.
   */
  restore?: { usagePlanIds: string[] };
  /**
   * The throttle this block hardened (`restore` apart). Still in force at the edge under the block: it comes back
   * when the block is refused or evicted from a full WAF set, instead of the key being forgotten in quarantine.
   */
  hardenedFrom?: Omit<ActiveAction, 'restore' | 'hardenedFrom' | 'lifted'>;
  /**
   * The parts of its lift already done at the edge (a lift of several changes that half-succeeded): the next try
   * does only the rest.
   */
  lifted?: Array<EnforcementChange['op']>;
}

/**
 * The active action a new decision at `now` must extend rather than replace: one whose time still runs, or one in
 * force at the edge that is due but not lifted yet (the expirer runs every minute, and retries a lift that failed).
 * Replaced, such an action would be forgotten on its target while the edge still holds it, and never lifted.
 */
export function standingAction(active: ActiveAction | undefined, now: number): ActiveAction | undefined {
  return active && (active.until > now || active.enforced) ? active : undefined;
}

export type OverrideKind = 'allow' | 'unblock';

export interface Override {
  kind: OverrideKind;
  /** Until when it holds (undefined: until removed). */
  until?: number;
  by: string;
  note?: string;
  at: number;
}

export interface TargetState {
  target: Target;
  active?: ActiveAction;
  /** Blocks and throttles ever started on this target (repeat offenders get longer, harder actions). */
  offences: number;
  /** The last action that ended and how. */
  last?: { kind: ActionKind; ended: number; how: 'expired' | 'unblocked' | 'evicted' };
  override?: Override;
}

export function targetDocId(target: Target): string {
  return `target:${targetKey(target)}`;
}

export function decisionDocId(findingId: string, revision: number): string {
  return `finding:${findingId}#${revision}`;
}

const HOUR = 3_600_000;

/**
 * The `cap:<hour>` document. `count` is the new blocks (its name predates the throttle cap: documents written before
 * it still read right); `throttles` the new API key throttles, absent until the hour's first.
 */
export interface HourlyCounts {
  count: number;
  throttles?: number;
  /**
   * The decisions counted (`fnv1a64` of their decision ids): a decision retried after a failed or lost write finds
   * itself here and is not counted again. At most one per action the caps let through in the hour.
   */
  counted?: string[];
}

export function capDocId(now: number): string {
  return `cap:${new Date(Math.floor(now / HOUR) * HOUR).toISOString().slice(0, 13)}`;
}

/** The entity a finding names as a target, when it names one we can act on. */
export function targetOfEntity(entity: EntityRef): Target | undefined {
  if (entity.type === 'ip') return { kind: 'ip', address: entity.id };
  if (entity.type === 'api-key') return { kind: 'api-key', id: entity.id };
  return undefined;
}

export type AuditEvent =
  | 'decided'
  | 'enforced'
  | 'enforce-failed'
  | 'alerted'
  | 'expired'
  | 'evicted'
  | 'override'
  | 'lifted'
  /** Part of a lift was done at the edge, the rest failed (retried): the edge changed, the action is still active. */
  | 'lift-incomplete'
  /**
   * An action was lifted at the edge, but its target holds another action by the time it was to be ended (recorded
   * since the lift was decided): that one stands, on record and (if enforced) at the edge.
   */
  | 'lift-superseded';

export interface AuditEntry {
  at: number;
  event: AuditEvent;
  /** The mode the decision was made in. */
  mode: 'monitor' | 'enforce';
  target?: string;
  findingId?: string;
  revision?: number;
  /** What was decided or done: `block`, `throttle`, `alert`, `none`, `unblock`, `extend`, `allow`. */
  action: string;
  until?: number;
  /** Why, in words. */
  reason: string;
  /** Who: `lantern` or the operator who overrode. */
  by: string;
}

/** Within one millisecond, the steps of one decision sort in the order they happen. */
const AUDIT_STEP: Record<AuditEvent, number> = {
  decided: 0,
  enforced: 1,
  'enforce-failed': 1,
  evicted: 2,
  alerted: 3,
  // Before the end of the same action when both fall in one millisecond (steps are in stored ids: never renumbered).
  'lift-incomplete': 3,
  lifted: 4,
  expired: 4,
  'lift-superseded': 4,
  override: 5,
};

/**
 * Time-sortable, unique and deterministic for the same (time, event, seed): a retry writing the same entry finds it
 * there. `<ISO time>#<step>#<digest>`.
 */
export function auditId(at: number, event: AuditEvent, seed: string): string {
  return `${new Date(at).toISOString()}#${AUDIT_STEP[event]}#${fnv1a64(seed)}`;
}

/** FNV-1a, 64 bits, hex: a stable short digest for ids (not a security hash). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** The record of what was decided for one finding revision (`finding:<id>#<rev>`). */
export interface DecisionRecord {
  findingId: string;
  revision: number;
  decidedAt: number;
  mode: 'monitor' | 'enforce';
  decision: Decision;
  /**
   * The new action this decision adds to its hour's cap: a new block or throttle, or a throttle hardened into a
   * block. Absent for an extension, for no action, and in records written before the caps were counted this way.
   */
  counts?: ActionKind;
  /** Steps done so far: a retry resumes after them. */
  done: { applied?: boolean; alerted?: boolean; audited?: boolean };
  finding: Pick<Finding, 'type' | 'severity' | 'confidence' | 'entity' | 'summary' | 'endpoint' | 'evidence'>;
}

/** What the policy decides for one finding. */
export interface Decision {
  /** The action on the target; `none` when only an alert (or nothing) follows. */
  action: 'block' | 'throttle' | 'none';
  target?: Target;
  /** For block/throttle: until when. */
  until?: number;
  /** A block/throttle that prolongs (and may harden) an active one rather than starting a new one. */
  extends?: boolean;
  /** Send an alert. */
  alert: boolean;
  /** Enforce (mode enforce and an action). */
  enforce: boolean;
  /** Why, in words (every guard rail that spoke). */
  reasons: string[];
  /** Repeat-offence level used for the duration (0 = first). */
  level: number;
}
