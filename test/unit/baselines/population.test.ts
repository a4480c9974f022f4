import { describe, expect, it } from 'vitest';
import {
  addParticipant,
  confirmParticipants,
  newPopulationBaseline,
  observeLogin,
  type PopulationBaseline,
  recentSum,
  windowBaseline,
} from '../../../shared/baselines/population.js';
import { WINDOW_MS } from '../../../shared/baselines/windows.js';

const MINUTE = 60_000;
/** A window start. */
const W0 = Date.UTC(2026, 10, 2, 12, 0, 0);
const QUIET = 2 * MINUTE;

function population(): PopulationBaseline {
  return newPopulationBaseline({ host: 'api.example.com', method: 'POST', path: '/login' });
}

describe('population baseline: fail-only callers', () => {
  it('confirms a caller once it has been quiet for the quiet time, not a moment before', () => {
    // Prepare
    const p = population();
    addParticipant(p, 'ip:a', W0 + MINUTE);
    // Act / Assess
    expect(confirmParticipants(p, W0 + MINUTE + QUIET - 1, QUIET)).toBe(0);
    expect(p.pending['ip:a']?.confirmed).toBeUndefined();
    expect(confirmParticipants(p, W0 + MINUTE + QUIET, QUIET)).toBe(1);
    // Counted once, in the window of its last failure.
    expect(confirmParticipants(p, W0 + 5 * MINUTE, QUIET)).toBe(0);
    expect(p.windows.find((w) => w.window === W0)?.callers).toBe(1);
  });

  it('confirms a caller that keeps failing once 10 minutes have passed since its first failure, not before', () => {
    // Prepare: one failure a minute, never quiet for 2 minutes.
    const p = population();
    for (let m = 0; m <= 10; m++) addParticipant(p, 'ip:b', W0 + m * MINUTE);
    // Act / Assess
    expect(confirmParticipants(p, W0 + WINDOW_MS - 1, QUIET)).toBe(0);
    expect(confirmParticipants(p, W0 + WINDOW_MS, QUIET)).toBe(1);
    expect(p.pending['ip:b']?.failures).toBe(11);
    expect(p.windows.find((w) => w.window === W0 + WINDOW_MS)?.callers).toBe(1);
  });

  it('sums a window field over a span, the oldest window weighted by its overlap', () => {
    // Prepare: 10 failures in each of seven windows.
    const p = population();
    for (let k = 0; k < 7; k++)
      for (let i = 0; i < 10; i++) observeLogin(p, W0 + k * WINDOW_MS + i * 1000, true, false);
    const now = W0 + 6 * WINDOW_MS + 5 * MINUTE; // half-way through the seventh window
    // Act / Assess
    expect(recentSum(p, 'failed', now, WINDOW_MS)).toBe(10 + 5);
    expect(recentSum(p, 'failed', now, 6 * WINDOW_MS)).toBe(60 + 5);
    expect(recentSum(p, 'ok', now, 6 * WINDOW_MS)).toBe(0);
  });

  it('learns the median and MAD of completed windows outside campaigns', () => {
    // Prepare
    const p = population();
    p.windows = [
      { window: W0, failed: 4, ok: 0, callers: 1 },
      { window: W0 + WINDOW_MS, failed: 6, ok: 0, callers: 3 },
      { window: W0 + 2 * WINDOW_MS, failed: 5, ok: 0, callers: 2 },
      { window: W0 + 3 * WINDOW_MS, failed: 90, ok: 0, callers: 40, campaign: true },
      { window: W0 + 4 * WINDOW_MS, failed: 99, ok: 0, callers: 99 },
    ];
    // Act
    const callers = windowBaseline(p, 'callers', W0 + 4 * WINDOW_MS + 1);
    // Assess: the campaign window and the current one are left out.
    expect(callers).toEqual({ median: 2, mad: 1, windows: 3 });
  });
});
