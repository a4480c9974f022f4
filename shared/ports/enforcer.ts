/**
 * The Enforcer port: applies blocks and throttles at the edge. Adapters: AWS WAF (addresses, API keys), API Gateway
 * usage plans (throttling keys), and a local enforcer that records what it would have done.
 * Every change is idempotent: adding what is there or removing what is not succeeds without a write.
 */

export type EnforcementChange =
  /** Add a /32 or /128 to the WAF IP set of its version. `rank` orders addresses when the set is full (higher = worse). */
  | { op: 'block-ip'; address: string; rank: number }
  | { op: 'unblock-ip'; address: string }
  /** Block requests carrying this API key (by its id; the adapter resolves the value the WAF rule must match). */
  | { op: 'block-key'; apiKeyId: string; rank: number }
  | { op: 'unblock-key'; apiKeyId: string }
  /** Move the key into the quarantine usage plan; the outcome says which plans it was in. */
  | { op: 'throttle-key'; apiKeyId: string }
  /** Move it back into the plans it was in. */
  | { op: 'unthrottle-key'; apiKeyId: string; restoreUsagePlanIds: string[] };

export type EnforcementOutcome =
  | { ok: true; change: EnforcementChange; restoreUsagePlanIds?: string[]; detail?: string }
  | {
      ok: false;
      change: EnforcementChange;
      reason: 'set-full' | 'not-found' | 'unsupported' | 'failed';
      detail: string;
    };

export interface EnforcementReport {
  /** One per change, in order. */
  outcomes: EnforcementOutcome[];
  /** Earlier blocks pushed out of a full set to make room for worse ones (address or API key id). */
  evicted: Array<{ op: 'block-ip' | 'block-key'; target: string }>;
}

export type EnforcedTarget = { kind: 'ip'; address: string } | { kind: 'api-key'; id: string };

export interface EnforcementContext {
  /**
   * Ranks of entries already in a set (higher = worse), asked only when a set is full, keyed `ip:<address>` /
   * `api-key:<id>`. Entries without a rank (not put there by Lantern) are never evicted.
   */
  ranks?: (targets: readonly EnforcedTarget[]) => Promise<Map<string, number>>;
}

export interface Enforcer {
  /** Applies the changes (coalesced: one write per set), reporting each. Throws only when nothing could be tried. */
  apply(changes: readonly EnforcementChange[], context?: EnforcementContext): Promise<EnforcementReport>;
}

export class EnforcementError extends Error {
  override name = 'EnforcementError';
}
