import { describe, expect, it } from 'vitest';
import { newPopulationBaseline, type PopulationBaseline } from '../../../shared/baselines/population.js';
import { HOUR_MS, WINDOW_MS } from '../../../shared/baselines/windows.js';
import {
  elevatedSince,
  keepRelease,
  loginActivity,
  participantConfidence,
  readyParticipants,
  releaseThrough,
  updateCampaign,
} from '../../../shared/detection/campaign.js';
import { config } from './harness.js';

const MINUTE = 60_000;
/** `now` in these tests: a window start, so the last 10 minutes are exactly the previous window. */
const NOW = Date.UTC(2026, 10, 2, 18, 0, 0);
const cfg = config();

/**
 * A login endpoint with `history` ordinary windows (each with `usual` fail-only callers) ending three hours before
 * NOW, and the given fail-only callers in the windows just before NOW (oldest first).
 */
function population(recent: number[], usual = 1, history = 12): PopulationBaseline {
  const p = newPopulationBaseline({ host: 'api.example.com', method: 'POST', path: '/login' });
  for (let k = history; k > 0; k--)
    p.windows.push({ window: NOW - 3 * HOUR_MS - k * WINDOW_MS, failed: 5, ok: 50, callers: usual });
  recent.forEach((callers, i) => {
    p.windows.push({ window: NOW - (recent.length - i) * WINDOW_MS, failed: 5 + callers, ok: 50, callers });
  });
  p.windows.push({ window: NOW, failed: 0, ok: 0 });
  return p;
}

describe('population credential-stuffing rules', () => {
  it('10-minute rule: 12 fail-only callers over a usual 1 declare a campaign, 11 do not', () => {
    // Prepare: median 1, MAD 0: threshold max(12, 1 + 6 × 1) = 12.
    const below = population([11]);
    const at = population([12]);
    // Act
    const no = updateCampaign(below, NOW, cfg);
    const yes = updateCampaign(at, NOW, cfg);
    // Assess
    expect(no.active).toBe(false);
    expect(yes.active).toBe(true);
    expect(yes).toMatchObject({ rule: '10min', callers: 12, threshold: 12, expectedCallers: 1 });
  });

  it('hourly rule: a slow campaign of 3 to 4 callers per window declares one at 21 in an hour, not at 20', () => {
    // Prepare: threshold max(20, 6 × 1 + 6 × √6 × 1) = 20.7; no single window reaches 12.
    const below = population([4, 3, 4, 3, 3, 3]);
    const at = population([4, 3, 4, 3, 4, 3]);
    // Act
    const no = updateCampaign(below, NOW, cfg);
    const yes = updateCampaign(at, NOW, cfg);
    // Assess
    expect(no.active).toBe(false);
    expect(no).toMatchObject({ rule: 'hour', callers: 20 });
    expect(yes).toMatchObject({ active: true, rule: 'hour', callers: 21, threshold: 21, expectedCallers: 6 });
    // Its windows are not learnt from; an ordinary window of the period is.
    expect(at.windows.filter((w) => w.campaign).length).toBe(7);
  });

  it("scales with the endpoint's own history: a usual 10 per window needs 29 in 10 minutes", () => {
    // Prepare: median 10, MAD 0: spread √10; threshold 10 + 6 × 3.16 = 28.97.
    const below = population([28], 10);
    const at = population([29], 10);
    // Act / Assess
    expect(updateCampaign(below, NOW, cfg).active).toBe(false);
    expect(updateCampaign(at, NOW, cfg)).toMatchObject({ active: true, threshold: 29 });
  });

  it('follows the login activity: at 3 times the usual successful logins, 3 times the usual fail-only callers are no campaign', () => {
    // Prepare: usual 10 per window at 50 successful logins. At 150: expected 30, spread √30, threshold 30 + 6 × 5.48 = 62.9.
    const busy = population([40], 10);
    (busy.windows.at(-2) as { ok: number }).ok = 150;
    const ordinary = population([40], 10);
    const busier = population([63], 10);
    (busier.windows.at(-2) as { ok: number }).ok = 150;
    // Act / Assess
    expect(updateCampaign(busy, NOW, cfg)).toMatchObject({ active: false, expectedCallers: 30 });
    expect(updateCampaign(busier, NOW, cfg)).toMatchObject({ active: true, threshold: 63 });
    expect(updateCampaign(ordinary, NOW, cfg).active).toBe(true);
  });

  it('login activity is clamped to a quarter and four times the usual, and 1 without history', () => {
    const quiet = population([0], 10);
    (quiet.windows.at(-2) as { ok: number }).ok = 1;
    const rush = population([0], 10);
    (rush.windows.at(-2) as { ok: number }).ok = 5000;
    expect(loginActivity(quiet, NOW, WINDOW_MS)).toBe(0.25);
    expect(loginActivity(rush, NOW, WINDOW_MS)).toBe(4);
    expect(loginActivity(newPopulationBaseline({ host: 'h', method: 'POST', path: '/login' }), NOW, WINDOW_MS)).toBe(1);
  });

  it('before 3 windows of history the floors are tripled', () => {
    // Prepare
    const below = population([35], 0, 1);
    const at = population([36], 0, 1);
    // Act / Assess
    expect(updateCampaign(below, NOW, cfg).active).toBe(false);
    expect(updateCampaign(at, NOW, cfg).active).toBe(true);
  });

  it('stays declared for the latch time after it was last over, then ends', () => {
    // Prepare
    const p = population([13]);
    expect(updateCampaign(p, NOW, cfg)).toMatchObject({ active: true, rule: '10min' });
    // Act: nothing more, 30 minutes later and just after.
    const later = NOW + 30 * MINUTE;
    p.windows.push({ window: later - WINDOW_MS, failed: 0, ok: 0 }, { window: later, failed: 0, ok: 0 });
    const kept = updateCampaign(p, later, cfg).active;
    const ended = updateCampaign(p, later + 1, cfg).active;
    // Assess
    expect([kept, ended]).toEqual([true, false]);
  });

  it("reports the confirmed fail-only callers of the campaign's period, not a user who gave up before it began", () => {
    // Prepare: the hourly rule holds; the elevated windows begin 40 minutes before NOW.
    const p = population([0, 1, 6, 5, 6, 5]);
    p.pending = {
      'ip:early-user': { first: NOW - 58 * MINUTE, last: NOW - 58 * MINUTE, failures: 1, confirmed: NOW - 55 * MINUTE },
      'ip:participant': {
        first: NOW - 39 * MINUTE,
        last: NOW - 39 * MINUTE,
        failures: 1,
        confirmed: NOW - 36 * MINUTE,
      },
      'ip:edge': { first: NOW - 42 * MINUTE, last: NOW - 42 * MINUTE, failures: 1, confirmed: NOW - 40 * MINUTE },
      'ip:still-trying': { first: NOW - MINUTE, last: NOW - 30_000, failures: 2 },
    };
    // Act
    const state = updateCampaign(p, NOW, cfg);
    const ready = readyParticipants(p).map((r) => r.entity);
    // Assess: the campaign reaches back to the first elevated window, less the quiet time (2 minutes).
    expect(state).toMatchObject({ active: true, rule: 'hour' });
    expect(elevatedSince(p, NOW, HOUR_MS)).toBe(NOW - 40 * MINUTE);
    expect(ready.sort()).toEqual(['ip:edge', 'ip:participant']);
    expect(Object.keys(p.pending).sort()).toEqual(['ip:early-user', 'ip:still-trying']);
  });

  it("participant confidence: the campaign's confidence times the share of fail-only callers above the usual", () => {
    expect(participantConfidence({ callers: 21, expectedCallers: 6, threshold: 21 })).toBe(0.36);
    expect(participantConfidence({ callers: 210, expectedCallers: 6, threshold: 21 })).toBe(0.87);
    expect(participantConfidence({ callers: 12, expectedCallers: 0, threshold: 12 })).toBe(0.46);
  });
});

describe('participant releases', () => {
  it("keeps each shard's latest release, replaces it with the shard's next, and keeps none without a shard", () => {
    // Prepare
    const p = population([12]);
    const state = updateCampaign(p, NOW, cfg);
    const first = [{ entity: 'ip:a', participant: { first: NOW - 5 * MINUTE, last: NOW - 5 * MINUTE, failures: 1 } }];
    const next = [{ entity: 'ip:b', participant: { first: NOW - 4 * MINUTE, last: NOW - 3 * MINUTE, failures: 2 } }];
    // Act
    keepRelease(p, 'shard-1', '100', state, first);
    keepRelease(p, 'shard-2', '900', state, next);
    keepRelease(p, 'shard-1', '200', state, next);
    keepRelease(p, undefined, undefined, state, first);
    // Assess
    expect(Object.keys(p.released ?? {}).sort()).toEqual(['shard-1', 'shard-2']);
    expect(p.released?.['shard-1']).toMatchObject({
      through: '200',
      figures: state,
      participants: { 'ip:b': next[0]?.participant },
    });
    expect(releaseThrough(p, 'shard-1', '200')?.participants).toHaveProperty('ip:b');
    expect(releaseThrough(p, 'shard-1', '100')).toBeUndefined();
    expect(releaseThrough(p, 'shard-2', '200')).toBeUndefined();
    // A batch of the shard that releases nobody drops its release; the last one gone, so does the field.
    keepRelease(p, 'shard-1', '300', state, []);
    keepRelease(p, 'shard-2', '901', state, []);
    expect(p.released).toBeUndefined();
  });
});
