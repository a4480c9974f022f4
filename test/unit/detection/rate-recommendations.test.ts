import { describe, expect, it } from 'vitest';
import { hourOf } from '../../../shared/baselines/endpoint-baseline.js';
import { addToSketch } from '../../../shared/baselines/sketch.js';
import { MIN_LIMIT, rateRecommendation, rateRecommendations } from '../../../shared/detection/rate-recommendations.js';
import { endpointWithPeers, T0 } from './harness.js';

const HOUR = 3_600_000;

describe('rate recommendations', () => {
  it('gives the peak distribution and a limit above the legitimate top', () => {
    // Prepare: 200 identities peaking at 1..200 requests per 10 minutes
    const baseline = endpointWithPeers(
      '/search',
      { requests: Array.from({ length: 200 }, (_, i) => i + 1) },
      { parameterised: false },
    );
    // Act
    const r = rateRecommendation(baseline);
    // Assess
    expect(r?.peakPer10Min.p50).toBeCloseTo(100, -1);
    expect(r?.peakPer10Min.p99).toBeCloseTo(198, -1);
    expect(r?.recommendedLimit).toBeGreaterThanOrEqual(1.5 * 190);
    expect(r?.windowSeconds).toBe(600);
    expect(r?.basis).toMatch(/requests per 10 minutes per identity/);
  });

  it('is not raised by a few abusers', () => {
    const quiet = Array.from({ length: 100 }, () => 10);
    const withAbusers = endpointWithPeers(
      '/search',
      { requests: [...quiet, 5000, 6000, 7000] },
      { parameterised: false },
    );
    expect(rateRecommendation(withAbusers)?.recommendedLimit).toBeLessThan(100);
  });

  it('never goes under the smallest limit WAF accepts', () => {
    const baseline = endpointWithPeers('/rare', { requests: [1, 1, 1, 1, 1] }, { parameterised: false });
    expect(rateRecommendation(baseline)?.recommendedLimit).toBe(MIN_LIMIT);
  });

  it('says nothing about an endpoint with fewer than five identity-hours', () => {
    expect(
      rateRecommendation(endpointWithPeers('/probe', { requests: [1, 2, 3, 4] }, { parameterised: false })),
    ).toBeUndefined();
  });

  it('is more confident with more identities and more history', () => {
    const few = endpointWithPeers('/a', { requests: [5, 6, 7, 6, 5] }, { parameterised: false });
    const many = endpointWithPeers('/b', { requests: Array.from({ length: 300 }, () => 5) }, { parameterised: false });
    for (let h = 1; h < 24; h++) addToSketch(hourOf(many, T0 + h * HOUR).requests, 5);
    const [a, b] = [rateRecommendation(few), rateRecommendation(many)];
    expect(a?.confidence).toBeLessThan(0.2);
    expect(b?.confidence).toBe(1);
    expect(rateRecommendations([few, many]).map((r) => r.path)).toEqual(['/b', '/a']);
  });
});
