import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { batchLength, MAX_PAYLOAD_BYTES } from '../../../infra/local/poller.js';

const record = (bytes: number): KinesisRecord => ({
  Data: new Uint8Array(bytes),
  SequenceNumber: '1',
  PartitionKey: 'k',
});

describe('local event source mapping: batch boundaries', () => {
  it('takes up to the batch size', () => {
    expect(
      batchLength(
        Array.from({ length: 50 }, () => record(300)),
        10,
      ),
    ).toBe(10);
    expect(
      batchLength(
        Array.from({ length: 5 }, () => record(300)),
        10,
      ),
    ).toBe(5);
  });

  it('stops before 6 MB of invocation payload, as Lambda does, but always takes one record', () => {
    const big = Array.from({ length: 20 }, () => record(1024 * 1024));
    const n = batchLength(big, 10_000);
    expect(n).toBeGreaterThan(0);
    expect(n * Math.ceil((1024 * 1024 * 4) / 3)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    expect(batchLength([record(10 * 1024 * 1024)], 10_000)).toBe(1);
  });
});
