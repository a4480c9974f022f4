import { describe, expect, it } from 'vitest';
import { boundOpen, MAX_OPEN_REMEMBERED, RISK_MEMORY_MS, riskOf } from '../../../shared/detection/findings.js';

const NOW = Date.UTC(2026, 10, 2, 12, 0, 0);

function open(n: number, weight = (i: number) => 0.1 + i / 100) {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [
      `zombie-api-traffic ip:x h GET /v1/p${i}`,
      { weight: weight(i), lastSeen: NOW - i },
    ]),
  );
}

describe('open findings remembered on an entity', () => {
  it(`keeps ${MAX_OPEN_REMEMBERED} as they are and drops the lightest beyond`, () => {
    // Prepare
    const atLimit = open(MAX_OPEN_REMEMBERED);
    const over = open(MAX_OPEN_REMEMBERED + 1);
    // Act
    boundOpen(atLimit, NOW);
    boundOpen(over, NOW);
    // Assess
    expect(Object.keys(atLimit)).toHaveLength(MAX_OPEN_REMEMBERED);
    expect(Object.keys(over)).toHaveLength(MAX_OPEN_REMEMBERED);
    expect(over['zombie-api-traffic ip:x h GET /v1/p0']).toBeUndefined();
    expect(over[`zombie-api-traffic ip:x h GET /v1/p${MAX_OPEN_REMEMBERED}`]).toBeDefined();
  });

  it('forgets findings past the risk memory, which no longer count, and keeps those at its edge', () => {
    // Prepare
    const entries = {
      old: { weight: 0.5, lastSeen: NOW - RISK_MEMORY_MS - 1 },
      edge: { weight: 0.5, lastSeen: NOW - RISK_MEMORY_MS },
    };
    const risk = riskOf(entries, NOW);
    // Act
    boundOpen(entries, NOW);
    // Assess
    expect(Object.keys(entries)).toEqual(['edge']);
    expect(riskOf(entries, NOW)).toBe(risk);
  });
});
