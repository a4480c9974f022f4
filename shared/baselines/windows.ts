/**
 * Time buckets shared by the baselines. Rates are judged over 10-minute windows (the evaluation window AWS WAF
 * rate-based rules use, so a recommendation maps onto a rule); a window's figure is the current fixed window plus
 * the previous one weighted by how much of it still overlaps the last 10 minutes (a sliding window in two numbers).
 */
export const MINUTE_MS = 60_000;
export const WINDOW_MS = 10 * MINUTE_MS;
export const HOUR_MS = 60 * MINUTE_MS;

export function windowStart(time: number): number {
  return Math.floor(time / WINDOW_MS) * WINDOW_MS;
}

export function hourStart(time: number): number {
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

export function minuteStart(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}

/** current + previous × overlap: the approximate count over the 10 minutes ending at `now`. */
export function sliding(current: number, previous: number | undefined, currentStart: number, now: number): number {
  if (previous === undefined) return current;
  const elapsed = Math.min(WINDOW_MS, Math.max(0, now - currentStart));
  return current + previous * (1 - elapsed / WINDOW_MS);
}
