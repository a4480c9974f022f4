import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CURRENT_CODEC, compress, decompress } from '../../../shared/adapters/dynamodb/codec.js';
import { StoreError } from '../../../shared/ports/store.js';

const entity = JSON.stringify({
  type: 'ip',
  id: '198.51.100.7',
  requests: 42,
  firstSeen: 1795527448655,
  lastSeen: 1795527597386,
  risk: 0,
  statusCounts: { '200': 40, '404': 2 },
  links: { ips: [], apiKeys: [], principals: [] },
  userAgents: ['curl/8.0'],
  baseline: {
    endpoints: Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [
        `api.example.com GET /v1/items/${i}`,
        {
          firstSeen: 1,
          lastSeen: 2,
          window: 3,
          current: { requests: i, bytes: 100 * i, ok: i, denied: 0, notFound: 0, unauthenticatedOk: 0, objects: 0 },
        },
      ]),
    ),
  },
});

describe('document codec', () => {
  it('round-trips, and the dictionary makes a small document much smaller than plain deflate', () => {
    const packed = compress(entity);
    expect(decompress(packed, CURRENT_CODEC)).toBe(entity);
    expect(packed.length).toBeLessThan(deflateRawSync(entity).length * 0.8);
  });

  it('still reads codec 0 (plain deflate)', () => {
    expect(decompress(deflateRawSync(entity), 0)).toBe(entity);
  });

  it('refuses a codec it does not know, with a clear error', () => {
    expect(() => decompress(compress(entity), 99)).toThrow(StoreError);
    expect(() => decompress(compress(entity), 99)).toThrow(/unknown document codec 99/);
  });
});
