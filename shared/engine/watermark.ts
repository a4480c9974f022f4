/**
 * Exactly-once effects over at-least-once delivery. Kinesis may hand the same record to the engine again
 * (a retried or bisected batch, a replay). Each stored document remembers, per shard, the highest sequence number
 * already applied to it; a record at or below that mark is skipped for that document. Records of one shard arrive in
 * order, so this holds whatever the batch boundaries are on the retry.
 */
export interface Watermarked {
  applied?: Record<string, string>;
}

/** Kinesis sequence numbers are decimal strings of up to 128 bits: compare by length, then text. */
export function compareSequence(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function alreadyApplied(doc: Watermarked, shard: string | undefined, sequence: string | undefined): boolean {
  if (shard === undefined || sequence === undefined) return false;
  const mark = doc.applied?.[shard];
  return mark !== undefined && compareSequence(sequence, mark) <= 0;
}

export function markApplied(doc: Watermarked, shard: string | undefined, sequence: string | undefined): void {
  if (shard === undefined || sequence === undefined) return;
  doc.applied ??= {};
  const mark = doc.applied[shard];
  if (mark === undefined || compareSequence(sequence, mark) > 0) doc.applied[shard] = sequence;
}
