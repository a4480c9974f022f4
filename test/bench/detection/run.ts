import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { attributeEntity, entityKey, parseEntityKey } from '../../../shared/baselines/entity.js';
import { type DetectionConfigInput, resolveDetectionConfig } from '../../../shared/detection/config.js';
import { FINDING_TYPES, type Finding, type FindingType } from '../../../shared/detection/finding.js';
import { analyzeBatch } from '../../../shared/engine/analyze.js';
import { buildReport } from '../../../shared/engine/report.js';
import type { LogSource } from '../../../shared/events/api-event.js';
import { fixedClock } from '../../../shared/ports/clock.js';
import { typed } from '../../../shared/ports/store.js';
import type { MaliciousEntity } from '../../../shared/simulate/attacks.js';
import {
  classifySimulatedEndpoint,
  type SimulateOptions,
  type Simulation,
  simulate,
} from '../../../shared/simulate/simulate.js';
import { throughLog } from './through-log.js';

/**
 * The simulation as read back from one log format. Attribution changes with what the log carries (on CloudFront a
 * principal's requests belong to its addresses or session): every entity the decoded requests of an attacker are
 * attributed to is malicious, with the attacker's label.
 */
function readBack(simulation: Simulation, format: LogSource): Simulation {
  const events = throughLog(simulation.events, format);
  const malicious = new Map<string, MaliciousEntity>();
  const all = new Set<string>();
  events.forEach((event, i) => {
    const entity = attributeEntity(event);
    if (!entity) return;
    const key = entityKey(entity);
    all.add(key);
    const original = simulation.events[i];
    const originalEntity = original ? attributeEntity(original) : undefined;
    const label = originalEntity ? simulation.malicious.get(entityKey(originalEntity)) : undefined;
    if (!label || event.time < label.firstRequest) return;
    const known = malicious.get(key);
    if (known) {
      known.requests++;
      known.lastRequest = Math.max(known.lastRequest, event.time);
    } else
      malicious.set(key, { ...label, entity: key, firstRequest: event.time, lastRequest: event.time, requests: 1 });
  });
  const legitimateEntities = [...all].filter((k) => !malicious.has(k)).length;
  return { events, malicious, truth: { ...simulation.truth, legitimateEntities } };
}

/** What one simulated run measured, per finding type. */
export interface TypeOutcome {
  /** Malicious entities this type should name, and how many it did. */
  expected: number;
  found: number;
  /** Entities named by this type: malicious ones (of any attack) and legitimate ones. */
  flaggedMalicious: number;
  flaggedLegitimate: number;
  /** Simulated ms from each found entity's first malicious request to the batch that first reported it. */
  latencies: number[];
  /** The same for attacks labelled fast. */
  fastLatencies: number[];
}

export interface RunOutcome {
  options: SimulateOptions;
  /** The log format the events were read back from (all fields when absent). */
  through?: LogSource;
  events: number;
  legitimateEntities: number;
  /** Legitimate entities with at least one finding. */
  legitimateFlagged: string[];
  byType: Record<FindingType, TypeOutcome>;
  /** Malicious entities missed: entity -> expected type; `atEnd` when its last request came in the run's last 2 minutes. */
  missed: Array<{ entity: string; type: FindingType; attack: string; atEnd: boolean }>;
  ms: number;
  reportFindings: number;
  reportRecommendations: number;
}

function emptyOutcome(): TypeOutcome {
  return { expected: 0, found: 0, flaggedMalicious: 0, flaggedLegitimate: 0, latencies: [], fastLatencies: [] };
}

export const BATCH_SIZE = 500;
/** Misses this close to the end of the run are counted apart: a population participant is confirmed only after 2 quiet minutes. */
export const END_MS = 2 * 60_000;

/** Simulates a scenario and runs the real engine over it, in time-ordered batches, with a clock that follows simulated time. */
export async function runScenario(
  options: SimulateOptions,
  detection: DetectionConfigInput = {},
  through?: LogSource,
): Promise<RunOutcome> {
  const started = Date.now();
  const simulation = simulate(options);
  const { events, truth, malicious } = through ? readBack(simulation, through) : simulation;
  const clock = fixedClock(events[0]?.time ?? 0);
  const store = createMemoryStore({ copy: false, clock });
  const config = resolveDetectionConfig({ ...detection, classify: classifySimulatedEndpoint });
  const firstReported = new Map<string, number>();
  for (let i = 0; i < events.length; i += BATCH_SIZE) {
    const batch = events.slice(i, i + BATCH_SIZE);
    clock.set((batch.at(-1) as (typeof batch)[number]).time);
    const effects = await analyzeBatch({ events: batch, rejections: [] }, { store, clock, detection: config });
    for (const finding of effects.findings) {
      const key = `${finding.type} ${finding.entity.type}:${finding.entity.id}`;
      if (!firstReported.has(key)) firstReported.set(key, clock.now());
    }
  }

  const findings: Finding[] = [];
  let cursor: string | undefined;
  do {
    const page = await typed<Finding>(store.findings).list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    findings.push(...page.items.map((i) => i.value));
    cursor = page.cursor;
  } while (cursor);

  const byType = Object.fromEntries(FINDING_TYPES.map((t) => [t, emptyOutcome()])) as Record<FindingType, TypeOutcome>;
  const flagged = new Map<FindingType, Set<string>>();
  for (const f of findings) {
    const key = `${f.entity.type}:${f.entity.id}`;
    let set = flagged.get(f.type);
    if (!set) {
      set = new Set();
      flagged.set(f.type, set);
    }
    set.add(key);
  }
  const legitimateFlagged = new Set<string>();
  for (const [type, set] of flagged) {
    for (const key of set) {
      if (malicious.has(key)) byType[type].flaggedMalicious++;
      else {
        byType[type].flaggedLegitimate++;
        legitimateFlagged.add(`${type} ${key}`);
      }
    }
  }
  const missed: RunOutcome['missed'] = [];
  const runEnd = Date.parse(truth.end);
  for (const m of malicious.values()) {
    const outcome = byType[m.type];
    outcome.expected++;
    const reportedAt = firstReported.get(`${m.type} ${m.entity}`);
    if (flagged.get(m.type)?.has(m.entity) && reportedAt !== undefined) {
      outcome.found++;
      const latency = Math.max(0, reportedAt - m.firstRequest);
      outcome.latencies.push(latency);
      if (m.fast) outcome.fastLatencies.push(latency);
    } else {
      missed.push({ entity: m.entity, type: m.type, attack: m.attack, atEnd: m.lastRequest >= runEnd - END_MS });
      if (!parseEntityKey(m.entity)) throw new Error(`bad truth key ${m.entity}`);
    }
  }
  const report = await buildReport(store);
  return {
    options,
    ...(through ? { through } : {}),
    events: events.length,
    legitimateEntities: truth.legitimateEntities,
    legitimateFlagged: [...legitimateFlagged],
    byType,
    missed,
    ms: Date.now() - started,
    reportFindings: report.findings.length,
    reportRecommendations: report.rateRecommendations.length,
  };
}
