import { expireActions } from '../../shared/response/expire.js';
import { unansweredFindings } from '../../shared/response/reconcile.js';
import { type ResponderDeps, respond } from '../../shared/response/respond.js';
import type { ResponderLog } from '../responder/responder.js';

export interface ExpirerDeps extends ResponderDeps {
  log: ResponderLog;
  onRun?: (run: { expired: number; expiryFailures: number; reconciled: number }) => void;
}

export class ExpiryIncompleteError extends Error {
  override name = 'ExpiryIncompleteError';
}

/** One scheduled run: expire, then reconcile. Throws when something is left to retry (the next run retries it). */
export function createExpirer(deps: ExpirerDeps): () => Promise<{ expired: number; reconciled: number }> {
  return async () => {
    const report = await expireActions({
      store: deps.store,
      clock: deps.clock,
      mode: deps.config.mode,
      config: deps.config,
      ...(deps.enforcer ? { enforcer: deps.enforcer } : {}),
    });
    if (report.expired.length > 0) deps.log.info('expired', { targets: report.expired });

    const missing = await unansweredFindings(deps.store, deps.clock.now());
    const outcomes = missing.length > 0 ? await respond(missing, deps) : [];
    const failedReconcile = outcomes.filter((o) => o.error !== undefined);
    if (missing.length > 0)
      deps.log.info('reconciled findings the stream did not deliver', {
        findings: missing.map((f) => `${f.id}#${f.revision}`),
      });
    deps.onRun?.({
      expired: report.expired.length,
      expiryFailures: report.failed.length,
      reconciled: outcomes.length - failedReconcile.length,
    });

    const problems = [
      ...report.failed.map((f) => `could not lift ${f.target} (${f.detail})`),
      ...failedReconcile.map(
        (o) =>
          `could not respond to ${o.findingId}#${o.revision} (${o.error instanceof Error ? o.error.message : String(o.error)})`,
      ),
    ];
    if (problems.length > 0) throw new ExpiryIncompleteError(problems.join('; '));
    return { expired: report.expired.length, reconciled: outcomes.length };
  };
}
