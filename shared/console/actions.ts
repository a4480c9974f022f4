/**
 * What an analyst may do from the console. The console never changes a block, a throttle or a finding itself:
 * it hands the request to an implementation of this port, which goes through the response policy and enforcer
 * (allowlists, caps, monitor mode, the audit trail) exactly as an automatic decision would.
 */

export interface ActionContext {
  /** Who asked: `console:local` for the local token, `console:<cognito username>` in AWS. */
  actor: string;
  /** Free text the analyst typed, kept in the audit trail. */
  note?: string;
}

export interface ActionOutcome {
  /** One sentence for the analyst ("Unblocked 203.0.113.9; recorded in the audit trail."). */
  message: string;
  /** Audit entries written, when the implementation knows them. */
  auditIds?: string[];
}

export interface ConsoleEntityRef {
  type: string;
  id: string;
}

export interface ConsoleActions {
  /** Lift a block or throttle before it expires. */
  unblock(actionId: string, context: ActionContext): Promise<ActionOutcome>;
  /** Keep a block or throttle `ms` longer. */
  extend(actionId: string, ms: number, context: ActionContext): Promise<ActionOutcome>;
  /** Never act on this caller again (and lift what is active on it, as the policy decides). */
  allowlist(entity: ConsoleEntityRef, context: ActionContext): Promise<ActionOutcome>;
  acknowledge(findingId: string, context: ActionContext): Promise<ActionOutcome>;
  resolve(findingId: string, context: ActionContext): Promise<ActionOutcome>;
}

export class ConsoleActionError extends Error {
  override name = 'ConsoleActionError';
  /** HTTP status the console API answers with. */
  readonly status: number = 400;
}

/** The action, finding or entity does not exist. */
export class ActionTargetNotFoundError extends ConsoleActionError {
  override name = 'ActionTargetNotFoundError';
  override readonly status = 404;
}

/** The response policy refused (allowlisted, cap reached, already lifted, …): the message says why. */
export class ActionRefusedError extends ConsoleActionError {
  override name = 'ActionRefusedError';
  override readonly status = 409;
}

/** No response module is wired into this console. */
export class ActionsUnavailableError extends ConsoleActionError {
  override name = 'ActionsUnavailableError';
  override readonly status = 501;
  constructor() {
    super('Actions are not available: this console was started without the response module.');
  }
}

/** Longest extension one click may ask for (the policy may allow less). */
export const MAX_EXTEND_MS = 7 * 24 * 60 * 60_000;
