import type { Rejection, RejectionReason } from '../events/api-event.js';

/** How many rejection samples are kept (per reason and in all): enough to find the bad lines, never a copy of them. */
export const MAX_REJECTION_SAMPLES = 20;
const MAX_SAMPLES_PER_REASON = 5;

/**
 * The ledger of everything read: every record is either analysed or rejected, and `records` is their sum.
 * Control messages (CloudWatch Logs reachability checks) are not records; they are counted apart.
 */
export interface RunStats {
  records: number;
  analysed: number;
  rejected: number;
  byReason: Partial<Record<RejectionReason, number>>;
  samples: Rejection[];
  controlMessages: number;
  /** Earliest and latest request time analysed, epoch ms. */
  from?: number;
  to?: number;
}

export function emptyRunStats(): RunStats {
  return { records: 0, analysed: 0, rejected: 0, byReason: {}, samples: [], controlMessages: 0 };
}

export function countRejections(stats: RunStats, rejections: readonly Rejection[]): void {
  for (const rejection of rejections) {
    stats.records++;
    stats.rejected++;
    stats.byReason[rejection.reason] = (stats.byReason[rejection.reason] ?? 0) + 1;
    if (stats.samples.length >= MAX_REJECTION_SAMPLES) continue;
    const sameReason = stats.samples.filter((s) => s.reason === rejection.reason).length;
    if (sameReason < MAX_SAMPLES_PER_REASON) stats.samples.push(rejection);
  }
}

export function countAnalysed(stats: RunStats, count: number, from: number | undefined, to: number | undefined): void {
  stats.records += count;
  stats.analysed += count;
  if (from !== undefined && (stats.from === undefined || from < stats.from)) stats.from = from;
  if (to !== undefined && (stats.to === undefined || to > stats.to)) stats.to = to;
}

export function mergeRunStats(into: RunStats, from: RunStats): void {
  into.records += from.records;
  into.analysed += from.analysed;
  into.rejected += from.rejected;
  into.controlMessages += from.controlMessages;
  for (const [reason, count] of Object.entries(from.byReason)) {
    const r = reason as RejectionReason;
    into.byReason[r] = (into.byReason[r] ?? 0) + (count ?? 0);
  }
  for (const sample of from.samples) {
    if (into.samples.length >= MAX_REJECTION_SAMPLES) break;
    into.samples.push(sample);
  }
  if (from.from !== undefined && (into.from === undefined || from.from < into.from)) into.from = from.from;
  if (from.to !== undefined && (into.to === undefined || from.to > into.to)) into.to = from.to;
}
