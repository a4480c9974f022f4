import type { Watermarked } from '../engine/watermark.js';
import { median } from './robust.js';
import { HOUR_MS, minuteStart, WINDOW_MS, windowStart } from './windows.js';

/**
 * Population-level state of one login endpoint (a `store.meta` document): failed and successful logins per minute
 * and per 10-minute window from every caller; the callers whose only activity is failed logins (each too quiet to be
 * judged alone) and, per window, how many of them were confirmed as such ("fail-only callers": no success, nothing
 * else, for a while after their first failure); and a campaign flag when those rise far above their own history.
 */

export const POPULATION_PREFIX = 'detection:population:';
export const MAX_PENDING = 3000;
/** Completed windows kept for the baselines (one day). */
export const WINDOWS_KEPT = 144;
/** A participant's failures older than this are forgotten. */
export const PENDING_TTL_MS = 2 * HOUR_MS;
/** Windows in an hour: the long (low-and-slow) rule sums this many. */
export const WINDOWS_PER_HOUR = HOUR_MS / WINDOW_MS;

export interface Participant {
  first: number;
  last: number;
  failures: number;
  /** When it was confirmed a fail-only caller (counted once in its window's `callers`). */
  confirmed?: number;
}

/**
 * Participants that one batch of a shard took out of `pending` for a campaign (detection's campaign.ts), with what
 * their findings say of the campaign (`figures`, when it began). Their own documents are written after this one, so
 * a batch that fails in between is delivered again to a population that has its records and has lost them; the
 * release lets that delivery give each participant whose document lacks it its finding and risk again.
 */
export interface ParticipantRelease<Figures = unknown> {
  /** The shard's latest record that the releasing batch counted here: the release belongs to the batch holding it. */
  through: string;
  figures: Figures;
  since?: number;
  participants: Record<string, Participant>;
}

export interface PopulationWindow {
  window: number;
  failed: number;
  ok: number;
  /** Callers confirmed fail-only in this window. */
  callers?: number;
  /** Marked while a campaign is declared: not learnt from. */
  campaign?: boolean;
}

export interface PopulationBaseline extends Watermarked {
  host: string;
  method: string;
  path: string;
  minutes: Array<{ minute: number; failed: number; ok: number }>;
  /** Completed and current 10-minute windows. */
  windows: PopulationWindow[];
  /** `from`: participants whose last failure is at or after it belong to the campaign. */
  campaign?: {
    since: number;
    lastOver: number;
    peakFailures: number;
    baselineFailures: number;
    from?: number;
    rule?: '10min' | 'hour';
  };
  /** Entity key -> its failed logins, while it has done nothing else. */
  pending: Record<string, Participant>;
  /** Shard -> the participants its latest batch that updated this document released (replaced by its next one). */
  released?: Record<string, ParticipantRelease>;
}

export function populationId(key: string): string {
  return `${POPULATION_PREFIX}${key}`;
}

export function newPopulationBaseline(ref: { host: string; method: string; path: string }): PopulationBaseline {
  return { host: ref.host, method: ref.method, path: ref.path, minutes: [], windows: [], pending: {} };
}

/** The window record holding `time`, created (and the list bounded) when missing. */
export function windowAt(population: PopulationBaseline, time: number): PopulationWindow {
  const window = windowStart(time);
  let w = population.windows.find((x) => x.window === window);
  if (!w) {
    w = { window, failed: 0, ok: 0 };
    population.windows.push(w);
    population.windows.sort((a, b) => a.window - b.window);
    if (population.windows.length > WINDOWS_KEPT)
      population.windows.splice(0, population.windows.length - WINDOWS_KEPT);
  }
  return w;
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
  const w = windowAt(population, time);
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

/**
 * A window field summed over the `span` ending at `now` (a multiple of 10 minutes): the windows wholly inside it,
 * plus the oldest one weighted by how much of it still overlaps (the sliding window of `windows.ts`, longer).
 */
export function recentSum(
  population: PopulationBaseline,
  field: 'failed' | 'ok' | 'callers',
  now: number,
  span: number,
): number {
  const current = windowStart(now);
  const oldest = current - span;
  const overlap = 1 - Math.min(1, Math.max(0, now - current) / WINDOW_MS);
  let sum = 0;
  for (const w of population.windows) {
    if (w.window > now || w.window < oldest) continue;
    const value = w[field] ?? 0;
    sum += w.window === oldest ? value * overlap : value;
  }
  return sum;
}

export interface RobustBaseline {
  median: number;
  mad: number;
  windows: number;
}

/** Median and MAD of a window field, over completed windows outside any campaign. */
export function windowBaseline(
  population: PopulationBaseline,
  field: 'failed' | 'ok' | 'callers',
  now: number,
): RobustBaseline {
  const current = windowStart(now);
  const history = population.windows.filter((w) => w.window < current && !w.campaign).map((w) => w[field] ?? 0);
  if (history.length === 0) return { median: 0, mad: 0, windows: 0 };
  const m = median(history);
  return { median: m, mad: median(history.map((v) => Math.abs(v - m))), windows: history.length };
}

/** Median and MAD of failed logins per window, over completed windows outside any campaign. */
export function failureBaseline(population: PopulationBaseline, now: number): RobustBaseline {
  return windowBaseline(population, 'failed', now);
}

export function addParticipant(population: PopulationBaseline, entity: string, time: number): void {
  const existing = population.pending[entity];
  if (existing) {
    existing.failures++;
    existing.last = Math.max(existing.last, time);
    existing.first = Math.min(existing.first, time);
    return;
  }
  const keys = Object.keys(population.pending);
  if (keys.length >= MAX_PENDING) {
    let oldest = keys[0] as string;
    for (const key of keys)
      if ((population.pending[key]?.last ?? 0) < (population.pending[oldest]?.last ?? 0)) oldest = key;
    delete population.pending[oldest];
  }
  population.pending[entity] = { first: time, last: time, failures: 1 };
}

export function prunePending(population: PopulationBaseline, now: number): void {
  for (const [key, p] of Object.entries(population.pending))
    if (p.last < now - PENDING_TTL_MS) delete population.pending[key];
}

/**
 * Confirms the pending callers that have done nothing but fail logins for long enough: quiet for `quietMs` since
 * their last failure (a user who mistyped retries within seconds, and a success removes them), or still failing
 * `WINDOW_MS` after their first. Each is counted once, in the window of its last failure (so that the count says
 * when the callers were active, however late a batch confirms them). Returns how many were confirmed.
 */
export function confirmParticipants(population: PopulationBaseline, now: number, quietMs: number): number {
  let confirmed = 0;
  for (const p of Object.values(population.pending)) {
    if (p.confirmed !== undefined) continue;
    if (now - p.last < quietMs && now - p.first < WINDOW_MS) continue;
    p.confirmed = now;
    confirmed++;
    const w = windowAt(population, Math.min(p.last, now));
    w.callers = (w.callers ?? 0) + 1;
  }
  return confirmed;
}
