import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { ENDPOINT_BASELINE_PREFIX, type EndpointBaseline } from '../../../shared/baselines/endpoint-baseline.js';
import { resolveDetectionConfig } from '../../../shared/detection/config.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { analyzeBatch, type StoredEntity } from '../../../shared/engine/analyze.js';
import { buildReport } from '../../../shared/engine/report.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { typed } from '../../../shared/ports/store.js';
import { classifySimulatedEndpoint, simulate } from '../../../shared/simulate/simulate.js';

/** Detection inside the real engine, over a short simulated scenario. */
describe('detection in the engine', () => {
  const { events, malicious } = simulate({
    scenario: 'mixed',
    seed: 5,
    minutes: 60,
    attackStartMinute: 30,
    volume: 0.4,
  });
  const detection = resolveDetectionConfig({ classify: classifySimulatedEndpoint });

  async function run(redeliver: boolean) {
    const clock = fixedClock(events[0]?.time ?? 0);
    const store = createMemoryStore({ clock });
    const size = 500;
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      clock.set(batch.at(-1)?.time ?? 0);
      const eventSequences = batch.map((_, k) => String(1_000_000 + i + k));
      await analyzeBatch(
        { events: batch, rejections: [], shard: 'shard-0', eventSequences },
        { store, clock, detection },
      );
      // A redelivery of the second half of the batch, as a bisected retry would send it.
      if (redeliver) {
        const half = Math.floor(batch.length / 2);
        await analyzeBatch(
          { events: batch.slice(half), rejections: [], shard: 'shard-0', eventSequences: eventSequences.slice(half) },
          { store, clock, detection },
        );
      }
    }
    return store;
  }

  it('finds the attackers, fills entities with risk and findings, and is unmoved by redelivery', async () => {
    // Act
    const once = await run(false);
    const twice = await run(true);
    // Assess
    const findings = (s: typeof once) =>
      typed<Finding>(s.findings)
        .list()
        .then((p) => p.items.map((i) => i.value));
    const [a, b] = [await findings(once), await findings(twice)];
    expect(b.map((f) => [f.id, f.severity, f.revision])).toEqual(a.map((f) => [f.id, f.severity, f.revision]));
    const flagged = new Set(a.map((f) => `${f.entity.type}:${f.entity.id}`));
    for (const key of malicious.keys()) expect(flagged).toContain(key);
    for (const key of flagged) expect(malicious.has(key)).toBe(true);

    const baselines = async (s: typeof once) =>
      (await typed<EndpointBaseline>(s.meta).list({ prefix: ENDPOINT_BASELINE_PREFIX, limit: 10_000 })).items.map(
        (i) => [i.id, i.value.requests],
      );
    expect(await baselines(twice)).toEqual(await baselines(once));
    const entity = async (s: typeof once, key: string) =>
      (await typed<StoredEntity>(s.entities).get([key])).get(key)?.value;
    const someone = [...malicious.keys()][0] as string;
    expect((await entity(twice, someone))?.baseline?.logins).toEqual((await entity(once, someone))?.baseline?.logins);

    const report = await buildReport(once);
    expect(report.findings.length).toBe(a.length);
    expect(report.entities[0]?.risk).toBeGreaterThan(50);
    expect(report.rateRecommendations.length).toBeGreaterThan(0);
  });
});
