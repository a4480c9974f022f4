import type { Clock } from '../../shared/ports/clock.js';
import type { Enforcer } from '../../shared/ports/enforcer.js';
import type { Store } from '../../shared/ports/store.js';
import type { CompiledResponseConfig } from '../../shared/response/config.js';
import { expireActions } from '../../shared/response/expire.js';
import type { FindingPublisher } from '../../shared/response/finding-events.js';
import { unansweredFindings } from '../../shared/response/reconcile.js';
import type { ResponderLog } from '../responder/responder.js';

export interface ExpirerDeps {
  store: Store;
  clock: Clock;
  config: CompiledResponseConfig;
  enforcer?: Enforcer;
  /**
   * The findings stream: findings the responder never answered are published again, so that the responder (the
   * single writer, the one that alerts) handles them. Absent: no reconciliation.
   */
  publisher?: FindingPublisher;
  log: ResponderLog;
  onRun?: (run: { expired: number; expiryFailures: number; republished: number }) => void;
}

export class ExpiryIncompleteError extends Error {
  override name = 'ExpiryIncompleteError';
}

/** One scheduled run: expire, then reconcile. Throws when a lift failed (the next run retries it). */
export function createExpirer(deps: ExpirerDeps): () => Promise<{ expired: number; republished: number }> {
  return async () => {
    const report = await expireActions({
      store: deps.store,
      clock: deps.clock,
      mode: deps.config.mode,
      config: deps.config,
      ...(deps.enforcer ? { enforcer: deps.enforcer } : {}),
    });
    if (report.expired.length > 0) deps.log.info('expired', { targets: report.expired });
    // A new action took the target's place while it was being lifted: it stands, and the audit says so.
    if (report.superseded.length > 0) deps.log.info('superseded', { targets: report.superseded });

    let republished = 0;
    if (deps.publisher) {
      const missing = await unansweredFindings(deps.store, deps.clock.now());
      if (missing.length > 0) {
        await deps.publisher.publish(missing);
        republished = missing.length;
        deps.log.info('republished findings the responder never answered', {
          findings: missing.map((f) => `${f.id}#${f.revision}`),
        });
      }
    }
    deps.onRun?.({ expired: report.expired.length, expiryFailures: report.failed.length, republished });
    if (report.failed.length > 0) {
      throw new ExpiryIncompleteError(report.failed.map((f) => `could not lift ${f.target} (${f.detail})`).join('; '));
    }
    return { expired: report.expired.length, republished };
  };
}
