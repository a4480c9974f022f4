/**
 * A mergeable quantile sketch with bounded relative error (the DDSketch idea): values fall into logarithmic
 * buckets, so p50/p99 of latencies or sizes stay within ±2 % whatever the volume, in a few hundred numbers at most.
 * Plain JSON, so it is stored as part of a document.
 */
export interface QuantileSketch {
  /** bucket index -> count */
  b: Record<string, number>;
  /** count of zero values */
  z: number;
  n: number;
}

const RELATIVE_ACCURACY = 0.02;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this count as zero (sub-microsecond latency, empty bodies). */
const MIN_VALUE = 1e-3;

export function emptySketch(): QuantileSketch {
  return { b: {}, z: 0, n: 0 };
}

export function addToSketch(sketch: QuantileSketch, value: number, count = 1): void {
  if (!Number.isFinite(value) || value < 0) return;
  sketch.n += count;
  if (value < MIN_VALUE) {
    sketch.z += count;
    return;
  }
  const key = String(Math.ceil(Math.log(value) / LOG_GAMMA));
  sketch.b[key] = (sketch.b[key] ?? 0) + count;
}

export function mergeSketch(into: QuantileSketch, from: QuantileSketch): void {
  into.n += from.n;
  into.z += from.z;
  for (const [key, count] of Object.entries(from.b)) into.b[key] = (into.b[key] ?? 0) + count;
}

/** The q-quantile (0..1), or undefined for an empty sketch. */
export function sketchQuantile(sketch: QuantileSketch, q: number): number | undefined {
  if (sketch.n === 0) return undefined;
  const rank = Math.max(0, Math.min(sketch.n - 1, Math.floor(q * (sketch.n - 1))));
  if (rank < sketch.z) return 0;
  let seen = sketch.z;
  const keys = Object.keys(sketch.b)
    .map(Number)
    .sort((a, b) => a - b);
  for (const key of keys) {
    seen += sketch.b[String(key)] ?? 0;
    if (seen > rank) return (2 * GAMMA ** key) / (GAMMA + 1);
  }
  const last = keys.at(-1);
  return last === undefined ? 0 : (2 * GAMMA ** last) / (GAMMA + 1);
}

/** Takes back one value added earlier (a per-identity peak that has since grown is moved, not duplicated). */
export function removeFromSketch(sketch: QuantileSketch, value: number, count = 1): void {
  if (!Number.isFinite(value) || value < 0 || sketch.n <= 0) return;
  if (value < MIN_VALUE) {
    if (sketch.z < count) return;
    sketch.z -= count;
    sketch.n -= count;
    return;
  }
  const key = String(Math.ceil(Math.log(value) / LOG_GAMMA));
  const current = sketch.b[key];
  if (current === undefined || current < count) return;
  sketch.n -= count;
  if (current === count) delete sketch.b[key];
  else sketch.b[key] = current - count;
}

/** Replaces one sample: `previous` (when there was one) by `next`. */
export function moveInSketch(sketch: QuantileSketch, previous: number | undefined, next: number): void {
  if (previous === next) return;
  if (previous !== undefined) removeFromSketch(sketch, previous);
  addToSketch(sketch, next);
}
