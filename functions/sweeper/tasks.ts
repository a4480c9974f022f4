import { compactChunks, deleteExpired, type SweepTable } from '../../shared/adapters/dynamodb/sweep.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';

export interface SweepContext {
  store: Store;
  clock: Clock;
  /** The state table itself, for the housekeeping the Store port cannot express. */
  table: SweepTable;
  /** True where the table has no native TTL (the local cloud): expired items are deleted by the sweeper. */
  emulateTtl: boolean;
}

/**
 * One scheduled job. THE SEAM for periodic work: syncing declared APIs from API Gateway, recomputing endpoint
 * baselines, closing stale findings… each is a task added to `SWEEP_TASKS`, receiving the store and clock
 * (and its own ports through a closure), returning what it did as counts.
 */
export interface SweepTask {
  name: string;
  run(context: SweepContext): Promise<Record<string, number>>;
}

export const SWEEP_TASKS: SweepTask[] = [
  {
    name: 'compact-chunks',
    run: ({ table, clock }) => compactChunks(table, clock.now()),
  },
  {
    name: 'expire',
    run: async ({ table, clock, emulateTtl }) => (emulateTtl ? deleteExpired(table, clock.now()) : { skipped: 1 }),
  },
];

export class SweepError extends Error {
  override name = 'SweepError';
  constructor(readonly failures: ReadonlyArray<{ task: string; error: unknown }>) {
    super(
      `sweep tasks failed: ${failures.map((f) => `${f.task} (${f.error instanceof Error ? f.error.message : String(f.error)})`).join(', ')}`,
    );
  }
}

/** Runs every task (one failing does not stop the others), then throws if any failed so the invocation is retried. */
export async function runSweep(
  context: SweepContext,
  tasks: readonly SweepTask[] = SWEEP_TASKS,
): Promise<Record<string, Record<string, number>>> {
  const results: Record<string, Record<string, number>> = {};
  const failures: Array<{ task: string; error: unknown }> = [];
  for (const task of tasks) {
    try {
      results[task.name] = await task.run(context);
    } catch (error: unknown) {
      failures.push({ task: task.name, error });
    }
  }
  if (failures.length > 0) throw new SweepError(failures);
  return results;
}
