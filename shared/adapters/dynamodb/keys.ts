import { createHash } from 'node:crypto';
import type { CollectionName } from '../../ports/store.js';
import { COLLECTION_BUCKETS } from '../../store/tables.js';

/**
 * Sort keys are at most 1,024 bytes. Ids longer than this (an endpoint key with a scanner's 8 KB path) are stored
 * under their first bytes plus a hash; the full id is kept in the item (attribute `id`).
 */
export const MAX_SORT_KEY_BYTES = 1024;
/** Bytes of an over-long id kept in its sort key (a prefix query uses at most this much of the prefix). */
export const KEPT_PREFIX_BYTES = 900;

/** FNV-1a, 32 bits, over the UTF-8 bytes: stable across runtimes, cheap, spreads ids evenly enough. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function bucketOf(collection: CollectionName, id: string): number {
  return fnv1a(id) % COLLECTION_BUCKETS[collection];
}

export function partitionKey(collection: CollectionName, bucket: number): string {
  return `${collection}#${bucket}`;
}

export function chunkPartitionKey(collection: CollectionName, bucket: number): string {
  return `${collection}#${bucket}#chunks`;
}

/** The sort key of an id: the id itself when it fits, else a prefix of it and a hash of the whole. */
export function sortKeyOf(id: string): string {
  if (Buffer.byteLength(id, 'utf8') <= MAX_SORT_KEY_BYTES) return id;
  const digest = createHash('sha256').update(id).digest('hex');
  return `${utf8Prefix(id, KEPT_PREFIX_BYTES)}#${digest}`;
}

export function isTruncatedKey(id: string): boolean {
  return Buffer.byteLength(id, 'utf8') > MAX_SORT_KEY_BYTES;
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `bytes` (never cutting a character). */
export function utf8Prefix(text: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > bytes) break;
    used += size;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** DynamoDB orders string keys by UTF-8 bytes, which is code point order (not JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
