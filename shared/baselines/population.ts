import { median } from './robust.js';
import { MINUTE_MS, minuteStart, WINDOW_MS, windowStart } from './windows.js';
import type { Watermarked } from '../engine/watermark.js';

/**
 * Population-level state of one login endpoint (a `store.meta` document): failed and successful logins per minute
 * and per 10-minute window from every caller, a campaign flag when failures rise far above their own history,
 * and the callers whose only activity is failed logins (the participants of a low-and-slow campaign, each of which
 * is too quiet to be judged alone).
 */

export const POPULATION_PREFIX = 'detection:population:';
export const MAX_PENDING = 3000;
/** Completed windows kept for the failure baseline (one day). */
export const WINDOWS_KEPT = 144;
/** A participant's failures older than this are forgotten. */
export const PENDING_TTL_MS = 2 * 60 * MINUTE_MS;

export interface Participant {
  first: number;
  last: number;
  failures: number;
}

export interface PopulationBaseline extends Watermarked {
  host: string;
  method: string;
  path: string;
  minutes: Array<{ minute: number; failed: number; ok: number }>;
  /** Completed and current 10-minute windows; `campaign` marks windows not to learn from. */
  windows: Array<{ window: number; failed: number; ok: number; campaign?: boolean }>;
  campaign?: { since: number; lastOver: number; peakFailures: number; baselineFailures: number };
  /** Entity key -> its failed logins, while it has done nothing else. */
  pending: Record<string, Participant>;
}

export function populationId(key: string): string {
  return `${POPULATION_PREFIX}${key}`;
}

export function newPopulationBaseline(ref: { host: string; method: string; path: string }): PopulationBaseline {
  return { host: ref.host, method: ref.method, path: ref.path, minutes: [], windows: [], pending: {} };
}

export function observeLogin(population: PopulationBaseline, time: number, failed: boolean, ok: boolean): void {
  if (!failed && !ok) return;
  const minute = minuteStart(time);
  let m = population.minutes.find((x) => x.minute === minute);
  if (!m) {
    m = { minute, failed: 0, ok: 0 };
    population.minutes.push(m);
    population.minutes.sort((a, b) => a.minute - b.minute);
    const newest = population.minutes.at(-1)?.minute ?? minute;
    population.minutes = population.minutes.filter((x) => x.minute > newest - WINDOW_MS);
  }
  const window = windowStart(time);
  let w = population.windows.find((x) => x.window === window);
  if (!w) {
    w = { window, failed: 0, ok: 0 };
    population.windows.push(w);
    population.windows.sort((a, b) => a.window - b.window);
    if (population.windows.length > WINDOWS_KEPT) population.windows.splice(0, population.windows.length - WINDOWS_KEPT);
  }
  if (failed) {
    m.failed++;
    w.failed++;
  } else {
    m.ok++;
    w.ok++;
  }
}

/** Failed logins over the 10 minutes ending at `now`. */
export function recentFailures(population: PopulationBaseline, now: number): number {
  let failed = 0;
  for (const m of population.minutes) if (m.minute > now - WINDOW_MS && m.minute <= now) failed += m.failed;
  return failed;
}

/** Median and MAD of failed logins per window, over completed windows outside any campaign. */
export function failureBaseline(population: PopulationBaseline, now: number): { median: number; mad: number; windows: number } {
  const current = windowStart(now);
  const history = population.windows.filter((w) => w.window < current && !w.campaign).map((w) => w.failed);
  if (history.length === 0) return { median: 0, mad: 0, windows: 0 };
  const m = median(history);
  const mad = median(history.map((v) => Math.abs(v - m)));
  return { median: m, mad, windows: history.length };
}

export function addParticipant(population: PopulationBaseline, entity: string, time: number): void {
  const existing = population.pending[entity];
  if (existing) {
    existing.failures++;
    existing.last = Math.max(existing.last, time);
    return;
  }
  const keys = Object.keys(population.pending);
  if (keys.length >= MAX_PENDING) {
    let oldest = keys[0] as string;
    for (const key of keys) if ((population.pending[key]?.last ?? 0) < (population.pending[oldest]?.last ?? 0)) oldest = key;
    delete population.pending[oldest];
  }
  population.pending[entity] = { first: time, last: time, failures: 1 };
}

export function prunePending(population: PopulationBaseline, now: number): void {
  for (const [key, p] of Object.entries(population.pending)) if (p.last < now - PENDING_TTL_MS) delete population.pending[key];
}
