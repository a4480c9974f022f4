/**
 * The console's actions implemented by the response module: unblock, extend and allowlist are manual overrides
 * (shared/response/expire.ts `applyOverride`), which lift at the edge through the enforcer and write the audit
 * trail; the next automatic decision reads the override and respects it. Acknowledge and resolve change the
 * finding's status (detection reopens a resolved finding on new evidence) and are audited the same way.
 */
import type { Finding } from '../detection/finding.js';
import type { Clock } from '../ports/clock.js';
import type { Enforcer } from '../ports/enforcer.js';
import { type Store, typed } from '../ports/store.js';
import type { CompiledResponseConfig } from '../response/config.js';
import { applyOverride, OverrideError } from '../response/expire.js';
import { audit, updateDoc } from '../response/respond.js';
import { describeTarget, type Target, type TargetState, targetOfEntity } from '../response/state.js';
import {
  type ActionContext,
  ActionRefusedError,
  ActionTargetNotFoundError,
  type ConsoleActions,
  type ConsoleEntityRef,
} from './actions.js';

export interface ResponseActionsDeps {
  store: Store;
  clock: Clock;
  config: CompiledResponseConfig;
  /** Required to lift or extend what is enforced (enforce mode); monitor-mode actions need none. */
  enforcer?: Enforcer;
}

const HOUR = 3_600_000;

function duration(ms: number): string {
  return ms % HOUR === 0 ? `${ms / HOUR} h` : `${Math.round(ms / 60_000)} min`;
}

export function createResponseActions(deps: ResponseActionsDeps): ConsoleActions {
  const expiry = {
    store: deps.store,
    clock: deps.clock,
    mode: deps.config.mode,
    ...(deps.enforcer ? { enforcer: deps.enforcer } : {}),
  };
  const targets = typed<TargetState>(deps.store.actions);

  async function targetOf(actionId: string): Promise<TargetState> {
    const state = actionId.startsWith('target:') ? (await targets.get([actionId])).get(actionId)?.value : undefined;
    if (!state) throw new ActionTargetNotFoundError(`no action ${actionId}`);
    return state;
  }

  async function override(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error: unknown) {
      if (error instanceof OverrideError) throw new ActionRefusedError(error.message);
      throw error;
    }
  }

  async function setFindingStatus(
    findingId: string,
    status: 'acknowledged' | 'resolved',
    context: ActionContext,
  ): Promise<{ message: string }> {
    const findings = typed<Finding>(deps.store.findings);
    let before: Finding['status'] | undefined;
    const updated = await updateDoc(findings, findingId, (f) => {
      if (!f) return undefined;
      before = f.status;
      if (f.status === status) return undefined;
      return { ...f, status };
    });
    if (!updated) throw new ActionTargetNotFoundError(`no finding ${findingId}`);
    if (before === status) return { message: `Already ${status}.` };
    const now = deps.clock.now();
    await audit(
      deps.store,
      {
        at: now,
        event: 'override',
        mode: deps.config.mode,
        findingId,
        revision: updated.revision,
        action: status === 'acknowledged' ? 'acknowledge' : 'resolve',
        reason: context.note ?? `finding ${status} from the console (was ${before})`,
        by: context.actor,
      },
      `${findingId}:${status}:${now}`,
    );
    return { message: `Finding ${status}; recorded in the audit trail.` };
  }

  return {
    async unblock(actionId, context) {
      const state = await targetOf(actionId);
      if (!state.active) throw new ActionRefusedError(`${describeTarget(state.target)} has nothing active to lift`);
      await override(() =>
        applyOverride(
          {
            op: 'unblock',
            target: state.target,
            by: context.actor,
            holdMs: deps.config.manualUnblockHoldMs,
            ...(context.note ? { note: context.note } : {}),
          },
          expiry,
        ),
      );
      return {
        message: `Lifted the ${state.active.kind} on ${describeTarget(state.target)}; Lantern will not act on it again for ${duration(deps.config.manualUnblockHoldMs)}.`,
      };
    },
    async extend(actionId, ms, context) {
      const state = await targetOf(actionId);
      if (!state.active) throw new ActionRefusedError(`${describeTarget(state.target)} has nothing active to extend`);
      const until = Math.min(state.active.until + ms, deps.clock.now() + deps.config.maxDurationMs);
      await override(() =>
        applyOverride(
          {
            op: 'extend',
            target: state.target,
            by: context.actor,
            until,
            ...(context.note ? { note: context.note } : {}),
          },
          expiry,
        ),
      );
      return {
        message: `The ${state.active.kind} on ${describeTarget(state.target)} now lasts until ${new Date(until).toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
      };
    },
    async allowlist(entity: ConsoleEntityRef, context) {
      const target: Target | undefined =
        entity.type === 'ip' || entity.type === 'api-key'
          ? targetOfEntity({ type: entity.type, id: entity.id })
          : undefined;
      if (!target)
        throw new ActionRefusedError(
          `a ${entity.type} cannot be allowlisted here: only addresses and API keys are acted on`,
        );
      await override(() =>
        applyOverride(
          { op: 'allow', target, by: context.actor, ...(context.note ? { note: context.note } : {}) },
          expiry,
        ),
      );
      return { message: `Allowlisted ${describeTarget(target)}: Lantern will not block or throttle it.` };
    },
    acknowledge: (findingId, context) => setFindingStatus(findingId, 'acknowledged', context),
    resolve: (findingId, context) => setFindingStatus(findingId, 'resolved', context),
  };
}
