/**
 * API Gateway usage plans (REST APIs only): throttle an API key by moving it into a quarantine usage plan, and move
 * it back into the plans it was in when the throttle ends.
 *
 * A key has one plan per stage, so a move is: `GetUsagePlans(keyId)` (where it is), `DeleteUsagePlanKey` from each,
 * `CreateUsagePlanKey` into the quarantine plan — none of which is `UpdateUsagePlan`. The quarantine plan is created
 * by the stack with a low rate/burst on every API stage that uses keys. Usage-plan throttling is best effort (AWS):
 * a hard block of a key is the WAF enforcer's job.
 *
 * `UpdateUsagePlan` (changing a plan's limits, e.g. per-method throttles from detection's rate recommendations)
 * is limited to 1 call per 20 s per account and the limit is not raisable: `UsagePlanPatchQueue` queues and
 * coalesces plan changes and sends at most one call per 20 s — never one per finding.
 */
import {
  type APIGatewayClient,
  ConflictException,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
  type PatchOperation,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import type { EnforcementChange, EnforcementOutcome, EnforcementReport, Enforcer } from '../../ports/enforcer.js';
import { RateGate, realTiming, type Timing } from '../waf/set-writer.js';

export interface UsagePlanEnforcerOptions {
  client: APIGatewayClient;
  /** The usage plan throttled keys are moved into. */
  quarantinePlanId: string;
  /** Where a key goes back to when its original plans were not recorded (a crash mid-move); absent: it stays out. */
  fallbackPlanId?: string;
}

/** The plans a key is in (all pages). */
async function plansOfKey(client: APIGatewayClient, keyId: string): Promise<string[]> {
  const ids: string[] = [];
  let position: string | undefined;
  do {
    const page = await client.send(new GetUsagePlansCommand({ keyId, limit: 500, ...(position ? { position } : {}) }));
    for (const plan of page.items ?? []) if (plan.id) ids.push(plan.id);
    position = page.position;
  } while (position);
  return ids;
}

async function removeKey(client: APIGatewayClient, usagePlanId: string, keyId: string): Promise<boolean> {
  try {
    await client.send(new DeleteUsagePlanKeyCommand({ usagePlanId, keyId }));
    return true;
  } catch (error: unknown) {
    if (error instanceof NotFoundException) return false;
    throw error;
  }
}

async function addKey(client: APIGatewayClient, usagePlanId: string, keyId: string): Promise<boolean> {
  try {
    await client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }));
    return true;
  } catch (error: unknown) {
    if (error instanceof ConflictException) return false; // already there
    throw error;
  }
}

function failure(change: EnforcementChange, error: unknown): EnforcementOutcome {
  if (error instanceof NotFoundException) return { ok: false, change, reason: 'not-found', detail: error.message };
  return {
    ok: false,
    change,
    reason: 'failed',
    detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

export function createUsagePlanEnforcer(options: UsagePlanEnforcerOptions): Enforcer {
  const { client, quarantinePlanId } = options;

  async function throttle(change: Extract<EnforcementChange, { op: 'throttle-key' }>): Promise<EnforcementOutcome> {
    const plans = await plansOfKey(client, change.apiKeyId);
    const others = plans.filter((p) => p !== quarantinePlanId);
    if (others.length === 0 && plans.includes(quarantinePlanId)) {
      return { ok: true, change, detail: 'already in the quarantine usage plan' };
    }
    for (const plan of others) await removeKey(client, plan, change.apiKeyId);
    await addKey(client, quarantinePlanId, change.apiKeyId);
    return {
      ok: true,
      change,
      restoreUsagePlanIds: others,
      detail: `moved from ${others.join(', ') || 'no plan'} to quarantine plan ${quarantinePlanId}`,
    };
  }

  async function unthrottle(change: Extract<EnforcementChange, { op: 'unthrottle-key' }>): Promise<EnforcementOutcome> {
    const restore =
      change.restoreUsagePlanIds.length > 0
        ? change.restoreUsagePlanIds
        : options.fallbackPlanId
          ? [options.fallbackPlanId]
          : [];
    await removeKey(client, quarantinePlanId, change.apiKeyId);
    for (const plan of restore) await addKey(client, plan, change.apiKeyId);
    return { ok: true, change, detail: `restored to ${restore.join(', ') || 'no plan (none recorded)'}` };
  }

  return {
    async apply(changes): Promise<EnforcementReport> {
      const outcomes: EnforcementOutcome[] = [];
      // Sequential: these are control-plane calls with a low account rate, and one key's moves must not interleave.
      for (const change of changes) {
        try {
          if (change.op === 'throttle-key') outcomes.push(await throttle(change));
          else if (change.op === 'unthrottle-key') outcomes.push(await unthrottle(change));
          else
            outcomes.push({
              ok: false,
              change,
              reason: 'unsupported',
              detail: `${change.op} is not a usage-plan change`,
            });
        } catch (error: unknown) {
          outcomes.push(failure(change, error));
        }
      }
      return { outcomes, evicted: [] };
    },
  };
}

/** Reads an API key's value from its id (for the WAF key rule); undefined when the key does not exist. */
export function apiKeyValueResolver(client: APIGatewayClient): (apiKeyId: string) => Promise<string | undefined> {
  return async (apiKeyId) => {
    try {
      const out = await client.send(new GetApiKeyCommand({ apiKey: apiKeyId, includeValue: true }));
      return out.value;
    } catch (error: unknown) {
      if (error instanceof NotFoundException) return undefined;
      throw error;
    }
  };
}

/** AWS's documented limit on UpdateUsagePlan: one call per 20 seconds per account, not raisable. */
export const UPDATE_USAGE_PLAN_INTERVAL_MS = 20_000;

/** A patch path segment: `/` is written `~1` (JSON Pointer), as API Gateway's patch paths expect. */
export function escapePatchSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Per-method throttle of one API stage inside a usage plan. */
export function methodThrottlePatch(
  apiId: string,
  stage: string,
  resourcePath: string,
  method: string,
  rateLimit: number,
  burstLimit: number,
): PatchOperation[] {
  const base = `/apiStages/${apiId}:${stage}/throttle/${escapePatchSegment(resourcePath)}/${method.toUpperCase()}`;
  return [
    { op: 'replace', path: `${base}/rateLimit`, value: String(rateLimit) },
    { op: 'replace', path: `${base}/burstLimit`, value: String(burstLimit) },
  ];
}

/**
 * Queues usage-plan changes and sends them with at most one UpdateUsagePlan per 20 s per account. Changes to the
 * same plan wait together and merge (the last value of a path wins): one call carries all of a plan's changes.
 */
export class UsagePlanPatchQueue {
  private readonly pending = new Map<
    string,
    { ops: Map<string, PatchOperation>; waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> }
  >();
  private running = false;
  private readonly gate: RateGate;
  calls = 0;

  constructor(
    private readonly client: APIGatewayClient,
    timing: Timing = realTiming,
    intervalMs = UPDATE_USAGE_PLAN_INTERVAL_MS,
  ) {
    this.gate = new RateGate(intervalMs, timing);
  }

  /** Resolves once the call carrying these operations succeeded. */
  enqueue(usagePlanId: string, operations: readonly PatchOperation[]): Promise<void> {
    let entry = this.pending.get(usagePlanId);
    if (!entry) {
      entry = { ops: new Map(), waiters: [] };
      this.pending.set(usagePlanId, entry);
    }
    for (const op of operations) entry.ops.set(`${op.path}`, op);
    const done = new Promise<void>((resolve, reject) => entry.waiters.push({ resolve, reject }));
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
    return done;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        await Promise.resolve();
        await this.gate.pass();
        // Taken after the gate: everything queued while waiting rides along.
        const next = this.pending.entries().next();
        if (next.done) return;
        const [usagePlanId, entry] = next.value;
        this.pending.delete(usagePlanId);
        try {
          this.calls++;
          await this.client.send(new UpdateUsagePlanCommand({ usagePlanId, patchOperations: [...entry.ops.values()] }));
          for (const w of entry.waiters) w.resolve();
        } catch (error: unknown) {
          for (const w of entry.waiters) w.reject(error);
        }
        if (this.pending.size === 0) return;
      }
    } finally {
      this.running = false;
    }
  }
}
