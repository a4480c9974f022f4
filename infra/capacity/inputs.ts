/**
 * The capacity model's inputs, read from where they live: the stack's settings from the code that deploys them
 * (infra/config.ts defaults, functions/ingest/mapping.ts, infra/constructs/settings.ts, shared/store/tables.ts,
 * the response policy's defaults), the bytes per record from the CloudFront real-time encoder on simulated traffic,
 * and DynamoDB units per record from the pipeline bench's output when there is one (else the figures
 * docs/data-model.md records).
 */
import { existsSync, readFileSync } from 'node:fs';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import { attributeEntity, entityKey } from '../../shared/baselines/entity.js';
import { encodeCloudFrontRealtime } from '../../shared/encoders/index.js';
import {
  GENERATION_MS,
  generationOf,
  HORIZON_MS,
  MAX_PACK_ENTRIES,
  PACK_BUCKETS,
  PROMOTE_AT_REQUESTS,
} from '../../shared/engine/callers.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { DEFAULT_RESPONSE_CONFIG } from '../../shared/response/config.js';
import { simulate } from '../../shared/simulate/simulate.js';
import { COLLECTION_BUCKETS } from '../../shared/store/tables.js';
import { INGEST_DEFAULTS, parseConfig } from '../config.js';
import { FUNCTION_MEMORY_MB, LOG_STREAM, SCHEDULE_MINUTES } from '../constructs/settings.js';
import {
  AWS_LIMITS,
  AWS_PRICES,
  type CollectionWrites,
  DEFAULT_ASSUMPTIONS,
  type Measured,
  type ModelInputs,
  type Packing,
  type StackSettings,
} from './model.js';

const HOUR_MS = 3_600_000;

/** The settings a deployment gets with the default configuration. */
export function stackSettings(): StackSettings {
  const config = parseConfig({ region: 'us-east-1' });
  return {
    samplingRatePercent: config.samplingRate,
    ingest: {
      batchSize: INGEST_DEFAULTS.batchSize,
      batchWindowSeconds: INGEST_DEFAULTS.batchWindowSeconds,
      parallelizationFactor: INGEST_EVENT_SOURCE_MAPPING.parallelizationFactor,
      memoryMb: INGEST_DEFAULTS.memoryMb,
    },
    logStreamMode: LOG_STREAM.mode,
    buckets: COLLECTION_BUCKETS,
    maxNewBlocksPerHour: config.maxBlocksPerHour,
    maxBlockHours: DEFAULT_RESPONSE_CONFIG.maxDurationMs / HOUR_MS,
    // Durations: assumed (a scheduled run reads a few documents; see docs/scaling.md).
    scheduled: [
      {
        name: 'expirer',
        memoryMb: FUNCTION_MEMORY_MB.expirer,
        runsPerHour: 60 / SCHEDULE_MINUTES.expirer,
        durationSeconds: 0.3,
      },
      {
        name: 'sweeper',
        memoryMb: FUNCTION_MEMORY_MB.sweeper,
        runsPerHour: 60 / SCHEDULE_MINUTES.sweeper,
        durationSeconds: 1,
      },
    ],
  };
}

/** The simulator's legitimate traffic the per-record figures are measured on. */
function measuredTraffic(minutes: number): ApiEvent[] {
  return simulate({ scenario: 'baseline', minutes, volume: 3 }).events;
}

/** Mean bytes of a CloudFront real-time log line as the encoder writes it, over the simulator's legitimate traffic. */
export function measureBytesPerRecord(
  minutes = 60,
  events = measuredTraffic(minutes),
): { bytesPerRecord: number; lines: number } {
  let bytes = 0;
  for (const event of events) bytes += Buffer.byteLength(encodeCloudFrontRealtime(event));
  return { bytesPerRecord: events.length > 0 ? bytes / events.length : 0, lines: events.length };
}

/**
 * Brief callers (under PROMOTE_AT_REQUESTS requests in all) a pack generation gathers, per request/s, on the
 * simulator's legitimate traffic: the callers a generation's packs hold when batches are short (real time).
 */
export function measureBriefCallersPerGeneration(
  minutes = 60,
  events = measuredTraffic(minutes),
): { perRequestPerSecond: number; generations: number } {
  const requestsOf = new Map<string, number>();
  const keys = events.map((event) => {
    const ref = attributeEntity(event);
    const key = ref ? entityKey(ref) : undefined;
    if (key) requestsOf.set(key, (requestsOf.get(key) ?? 0) + 1);
    return key;
  });
  const byGeneration = new Map<number, Set<string>>();
  events.forEach((event, i) => {
    const key = keys[i];
    if (!key || (requestsOf.get(key) ?? 0) >= PROMOTE_AT_REQUESTS) return;
    const g = generationOf(event.time);
    const callers = byGeneration.get(g) ?? new Set<string>();
    byGeneration.set(g, callers);
    callers.add(key);
  });
  // Whole generations only: the first and last are cut by the simulated period.
  const whole = [...byGeneration.keys()].sort((a, b) => a - b).slice(1, -1);
  if (whole.length === 0 || events.length === 0) return { perRequestPerSecond: 0, generations: 0 };
  const mean = whole.reduce((sum, g) => sum + byGeneration.get(g)!.size, 0) / whole.length;
  const rate = events.length / (minutes * 60);
  return { perRequestPerSecond: mean / rate, generations: whole.length };
}

/**
 * The engine's pack settings (shared/engine/callers.ts) and what a caller costs without packs: docs/data-model.md
 * "Measured", before packing (simulator baseline, volume 3, the same batches as DOCUMENTED_MEASURES): 97.3 write
 * units per 1,000 records — entities 90.9, endpoints 3.7 (2.2 writes), meta 2.4, discovery and run 0.2 — and 96
 * read units. A packed caller is ~220 B compressed with its neighbours (docs/data-model.md).
 */
export function packingOf(briefCallersPerGenerationPerRequestPerSecond: number): Packing {
  return {
    maxEntries: MAX_PACK_ENTRIES,
    packsPerGeneration: PACK_BUCKETS,
    entryBytes: 220,
    horizonPacks: (HORIZON_MS / GENERATION_MS + 3) * PACK_BUCKETS,
    callersPerGenerationPerRequestPerSecond: briefCallersPerGenerationPerRequestPerSecond,
    perCaller: {
      writeUnitsPer1000: 97.3,
      writeRequestsPer1000: 90.9 + 2.2 + 2.4 + 0.2,
      readUnitsPer1000: 96,
      recordsPerBatch: 38_559 / 5,
      collections: {
        entities: { writeShare: 90.9 / 97.3, unitsPerWrite: 1 },
        endpoints: { writeShare: 3.7 / 97.3, unitsPerWrite: 3.7 / 2.2 },
        meta: { writeShare: 2.4 / 97.3, unitsPerWrite: 1 },
        discovery: { writeShare: 0.2 / 97.3, unitsPerWrite: 1 },
      },
    },
  };
}

export interface MeasuredSource {
  measured: Measured;
  /** One line per figure: where it came from. */
  sources: Record<keyof Measured, string>;
}

/**
 * docs/data-model.md, "Measured", with callers packed (simulator baseline, volume 3, batch size 10,000, 38,559
 * steady-state records in 5 invocations): 30.9 write units per 1,000 records — caller packs 22.3, own entity
 * documents 2.2, endpoints 3.7 (busiest at 2 units), meta 2.4, discovery and run 0.2 — and 121–132 read units, of
 * which ~30 read the packs. A batch writes the 4 packs of its generation: 22.3 × 7.7 / 4 ≈ 43 units per pack write.
 * The traffic: 51,412 requests in 60 simulated minutes, 14.3 requests/s. The engine's 9.7k records/s on one core
 * is `lantern analyze` on the bench file (commit f428f3c, a shared 2-core machine).
 */
export const DOCUMENTED_MEASURES: Omit<Measured, 'bytesPerRecord'> = {
  writeUnitsPer1000: 30.9,
  writeRequestsPer1000: 7.6,
  readUnitsPer1000: 121,
  recordsPerBatch: 38_559 / 5,
  collections: {
    callers: { writeShare: 22.3 / 30.9, unitsPerWrite: 43, sizeGrowsWithRate: true },
    entities: { writeShare: 2.2 / 30.9, unitsPerWrite: 1 },
    endpoints: { writeShare: 3.7 / 30.9, unitsPerWrite: 1.7 },
    meta: { writeShare: 2.4 / 30.9, unitsPerWrite: 1 },
    discovery: { writeShare: 0.2 / 30.9, unitsPerWrite: 1 },
  },
  trafficRequestsPerSecond: 51_412 / 3600,
  readShareGrowingWithRate: 30 / 121,
  engineRecordsPerSecondPerCore: 9_700,
};

/** The collection whose documents gather every caller of a time slice (shared/engine/callers.ts packs). */
const GROWING_COLLECTIONS = new Set(['callers']);

interface PipelineJson {
  writeUnitsPer1000?: number;
  writeRequestsPer1000?: number;
  readUnitsPer1000?: number;
  writeUnitsByCollection?: Record<string, { writeUnitsPer1000?: number; writesPer1000?: number }>;
  steadyState?: { records?: number; invocations?: number };
  parameters?: { traffic?: { minutes?: number }; warmupRecords?: number; measuredRecords?: number };
  startedAt?: string;
}

/** The measured inputs: the pipeline bench's JSON where present (and complete), the documented figures otherwise. */
export function measuredInputs(
  pipelineJsonPath: string | undefined,
  bytes: { bytesPerRecord: number; lines: number },
): MeasuredSource {
  const doc = 'docs/data-model.md "Measured" (no bench-out/pipeline.json)';
  const measured: Measured = { ...DOCUMENTED_MEASURES, bytesPerRecord: bytes.bytesPerRecord };
  const sources: Record<keyof Measured, string> = {
    bytesPerRecord: `shared/encoders CloudFront real-time lines of ${bytes.lines} simulated requests (baseline, volume 3)`,
    writeUnitsPer1000: doc,
    writeRequestsPer1000: doc,
    readUnitsPer1000: doc,
    recordsPerBatch: doc,
    collections: doc,
    trafficRequestsPerSecond: doc,
    readShareGrowingWithRate: doc,
    engineRecordsPerSecondPerCore: 'lantern analyze, 9.7k records/s on one core (commit f428f3c)',
  };
  if (!pipelineJsonPath || !existsSync(pipelineJsonPath)) return { measured, sources };
  const p = JSON.parse(readFileSync(pipelineJsonPath, 'utf8')) as PipelineJson;
  const records = p.steadyState?.records;
  const invocations = p.steadyState?.invocations;
  if (
    p.writeUnitsPer1000 === undefined ||
    p.writeRequestsPer1000 === undefined ||
    p.readUnitsPer1000 === undefined ||
    !records ||
    !invocations
  ) {
    return { measured, sources };
  }
  const from = `bench-out/pipeline.json (npm run bench:pipeline, ${p.startedAt ?? 'undated'})`;
  measured.writeUnitsPer1000 = p.writeUnitsPer1000;
  measured.writeRequestsPer1000 = p.writeRequestsPer1000;
  measured.readUnitsPer1000 = p.readUnitsPer1000;
  measured.recordsPerBatch = records / invocations;
  Object.assign(sources, {
    writeUnitsPer1000: from,
    writeRequestsPer1000: from,
    readUnitsPer1000: from,
    recordsPerBatch: `${from}: steady-state records ÷ invocations`,
  });
  const collections: Record<string, CollectionWrites> = {};
  for (const [name, c] of Object.entries(p.writeUnitsByCollection ?? {})) {
    if (!c.writeUnitsPer1000 || !c.writesPer1000) continue;
    collections[name] = {
      writeShare: c.writeUnitsPer1000 / p.writeUnitsPer1000,
      unitsPerWrite: c.writeUnitsPer1000 / c.writesPer1000,
      ...(GROWING_COLLECTIONS.has(name) ? { sizeGrowsWithRate: true } : {}),
    };
  }
  const minutes = p.parameters?.traffic?.minutes;
  const simulated = (p.parameters?.warmupRecords ?? 0) + (p.parameters?.measuredRecords ?? 0);
  if (minutes && simulated > 0) {
    measured.trafficRequestsPerSecond = simulated / (minutes * 60);
    sources.trafficRequestsPerSecond = `${from}: simulated requests ÷ simulated seconds`;
  }
  if (Object.keys(collections).length > 0) {
    measured.collections = collections;
    sources.collections = `${from}: units per 1,000 and writes per 1,000 by collection`;
  }
  return { measured, sources };
}

/**
 * Everything the model needs for the default deployment: the stack's settings, bytes per record from the encoder,
 * the measured units (from `pipelineJsonPath` when given and present), the reference prices and limits.
 */
export function defaultModelInputs(pipelineJsonPath?: string): {
  inputs: ModelInputs;
  sources: MeasuredSource['sources'];
} {
  // One simulation serves both traffic figures.
  const traffic = measuredTraffic(60);
  const { measured, sources } = measuredInputs(pipelineJsonPath, measureBytesPerRecord(60, traffic));
  return {
    inputs: {
      settings: stackSettings(),
      measured,
      assumptions: DEFAULT_ASSUMPTIONS,
      prices: AWS_PRICES,
      limits: AWS_LIMITS,
      packing: packingOf(measureBriefCallersPerGeneration(60, traffic).perRequestPerSecond),
    },
    sources,
  };
}
