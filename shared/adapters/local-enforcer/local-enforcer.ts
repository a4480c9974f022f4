/**
 * The local enforcer: applies nothing, records what it would have done (for `npm start`, the local cloud and
 * tests). Keeps the same idempotent semantics as the real ones: blocking what is blocked changes nothing.
 */
import type { EnforcementChange, EnforcementOutcome, EnforcementReport, Enforcer } from '../../ports/enforcer.js';

export interface LocalEnforcerRecord {
  at: number;
  change: EnforcementChange;
  /** Whether it changed the recorded state (false: already so). */
  changed: boolean;
}

export interface LocalEnforcer extends Enforcer {
  readonly blockedIps: ReadonlySet<string>;
  readonly blockedKeys: ReadonlySet<string>;
  /** Throttled key -> the plans it would be restored to. */
  readonly throttledKeys: ReadonlyMap<string, string[]>;
  readonly history: readonly LocalEnforcerRecord[];
}

export function createLocalEnforcer(
  options: {
    now?: () => number;
    onChange?: (record: LocalEnforcerRecord) => void;
    originalPlans?: (apiKeyId: string) => string[];
  } = {},
): LocalEnforcer {
  const blockedIps = new Set<string>();
  const blockedKeys = new Set<string>();
  const throttledKeys = new Map<string, string[]>();
  const history: LocalEnforcerRecord[] = [];
  const now = options.now ?? Date.now;

  const applyOne = (change: EnforcementChange): { changed: boolean; outcome: EnforcementOutcome } => {
    switch (change.op) {
      case 'block-ip': {
        const changed = !blockedIps.has(change.address);
        blockedIps.add(change.address);
        return { changed, outcome: { ok: true, change, detail: changed ? 'would add to WAF' : 'already recorded' } };
      }
      case 'unblock-ip':
        return {
          changed: blockedIps.delete(change.address),
          outcome: { ok: true, change, detail: 'would remove from WAF' },
        };
      case 'block-key': {
        const changed = !blockedKeys.has(change.apiKeyId);
        blockedKeys.add(change.apiKeyId);
        return {
          changed,
          outcome: { ok: true, change, detail: changed ? 'would add the key to the WAF key rule' : 'already recorded' },
        };
      }
      case 'unblock-key':
        return {
          changed: blockedKeys.delete(change.apiKeyId),
          outcome: { ok: true, change, detail: 'would remove the key from the WAF key rule' },
        };
      case 'throttle-key': {
        if (throttledKeys.has(change.apiKeyId))
          return { changed: false, outcome: { ok: true, change, detail: 'already recorded' } };
        const plans = options.originalPlans?.(change.apiKeyId) ?? [];
        throttledKeys.set(change.apiKeyId, plans);
        return {
          changed: true,
          outcome: {
            ok: true,
            change,
            restoreUsagePlanIds: plans,
            detail: 'would move the key to the quarantine plan',
          },
        };
      }
      case 'unthrottle-key':
        return {
          changed: throttledKeys.delete(change.apiKeyId),
          outcome: { ok: true, change, detail: 'would restore the key to its plans' },
        };
    }
  };

  return {
    blockedIps,
    blockedKeys,
    throttledKeys,
    history,
    async apply(changes): Promise<EnforcementReport> {
      const outcomes: EnforcementOutcome[] = [];
      for (const change of changes) {
        const { changed, outcome } = applyOne(change);
        const record = { at: now(), change, changed };
        history.push(record);
        options.onChange?.(record);
        outcomes.push(outcome);
      }
      return { outcomes, evicted: [] };
    },
  };
}
