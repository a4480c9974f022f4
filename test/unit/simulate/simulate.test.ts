import { describe, expect, it } from 'vitest';
import { attributeEntity, entityKey } from '../../../shared/baselines/entity.js';
import { FINDING_TYPES } from '../../../shared/detection/finding.js';
import { Random } from '../../../shared/simulate/prng.js';
import { SCENARIO_NAMES, SCENARIOS, SimulationError, simulate } from '../../../shared/simulate/simulate.js';

const SHORT = { minutes: 50, attackStartMinute: 30, volume: 0.3 };

describe('simulate', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = simulate({ scenario: 'mixed', seed: 7, ...SHORT });
    const b = simulate({ scenario: 'mixed', seed: 7, ...SHORT });
    const c = simulate({ scenario: 'mixed', seed: 8, ...SHORT });
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    expect(a.truth).toEqual(b.truth);
    expect(c.events.length).not.toBe(a.events.length);
  });

  it('keeps the legitimate traffic of a seed whatever the attack', () => {
    const quiet = simulate({ scenario: 'baseline', seed: 3, ...SHORT });
    const attacked = simulate({ scenario: 'scanning', seed: 3, ...SHORT });
    const malicious = attacked.malicious;
    const legit = attacked.events.filter(
      (e) => !malicious.has(entityKey(attributeEntity(e) ?? { type: 'ip', id: '' })),
    );
    expect(legit.map((e) => e.requestId)).toEqual(quiet.events.map((e) => e.requestId));
  });

  it.each(SCENARIO_NAMES)('%s: events in time order and a ground truth consistent with them', (scenario) => {
    const { events, truth, malicious } = simulate({ scenario, seed: 1, ...SHORT });
    for (let i = 1; i < events.length; i++)
      expect((events[i] as { time: number }).time).toBeGreaterThanOrEqual((events[i - 1] as { time: number }).time);
    const counts = new Map<string, { n: number; first: number; last: number }>();
    const entities = new Set<string>();
    for (const event of events) {
      const entity = attributeEntity(event);
      if (!entity) continue;
      const key = entityKey(entity);
      entities.add(key);
      const c = counts.get(key) ?? { n: 0, first: event.time, last: event.time };
      c.n++;
      c.last = event.time;
      counts.set(key, c);
    }
    expect(truth.events).toBe(events.length);
    expect(truth.legitimateEntities).toBe([...entities].filter((k) => !malicious.has(k)).length);
    const types = new Set(truth.malicious.map((m) => m.type));
    for (const type of types) expect(SCENARIOS[scenario].types).toContain(type);
    // `mixed` staggers its attacks five minutes apart: in a short run the last ones have not begun.
    if (scenario !== 'mixed') expect(types).toEqual(new Set(SCENARIOS[scenario].types));
    for (const m of malicious.values()) {
      expect(FINDING_TYPES).toContain(m.type);
      const seen = counts.get(m.entity);
      // Every malicious request is in the events under the entity the truth names (it may also have earlier, legitimate ones).
      expect(seen?.n).toBeGreaterThanOrEqual(m.requests);
      expect(m.firstRequest).toBeGreaterThanOrEqual(Date.parse(truth.attackStart ?? truth.start));
      expect(m.lastRequest).toBeLessThan(Date.parse(truth.end));
      expect(m.reason.length).toBeGreaterThan(10);
    }
    if (scenario === 'baseline') expect(truth.malicious).toEqual([]);
    else expect(truth.malicious.length).toBeGreaterThan(0);
  });

  it('scales with volume and attack speed', () => {
    const small = simulate({ scenario: 'volumetric-abuse', seed: 2, ...SHORT });
    const big = simulate({ scenario: 'volumetric-abuse', seed: 2, ...SHORT, volume: 0.6, attackSpeed: 2 });
    const attack = (s: typeof small) => [...s.malicious.values()].reduce((n, m) => n + m.requests, 0);
    expect(big.truth.legitimateEntities).toBeGreaterThan(1.5 * small.truth.legitimateEntities);
    expect(attack(big)).toBeGreaterThan(1.8 * attack(small));
  });

  it('rejects bad options with exact messages', () => {
    expect(() => simulate({ scenario: 'nope' as never })).toThrow(SimulationError);
    expect(() => simulate({ scenario: 'baseline', minutes: 0 })).toThrow('minutes must be between 1 and 10080');
    expect(() => simulate({ scenario: 'baseline', minutes: 10, attackStartMinute: 20 })).toThrow(
      'attackStartMinute must fall within the simulated minutes',
    );
  });
});

describe('Random', () => {
  it('repeats per seed and stays in range', () => {
    const a = new Random(1, 2);
    const b = new Random(1, 2);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Random(1, 3).next()).not.toBe(xs[0]);
  });
});
