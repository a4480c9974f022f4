import type { ApiEvent, Rejection } from '../events/api-event.js';
import type { Clock } from '../ports/clock.js';
import { type DocumentCollection, type Store, StoreConflictError, typed, type Versioned } from '../ports/store.js';
import {
  attributeEntity,
  type EntityRecord,
  entityKey,
  newEntityRecord,
  recordEntityRequest,
} from '../baselines/entity.js';
import { type EndpointRecord, endpointKey, newEndpointRecord, recordRequest } from '../discovery/inventory.js';
import type { EndpointRef, Finding } from '../detection/finding.js';
import { detect, type ObservedRequest } from '../detection/detect.js';
import type { DetectionConfig } from '../detection/config.js';
import { countAnalysed, countRejections, emptyRunStats, mergeRunStats, type RunStats } from './run-stats.js';
import { alreadyApplied, compareSequence, markApplied, type Watermarked } from './watermark.js';

/** What one call of the engine is given: the decoded records of one batch, in delivery order. */
export interface AnalysisBatch {
  events: readonly ApiEvent[];
  rejections: readonly Rejection[];
  /** CloudWatch Logs reachability checks seen in the batch: not records, counted apart. */
  controlMessages?: number;
  /** Kinesis shard the batch came from; with the sequences below, makes redelivery harmless. */
  shard?: string;
  /** Sequence number of each event (same index as `events`). Several events may share one (a CloudWatch Logs envelope). */
  eventSequences?: readonly string[];
  /** Sequence number of each rejection (same index as `rejections`). */
  rejectionSequences?: readonly string[];
}

export interface EngineContext {
  store: Store;
  clock: Clock;
  /** Detection thresholds and settings (shared/detection/config.ts); defaults when absent. */
  detection?: DetectionConfig;
}

/** What a batch changed that someone outside the engine may act on. */
export interface BatchEffects {
  /** This batch's own counts (after skipping redelivered records). */
  stats: RunStats;
  /** Endpoints seen for the first time. */
  newEndpoints: EndpointRef[];
  /** Findings opened or escalated by this batch (the responder's input). */
  findings: Finding[];
  /** Writes that lost a version race and were redone. */
  conflictsRetried: number;
}

export type StoredRunStats = RunStats & Watermarked;
export type StoredEndpoint = EndpointRecord & Watermarked;
export type StoredEntity = EntityRecord & Watermarked;

export const RUN_STATS_ID = 'run';
const MAX_ATTEMPTS = 8;

/**
 * The engine: folds one batch into the stored state and reports what changed. The CLI, the local runner and
 * the ingest Lambda all call this; only the Store behind it differs.
 */
export async function analyzeBatch(batch: AnalysisBatch, context: EngineContext): Promise<BatchEffects> {
  for (let attempt = 1; ; attempt++) {
    try {
      const effects = await analyzeOnce(batch, context);
      effects.conflictsRetried = attempt - 1;
      return effects;
    } catch (error: unknown) {
      // Another writer moved a document we read: everything is re-read and re-applied; the watermarks make
      // documents already written by this attempt skip the records they have.
      if (error instanceof StoreConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

interface Loaded<T> {
  doc: T;
  version: number;
  dirty: boolean;
}

async function load<T>(
  collection: DocumentCollection<T>,
  ids: Iterable<string>,
  create: (id: string) => T,
): Promise<Map<string, Loaded<T>>> {
  const wanted = [...new Set(ids)];
  const found = wanted.length > 0 ? await collection.get(wanted) : new Map<string, Versioned<T>>();
  const loaded = new Map<string, Loaded<T>>();
  for (const id of wanted) {
    const hit = found.get(id);
    loaded.set(id, hit ? { doc: hit.value, version: hit.version, dirty: false } : { doc: create(id), version: 0, dirty: false });
  }
  return loaded;
}

async function save<T>(collection: DocumentCollection<T>, loaded: Map<string, Loaded<T>>): Promise<void> {
  const puts = [];
  for (const [id, entry] of loaded) {
    if (entry.dirty) puts.push({ id, value: entry.doc, expectedVersion: entry.version });
  }
  if (puts.length > 0) await collection.put(puts);
}

async function analyzeOnce(batch: AnalysisBatch, context: EngineContext): Promise<BatchEffects> {
  const { store } = context;
  const endpoints = typed<StoredEndpoint>(store.endpoints);
  const entities = typed<StoredEntity>(store.entities);
  const meta = typed<StoredRunStats>(store.meta);
  const shard = batch.shard;

  const endpointIds: string[] = new Array(batch.events.length);
  const entityIds: Array<string | undefined> = new Array(batch.events.length);
  for (let i = 0; i < batch.events.length; i++) {
    const event = batch.events[i] as ApiEvent;
    endpointIds[i] = endpointKey(event.host, event.method, event.path);
    const entity = attributeEntity(event);
    entityIds[i] = entity ? entityKey(entity) : undefined;
  }

  const runLoaded = await load<StoredRunStats>(meta, [RUN_STATS_ID], () => emptyRunStats());
  const firstEventOfEndpoint = new Map<string, ApiEvent>();
  const firstEventOfEntity = new Map<string, ApiEvent>();
  for (let i = 0; i < batch.events.length; i++) {
    const event = batch.events[i] as ApiEvent;
    if (!firstEventOfEndpoint.has(endpointIds[i] as string)) firstEventOfEndpoint.set(endpointIds[i] as string, event);
    const entityId = entityIds[i];
    if (entityId !== undefined && !firstEventOfEntity.has(entityId)) firstEventOfEntity.set(entityId, event);
  }
  const endpointDocs = await load<StoredEndpoint>(endpoints, endpointIds, (id) => {
    const event = firstEventOfEndpoint.get(id)!;
    return newEndpointRecord(event.host, event.method, event.path, event.time);
  });
  const entityDocs = await load<StoredEntity>(
    entities,
    entityIds.filter((id): id is string => id !== undefined),
    (id) => {
      const event = firstEventOfEntity.get(id)!;
      return newEntityRecord(attributeEntity(event)!, event.time);
    },
  );

  const stats = emptyRunStats();
  const run = runLoaded.get(RUN_STATS_ID)!;
  const newEndpoints: EndpointRef[] = [];
  const sequenceOf = (i: number) => batch.eventSequences?.[i];

  // Rejections count once, like records.
  const freshRejections: Rejection[] = [];
  for (let i = 0; i < batch.rejections.length; i++) {
    const sequence = batch.rejectionSequences?.[i];
    if (alreadyApplied(run.doc, shard, sequence)) continue;
    freshRejections.push(batch.rejections[i] as Rejection);
  }
  countRejections(stats, freshRejections);

  const fresh: ObservedRequest[] = [];
  let analysed = 0;
  let from: number | undefined;
  let to: number | undefined;
  for (let i = 0; i < batch.events.length; i++) {
    const event = batch.events[i] as ApiEvent;
    const sequence = sequenceOf(i);
    if (alreadyApplied(run.doc, shard, sequence)) continue;
    analysed++;
    if (from === undefined || event.time < from) from = event.time;
    if (to === undefined || event.time > to) to = event.time;

    const entityId = entityIds[i];
    const endpoint = endpointDocs.get(endpointIds[i] as string)!;
    fresh.push({
      event,
      ...(entityId !== undefined ? { entity: attributeEntity(event)!, entityKey: entityId } : {}),
      endpointKey: endpointIds[i] as string,
      endpoint: { host: endpoint.doc.host, method: endpoint.doc.method, path: endpoint.doc.path },
      ...(sequence !== undefined ? { sequence } : {}),
    });
    if (!alreadyApplied(endpoint.doc, shard, sequence)) {
      if (endpoint.version === 0 && endpoint.doc.requests === 0) {
        newEndpoints.push({ host: endpoint.doc.host, method: endpoint.doc.method, path: endpoint.doc.path });
      }
      recordRequest(endpoint.doc, event, entityId);
      markApplied(endpoint.doc, shard, sequence);
      endpoint.dirty = true;
    }
    if (entityId !== undefined) {
      const entity = entityDocs.get(entityId)!;
      if (!alreadyApplied(entity.doc, shard, sequence)) {
        recordEntityRequest(entity.doc, event);
        markApplied(entity.doc, shard, sequence);
        entity.dirty = true;
      }
    }
  }
  countAnalysed(stats, analysed, from, to);

  const entityMap = new Map<string, StoredEntity>();
  for (const [id, entry] of entityDocs) if (entry.dirty) entityMap.set(id, entry.doc);
  const endpointMap = new Map<string, StoredEndpoint>();
  for (const [id, entry] of endpointDocs) if (entry.dirty) endpointMap.set(id, entry.doc);
  const findings = await detect({
    requests: fresh,
    entities: entityMap,
    endpoints: endpointMap,
    ...(shard !== undefined ? { shard } : {}),
    store,
    clock: context.clock,
    ...(context.detection ? { config: context.detection } : {}),
  });
  stats.controlMessages = batch.controlMessages ?? 0;

  mergeRunStats(run.doc, stats);
  const lastSequence = lastOf(batch.eventSequences, batch.rejectionSequences);
  markApplied(run.doc, shard, lastSequence);
  run.dirty = stats.records > 0 || stats.controlMessages > 0 || lastSequence !== undefined;

  // Order matters for redelivery: the run ledger is written last, so a crash before it leaves records that
  // will be counted on retry while the documents already written skip them by their own watermarks.
  await save(endpoints, endpointDocs);
  await save(entities, entityDocs);
  await save(meta, runLoaded);

  return { stats, newEndpoints, findings, conflictsRetried: 0 };
}

function lastOf(...lists: Array<readonly string[] | undefined>): string | undefined {
  let last: string | undefined;
  for (const list of lists) {
    for (const s of list ?? []) if (last === undefined || compareSequence(s, last) > 0) last = s;
  }
  return last;
}
