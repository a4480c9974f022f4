/**
 * Findings must not depend on where the stream was cut into batches: a Lambda's batch size, a retry bisected after a
 * crash and `lantern analyze`'s chunks all cut the same records differently.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { resolveDetectionConfig } from '../../../shared/detection/config.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { analyzeBatch } from '../../../shared/engine/analyze.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { makeApiEvent } from '../../helpers/events.js';

const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const MINUTE = 60_000;
// Unwarmed peers: the threshold is twice the floor, 300 requests in 10 minutes.
const detection = resolveDetectionConfig({ thresholds: { volumetric: { minRequests: 150 } } });

function evenly(n: number, from: number, spanMs: number): ApiEvent[] {
  return Array.from({ length: n }, (_, i) =>
    makeApiEvent({ time: from + Math.floor((i * spanMs) / n), path: '/v1/orders', clientIp: '203.0.113.9' }),
  );
}

async function findingsWhenCut(events: readonly ApiEvent[], cutEveryMs: number): Promise<string[]> {
  const clock = fixedClock(T0);
  const store = createMemoryStore({ clock });
  const batches = new Map<number, ApiEvent[]>();
  for (const event of events) {
    const cut = Math.floor((event.time - T0) / cutEveryMs);
    batches.set(cut, [...(batches.get(cut) ?? []), event]);
  }
  let sequence = 0;
  for (const batch of batches.values()) {
    const eventSequences = batch.map(() => String(++sequence).padStart(8, '0'));
    await analyzeBatch(
      { events: batch, rejections: [], shard: 'shardId-000', eventSequences },
      { store, clock, detection },
    );
  }
  const findings = (await store.findings.list()).items.map((i) => i.value as Finding);
  return findings.map((f) => `${f.type} ${f.entity.type}:${f.entity.id} ${f.severity}`).sort();
}

describe('findings and batch boundaries', () => {
  it('finds a 10-minute rate that peaks between two batch ends, however the stream is cut', async () => {
    // Prepare: 280 requests in one 10-minute window, 170 in the first half of the next, one more three minutes later.
    // The sliding 10-minute count peaks near 12:15 (170 + 280 × 0.5 = 310, over 300) and is 227 at 12:18.
    const events = [...evenly(280, T0, 10 * MINUTE), ...evenly(170, T0 + 10 * MINUTE, 5 * MINUTE)];
    events.push(makeApiEvent({ time: T0 + 18 * MINUTE, path: '/v1/orders', clientIp: '203.0.113.9' }));
    // Act: one batch for everything; a batch per minute.
    const oneBatch = await findingsWhenCut(events, 60 * MINUTE);
    const perMinute = await findingsWhenCut(events, MINUTE);
    // Assess
    expect(oneBatch).toContain('volumetric-abuse ip:203.0.113.9 medium');
    expect(oneBatch).toEqual(perMinute);
  });
});
