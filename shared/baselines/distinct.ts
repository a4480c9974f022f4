/**
 * How many distinct values (object ids, addresses, paths) a caller used, in bounded memory: an exact list of
 * hashes while it is small, then a HyperLogLog of 256 registers (about ±6.5 %), stored as plain JSON.
 * The exact phase keeps small counts exact, which is where thresholds sit for most callers.
 */
export interface DistinctCounter {
  /** Exact phase: 32-bit hashes of the values seen. */
  h?: number[];
  /** Sketch phase: one base-36 character per register (the register's rank, at most 35). */
  r?: string;
}

const PRECISION = 8;
const REGISTERS = 1 << PRECISION;
const EXACT_LIMIT = 64;
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);

export function emptyDistinct(): DistinctCounter {
  return { h: [] };
}

/** FNV-1a followed by a murmur3 finaliser: cheap and well spread over 32 bits. */
export function hash32(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function registerOf(hash: number): { index: number; rank: number } {
  const index = hash >>> (32 - PRECISION);
  const rest = (hash << PRECISION) >>> 0;
  const rank = rest === 0 ? 32 - PRECISION + 1 : Math.clz32(rest) + 1;
  return { index, rank: Math.min(35, rank) };
}

function toRegisters(hashes: readonly number[]): string {
  const registers = new Array<number>(REGISTERS).fill(0);
  for (const hash of hashes) {
    const { index, rank } = registerOf(hash);
    if (rank > (registers[index] as number)) registers[index] = rank;
  }
  return registers.map((r) => r.toString(36)).join('');
}

/** Adds a value; returns true when the estimate may have changed. */
export function addDistinct(counter: DistinctCounter, value: string): boolean {
  const hash = hash32(value);
  if (counter.r === undefined) {
    counter.h ??= [];
    const hashes = counter.h;
    if (hashes.includes(hash)) return false;
    hashes.push(hash);
    if (hashes.length > EXACT_LIMIT) {
      counter.r = toRegisters(hashes);
      delete counter.h;
    }
    return true;
  }
  const { index, rank } = registerOf(hash);
  const current = Number.parseInt(counter.r.charAt(index), 36);
  if (rank <= current) return false;
  counter.r = counter.r.slice(0, index) + rank.toString(36) + counter.r.slice(index + 1);
  return true;
}

export function distinctEstimate(counter: DistinctCounter): number {
  if (counter.r === undefined) return counter.h?.length ?? 0;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < REGISTERS; i++) {
    const rank = Number.parseInt(counter.r.charAt(i), 36);
    sum += 2 ** -rank;
    if (rank === 0) zeros++;
  }
  const raw = (ALPHA * REGISTERS * REGISTERS) / sum;
  if (raw <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
  return Math.round(raw);
}

/** The union of two counters (used when windows or endpoints are merged). */
export function mergeDistinct(into: DistinctCounter, from: DistinctCounter): void {
  if (from.r === undefined && into.r === undefined) {
    into.h ??= [];
    for (const hash of from.h ?? []) if (!into.h.includes(hash)) into.h.push(hash);
    if ((into.h?.length ?? 0) > EXACT_LIMIT) {
      into.r = toRegisters(into.h ?? []);
      delete into.h;
    }
    return;
  }
  const a = into.r ?? toRegisters(into.h ?? []);
  const b = from.r ?? toRegisters(from.h ?? []);
  let merged = '';
  for (let i = 0; i < REGISTERS; i++) {
    const x = Number.parseInt(a.charAt(i), 36);
    const y = Number.parseInt(b.charAt(i), 36);
    merged += Math.max(x, y).toString(36);
  }
  into.r = merged;
  delete into.h;
}
