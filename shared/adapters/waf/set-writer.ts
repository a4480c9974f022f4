/**
 * One serialised, coalescing writer per WAF set (IP set or regex pattern set).
 *
 * WAF allows about one write per second per account and region, and `Update*` replaces the whole set under a lock
 * token: concurrent writers collide. So every change goes through one writer per set: changes submitted while a
 * write is pending or the rate gate is closed are merged into the next write (the last change to an entry wins);
 * each write is a read-modify-write with the `LockToken`, retried on `WAFOptimisticLockException` with exponential
 * backoff and full jitter. Writers of one account share a RateGate (one write per `minIntervalMs`).
 * A write that changes nothing is not sent.
 */
import { WAFOptimisticLockException } from '@aws-sdk/client-wafv2';
import type { EnforcedTarget } from '../../ports/enforcer.js';

export interface SetContent {
  entries: string[];
  lockToken: string;
  description?: string;
}

/** How one kind of set is read and written. */
export interface SetBackend {
  /** For messages: `IPv4 set lantern-blocked-v4`. */
  label: string;
  read(): Promise<SetContent>;
  write(entries: readonly string[], lockToken: string, description?: string): Promise<void>;
  /** Whether these entries fit the set's limits. */
  fits(entries: readonly string[]): boolean;
  /** The target an entry stands for when Lantern could have put it there (asked for ranks when the set is full). */
  targetOf(entry: string): EnforcedTarget | undefined;
}

export interface PendingAdd {
  entry: string;
  rank: number;
}

export interface SetWriteResult {
  added: Set<string>;
  present: Set<string>;
  removed: Set<string>;
  absent: Set<string>;
  /** Not added: the set is full of entries at least as bad, or of entries Lantern did not put there. */
  rejected: Set<string>;
  /** Pushed out to make room for worse ones. */
  evicted: string[];
  /** Whether a write was sent. */
  wrote: boolean;
}

export type Ranks = (targets: readonly EnforcedTarget[]) => Promise<Map<string, number>>;

export interface Timing {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
}

export const realTiming: Timing = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: Math.random,
};

/** At most one write per interval across every writer sharing it (one per account and region). */
export class RateGate {
  private last = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly minIntervalMs: number,
    private readonly timing: Timing = realTiming,
  ) {}

  /** Resolves when the caller may write; callers are served in order. */
  pass(): Promise<void> {
    const turn = this.chain.then(async () => {
      const wait = this.last + this.minIntervalMs - this.timing.now();
      if (wait > 0) await this.timing.sleep(wait);
      this.last = this.timing.now();
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }
}

export interface SetWriterOptions {
  gate: RateGate;
  timing?: Timing;
  /** Attempts on lock conflicts (default 6). */
  maxAttempts?: number;
  /** First backoff (default 100 ms), doubled each attempt, full jitter. */
  baseDelayMs?: number;
}

interface Batch {
  ops: Map<string, { op: 'add'; rank: number } | { op: 'remove' }>;
  ranks?: Ranks;
  waiters: Array<{ resolve: (r: SetWriteResult) => void; reject: (e: unknown) => void }>;
}

export class WafSetConflictError extends Error {
  override name = 'WafSetConflictError';
}

export class CoalescingSetWriter {
  private next: Batch | undefined;
  private running = false;
  private readonly timing: Timing;
  /** Writes sent (for tests and metrics). */
  writes = 0;

  constructor(
    private readonly backend: SetBackend,
    private readonly options: SetWriterOptions,
  ) {
    this.timing = options.timing ?? realTiming;
  }

  /** Queues changes; resolves with the outcome of the write that carried them (shared with other submitters). */
  submit(adds: readonly PendingAdd[], removes: readonly string[], ranks?: Ranks): Promise<SetWriteResult> {
    if (!this.next) this.next = { ops: new Map(), waiters: [] };
    const batch = this.next;
    for (const entry of removes) batch.ops.set(entry, { op: 'remove' });
    for (const add of adds) {
      const existing = batch.ops.get(add.entry);
      batch.ops.set(add.entry, {
        op: 'add',
        rank: existing?.op === 'add' ? Math.max(existing.rank, add.rank) : add.rank,
      });
    }
    if (ranks) batch.ranks = ranks;
    const result = new Promise<SetWriteResult>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
    return result;
  }

  private async drain(): Promise<void> {
    try {
      while (this.next) {
        // Let every submit of the current tick join the batch before it is taken.
        await Promise.resolve();
        const batch = this.next;
        this.next = undefined;
        try {
          const result = await this.flush(batch);
          for (const w of batch.waiters) w.resolve(result);
        } catch (error: unknown) {
          for (const w of batch.waiters) w.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async flush(batch: Batch): Promise<SetWriteResult> {
    const maxAttempts = this.options.maxAttempts ?? 6;
    const base = this.options.baseDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      const content = await this.backend.read();
      const { entries, result } = await this.plan(content.entries, batch);
      const changed = entries.length !== content.entries.length || entries.some((e, i) => e !== content.entries[i]);
      if (!changed) return { ...result, wrote: false };
      await this.options.gate.pass();
      try {
        await this.backend.write(entries, content.lockToken, content.description);
        this.writes++;
        return { ...result, wrote: true };
      } catch (error: unknown) {
        if (!(error instanceof WAFOptimisticLockException)) throw error;
        if (attempt >= maxAttempts)
          throw new WafSetConflictError(`${this.backend.label}: lock token still stale after ${attempt} attempts`);
        await this.timing.sleep(Math.floor(this.timing.random() * base * 2 ** (attempt - 1)));
      }
    }
  }

  /** The set after the batch, within its limits: when full, the lowest-ranked Lantern entries make room for worse ones. */
  private async plan(
    current: readonly string[],
    batch: Batch,
  ): Promise<{ entries: string[]; result: Omit<SetWriteResult, 'wrote'> }> {
    const set = new Set(current);
    const result: Omit<SetWriteResult, 'wrote'> = {
      added: new Set(),
      present: new Set(),
      removed: new Set(),
      absent: new Set(),
      rejected: new Set(),
      evicted: [],
    };
    const adds: PendingAdd[] = [];
    for (const [entry, op] of batch.ops) {
      if (op.op === 'remove') {
        if (set.delete(entry)) result.removed.add(entry);
        else result.absent.add(entry);
      } else adds.push({ entry, rank: op.rank });
    }
    adds.sort((a, b) => b.rank - a.rank);
    let ranks: Map<string, number> | undefined;
    const rankOf = new Map<string, number>();
    for (const add of adds) {
      if (set.has(add.entry)) {
        result.present.add(add.entry);
        continue;
      }
      if (this.backend.fits([...set, add.entry])) {
        set.add(add.entry);
        result.added.add(add.entry);
        rankOf.set(add.entry, add.rank);
        continue;
      }
      if (!ranks) {
        const known = [...set].map((e) => this.backend.targetOf(e)).filter((t): t is EnforcedTarget => t !== undefined);
        ranks = batch.ranks && known.length > 0 ? await batch.ranks(known) : new Map();
      }
      let victim: string | undefined;
      let victimRank = add.rank;
      for (const entry of set) {
        const target = this.backend.targetOf(entry);
        const rank =
          rankOf.get(entry) ??
          (target ? ranks.get(target.kind === 'ip' ? `ip:${target.address}` : `api-key:${target.id}`) : undefined);
        if (rank !== undefined && rank < victimRank) {
          victim = entry;
          victimRank = rank;
        }
      }
      if (victim === undefined) {
        result.rejected.add(add.entry);
        continue;
      }
      set.delete(victim);
      if (result.added.delete(victim)) result.rejected.add(victim);
      else result.evicted.push(victim);
      set.add(add.entry);
      result.added.add(add.entry);
      rankOf.set(add.entry, add.rank);
    }
    return { entries: [...set], result };
  }
}
