import { attributeEntity, entityKey } from '../baselines/entity.js';
import type { FindingType } from '../detection/finding.js';
import type { ApiEvent, LogSource } from '../events/api-event.js';
import {
  type AttackContext,
  bola,
  credentialStuffing,
  credentialStuffingDistributed,
  credentialStuffingSlow,
  exfiltration,
  type MaliciousEntity,
  mixed,
  scanning,
  scraping,
  shadowTraffic,
  Truth,
  tokenSharing,
  unauthenticatedAccess,
  volumetric,
  zombieTraffic,
} from './attacks.js';
import { Emitter } from './emitter.js';
import { buildWorld, legitimateTraffic } from './legitimate.js';
import { classifySimulatedEndpoint, HOST } from './world.js';

/**
 * `lantern simulate`: the traffic of a small shop API — legitimate population plus one named attack scenario —
 * as time-ordered ApiEvents, with the ground truth of which entities are malicious and why. Pure and seeded:
 * the same options give the same events, byte for byte.
 */

export const SCENARIOS = {
  baseline: { types: [], attack: undefined },
  'bola-enumeration': { types: ['bola-enumeration'], attack: (t: Truth, c: AttackContext) => bola(t, c) },
  'credential-stuffing': {
    types: ['credential-stuffing'],
    attack: (t: Truth, c: AttackContext) => credentialStuffing(t, c),
  },
  'credential-stuffing-distributed': { types: ['credential-stuffing'], attack: credentialStuffingDistributed },
  'credential-stuffing-slow': { types: ['credential-stuffing'], attack: credentialStuffingSlow },
  'volumetric-abuse': { types: ['volumetric-abuse'], attack: volumetric },
  scraping: { types: ['scraping'], attack: (t: Truth, c: AttackContext) => scraping(t, c) },
  'data-exfiltration': { types: ['data-exfiltration'], attack: (t: Truth, c: AttackContext) => exfiltration(t, c) },
  scanning: { types: ['scanning'], attack: (t: Truth, c: AttackContext) => scanning(t, c) },
  'token-sharing': { types: ['token-sharing'], attack: (t: Truth, c: AttackContext) => tokenSharing(t, c) },
  'unauthenticated-access': { types: ['unauthenticated-access'], attack: unauthenticatedAccess },
  'shadow-api-traffic': { types: ['shadow-api-traffic'], attack: shadowTraffic },
  'zombie-api-traffic': { types: ['zombie-api-traffic'], attack: zombieTraffic },
  mixed: {
    types: [
      'bola-enumeration',
      'credential-stuffing',
      'scraping',
      'scanning',
      'token-sharing',
      'data-exfiltration',
      'shadow-api-traffic',
    ],
    attack: mixed,
  },
} as const satisfies Record<
  string,
  { types: readonly FindingType[]; attack: ((t: Truth, c: AttackContext) => void) | undefined }
>;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export interface SimulateOptions {
  scenario: ScenarioName;
  /** Default 1. */
  seed?: number;
  /** Simulated duration. Default 90. */
  minutes?: number;
  /** Start of the simulated period, epoch ms. Default 2026-11-02T12:00:00Z. */
  start?: number;
  /** Multiplies the legitimate population's arrival rates. Default 1 (about 5 requests per second at the daily peak). */
  volume?: number;
  /** Multiplies every attack's request rate (0.1 = ten times slower). Default 1. */
  attackSpeed?: number;
  /** Minutes after the start at which the attack begins (after the baselines have warmed up). Default 40. */
  attackStartMinute?: number;
  /** The log source written into the events. Default `cloudfront-realtime`. */
  source?: LogSource;
}

export interface GroundTruth {
  scenario: ScenarioName;
  seed: number;
  minutes: number;
  volume: number;
  attackSpeed: number;
  /** ISO 8601. */
  start: string;
  end: string;
  attackStart?: string;
  host: string;
  /** The finding types this scenario should produce. */
  expectedTypes: FindingType[];
  events: number;
  /** Entities (as attributed) that are legitimate. */
  legitimateEntities: number;
  malicious: Array<
    Omit<MaliciousEntity, 'firstRequest' | 'lastRequest'> & { firstRequest: string; lastRequest: string }
  >;
  /** Endpoints discovery would classify: `/internal/*` shadow, `/v1/*` zombie (see `classifySimulatedEndpoint`). */
  classification: { shadow: string; zombie: string };
}

export interface Simulation {
  events: ApiEvent[];
  truth: GroundTruth;
  /** Malicious entity key -> its truth, with times in epoch ms (for the benchmark). */
  malicious: Map<string, MaliciousEntity>;
}

export const DEFAULT_START = Date.UTC(2026, 10, 2, 12, 0, 0);

export class SimulationError extends Error {
  override name = 'SimulationError';
}

export function simulate(options: SimulateOptions): Simulation {
  const scenario = SCENARIOS[options.scenario];
  if (!scenario)
    throw new SimulationError(
      `unknown scenario ${String(options.scenario)}; expected one of ${SCENARIO_NAMES.join(', ')}`,
    );
  const seed = options.seed ?? 1;
  const minutes = options.minutes ?? 90;
  const volume = options.volume ?? 1;
  const speed = options.attackSpeed ?? 1;
  const attackStartMinute = options.attackStartMinute ?? 40;
  const start = options.start ?? DEFAULT_START;
  if (!Number.isInteger(seed)) throw new SimulationError('seed must be an integer');
  if (!(minutes > 0 && minutes <= 7 * 24 * 60)) throw new SimulationError('minutes must be between 1 and 10080');
  if (!(volume > 0 && volume <= 50)) throw new SimulationError('volume must be above 0 and at most 50');
  if (!(speed > 0 && speed <= 100)) throw new SimulationError('attackSpeed must be above 0 and at most 100');
  if (!(attackStartMinute >= 0 && attackStartMinute < minutes))
    throw new SimulationError('attackStartMinute must fall within the simulated minutes');

  const end = start + minutes * 60_000;
  const emitter = new Emitter(options.source ?? 'cloudfront-realtime', start, end, seed);
  const world = buildWorld({ seed, volume });
  legitimateTraffic(emitter, world, { seed, volume });
  const truth = new Truth(emitter);
  const attackStart = start + attackStartMinute * 60_000;
  if (scenario.attack) scenario.attack(truth, { emitter, world, seed, start: attackStart, speed });

  const events = emitter.events;
  events.sort((a, b) => a.time - b.time || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  const all = new Set<string>();
  for (const event of events) {
    const entity = attributeEntity(event);
    if (entity) all.add(entityKey(entity));
  }
  const malicious = truth.entities;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    events,
    malicious,
    truth: {
      scenario: options.scenario,
      seed,
      minutes,
      volume,
      attackSpeed: speed,
      start: iso(start),
      end: iso(end),
      ...(scenario.attack ? { attackStart: iso(attackStart) } : {}),
      host: HOST,
      expectedTypes: [...scenario.types],
      events: events.length,
      legitimateEntities: [...all].filter((key) => !malicious.has(key)).length,
      malicious: [...malicious.values()]
        .sort((a, b) => a.firstRequest - b.firstRequest || a.entity.localeCompare(b.entity))
        .map((m) => ({ ...m, firstRequest: iso(m.firstRequest), lastRequest: iso(m.lastRequest) })),
      classification: { shadow: '/internal/*', zombie: '/v1/*' },
    },
  };
}

export { classifySimulatedEndpoint };
