import {
  attributeEntity,
  type EntityRecord,
  entityKey,
  newEntityRecord,
  recordEntityRequest,
} from '../baselines/entity.js';
import type { DetectionConfig } from '../detection/config.js';
import { detect, type ObservedRequest } from '../detection/detect.js';
import type { EndpointRef, Finding } from '../detection/finding.js';
import {
  type EndpointRecord,
  endpointKey,
  mergeEndpointRecords,
  newEndpointRecord,
  recordMerge,
  recordParams,
  recordRequest,
} from '../discovery/inventory.js';
import { splitPath } from '../discovery/segments.js';
import type { MergeEvent, RequestClass, TemplateParam } from '../discovery/templater.js';
import type { ApiEvent, Rejection } from '../events/api-event.js';
import type { Clock } from '../ports/clock.js';
import { type DocumentCollection, type Store, StoreConflictError, typed, type Versioned } from '../ports/store.js';
import { BatchCallers } from './callers.js';
import { classifyInPlace, learn, loadDiscovery, saveDiscovery, teaches } from './discovery-state.js';
import { countAnalysed, countRejections, emptyRunStats, mergeRunStats, type RunStats } from './run-stats.js';
import { alreadyApplied, compareSequence, markApplied, type Watermarked } from './watermark.js';

/** What one call of the engine is given: the decoded records of one batch, in delivery order. */
export interface AnalysisBatch {
  events: readonly ApiEvent[];
  rejections: readonly Rejection[];
  /** CloudWatch Logs reachability checks seen in the batch: not records, counted apart. */
  controlMessages?: number;
  /** Sequence number of each control message: with them, a redelivered batch does not count its checks again. */
  controlSequences?: readonly string[];
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

/**
 * The run ledger: one document per Kinesis shard (`run:<shard>`), `run` for files. Every batch writes its shard's
 * ledger, so a single shared ledger would make every two shards' batches collide; readers sum them (`loadRunStats`).
 */
export const RUN_STATS_ID = 'run';
export const runStatsId = (shard: string | undefined) =>
  shard === undefined ? RUN_STATS_ID : `${RUN_STATS_ID}:${shard}`;

/** The whole ledger: every shard's run document summed. */
export async function loadRunStats(store: Store): Promise<RunStats> {
  const total = emptyRunStats();
  let cursor: string | undefined;
  do {
    const page = await typed<StoredRunStats>(store.meta).list({
      prefix: RUN_STATS_ID,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const { id, value } of page.items) {
      if (id !== RUN_STATS_ID && !id.startsWith(`${RUN_STATS_ID}:`)) continue;
      const { applied: _applied, ...stats } = value;
      mergeRunStats(total, stats);
    }
    cursor = page.cursor;
  } while (cursor);
  return total;
}
const MAX_ATTEMPTS = 8;

/**
 * The engine: folds one batch into the stored state and reports what changed. The CLI, the local runner and
 * the ingest Lambda all call this; only the Store behind it differs.
 */
export async function analyzeBatch(batch: AnalysisBatch, context: EngineContext): Promise<BatchEffects> {
  // Findings opened by an attempt that then lost a version race are already stored: the retry sees them as known and
  // would not report them again, so every attempt's findings are kept (the latest revision of each). Likewise the
  // counts of an attempt whose run ledger landed before a template tree lost its race: the retry finds them counted.
  const progress: Progress = { opened: new Map() };
  for (let attempt = 1; ; attempt++) {
    try {
      const effects = await analyzeOnce(batch, context, progress);
      effects.conflictsRetried = attempt - 1;
      effects.findings = [...progress.opened.values()];
      effects.stats = progress.counted ?? effects.stats;
      return effects;
    } catch (error: unknown) {
      // Another writer moved a document we read: everything is re-read and re-applied; the watermarks make
      // documents already written by this attempt skip the records they have.
      if (error instanceof StoreConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** What the attempts of one batch have done so far. */
interface Progress {
  opened: Map<string, Finding>;
  /** The counts written to the run ledger, once an attempt has written it. */
  counted?: RunStats;
}

interface Loaded<T> {
  doc: T;
  version: number;
  dirty: boolean;
  /** The document's watermarks as read, before this batch: what "already applied" is judged against. */
  before?: Record<string, string>;
}

async function load<T extends Watermarked>(
  collection: DocumentCollection<T>,
  ids: Iterable<string>,
  create: (id: string) => T,
): Promise<Map<string, Loaded<T>>> {
  const wanted = [...new Set(ids)];
  const found = wanted.length > 0 ? await collection.get(wanted) : new Map<string, Versioned<T>>();
  const loaded = new Map<string, Loaded<T>>();
  for (const id of wanted) {
    const hit = found.get(id);
    loaded.set(
      id,
      hit
        ? {
            doc: hit.value,
            version: hit.version,
            dirty: false,
            ...(hit.value.applied ? { before: { ...hit.value.applied } } : {}),
          }
        : { doc: create(id), version: 0, dirty: false },
    );
  }
  return loaded;
}

/** Whether the record at `sequence` of `shard` had reached this document before the batch began. */
function seenBefore(entry: Loaded<unknown>, shard: string | undefined, sequence: string | undefined): boolean {
  return alreadyApplied(entry.before ? { applied: entry.before } : {}, shard, sequence);
}

async function save<T>(
  collection: DocumentCollection<T>,
  loaded: Map<string, Loaded<T>>,
  expiresAt?: (doc: T) => number | undefined,
): Promise<void> {
  const puts = [];
  for (const [id, entry] of loaded) {
    if (!entry.dirty) continue;
    const expiry = expiresAt?.(entry.doc);
    puts.push({
      id,
      value: entry.doc,
      expectedVersion: entry.version,
      ...(expiry !== undefined ? { expiresAt: expiry } : {}),
    });
  }
  if (puts.length > 0) await collection.put(puts);
}

/** How one fresh request was placed by discovery. */
interface Placement {
  event: ApiEvent;
  sequence?: string;
  host: string;
  method: string;
  template: string;
  requestClass: RequestClass;
  params: TemplateParam[];
  entityId?: string;
}

async function analyzeOnce(batch: AnalysisBatch, context: EngineContext, progress: Progress): Promise<BatchEffects> {
  const { store } = context;
  const endpoints = typed<StoredEndpoint>(store.endpoints);
  const meta = typed<StoredRunStats>(store.meta);
  const shard = batch.shard;

  const runId = runStatsId(shard);
  const runLoaded = await load<StoredRunStats>(meta, [runId], () => emptyRunStats());
  const run = runLoaded.get(runId)!;
  const stats = emptyRunStats();

  // Rejections count once, like records.
  const freshRejections: Rejection[] = [];
  for (let i = 0; i < batch.rejections.length; i++) {
    if (seenBefore(run, shard, batch.rejectionSequences?.[i])) continue;
    freshRejections.push(batch.rejections[i] as Rejection);
  }
  countRejections(stats, freshRejections);

  // Discovery: template every fresh request against what each host has taught so far, in delivery order. A record
  // the run ledger has was counted into every other document by an earlier attempt, which wrote them before the
  // ledger; only its host's tree, written after the ledger, may lack it: the tree learns it, nothing else sees it.
  const hosts = new Set<string>();
  for (const event of batch.events) hosts.add(event.host.toLowerCase());
  const discovery = await loadDiscovery(store, hosts);
  const placements: Placement[] = [];
  const renamed = new Map<string, string>();
  const merges: Array<{ merge: MergeEvent; at: number; sequence: string | undefined }> = [];
  /** Template merged away -> the record whose arrival merged it. */
  const mergedBy = new Map<string, string>();
  for (let i = 0; i < batch.events.length; i++) {
    const event = batch.events[i] as ApiEvent;
    const sequence = batch.eventSequences?.[i];
    if (seenBefore(run, shard, sequence)) {
      if (teaches(discovery, event.host, shard, sequence)) learn(discovery, event, sequence);
      continue;
    }
    const observed = learn(discovery, event, sequence);
    for (const merge of observed.merges) {
      merges.push({ merge, at: event.time, sequence });
      for (const from of merge.from) {
        const key = endpointKey(merge.host, merge.method, from);
        renamed.set(key, merge.into);
        if (sequence !== undefined) mergedBy.set(key, sequence);
      }
    }
    const entity = attributeEntity(event);
    placements.push({
      event,
      ...(sequence !== undefined ? { sequence } : {}),
      host: observed.host,
      method: observed.method,
      template: observed.template,
      requestClass: observed.class,
      params: observed.params,
      ...(entity ? { entityId: entityKey(entity) } : {}),
    });
  }
  // A merge later in the batch re-templates the requests placed before it.
  if (renamed.size > 0) {
    for (const p of placements) {
      if (p.requestClass !== 'api' || !renamed.has(endpointKey(p.host, p.method, p.template))) continue;
      const now = discovery.templater.lookup(p.host, p.method, p.event.path);
      if (now) {
        p.template = now.template;
        p.params = now.params;
      }
    }
  }

  const endpointIdOf = (p: Placement) =>
    p.requestClass === 'api' || p.requestClass === 'overflow' ? endpointKey(p.host, p.method, p.template) : undefined;
  const firstOfEndpoint = new Map<string, Placement>();
  const firstOfEntity = new Map<string, Placement>();
  for (const p of placements) {
    const id = endpointIdOf(p);
    if (id !== undefined && !firstOfEndpoint.has(id)) firstOfEndpoint.set(id, p);
    if (p.entityId !== undefined && !firstOfEntity.has(p.entityId)) firstOfEntity.set(p.entityId, p);
  }
  const endpointDocs = await load<StoredEndpoint>(endpoints, [...firstOfEndpoint.keys()], (id) => {
    const p = firstOfEndpoint.get(id)!;
    return newEndpointRecord(p.host, p.method, p.template, p.event.time);
  });
  // The trees are written last, so a batch delivered again merges again what an earlier attempt merged: the
  // merging record's watermark on the merged template's record says whether it already has the merge.
  const retired = await reattributeMerged(endpoints, renamed, endpointDocs, shard, mergedBy);
  for (const { merge, at, sequence } of merges) {
    const into = endpointDocs.get(endpointKey(merge.host, merge.method, merge.into));
    if (!into || seenBefore(into, shard, sequence)) continue;
    recordMerge(into.doc, merge.explanation, merge.from, at);
    markApplied(into.doc, shard, sequence);
    into.dirty = true;
  }
  const firstSeen = new Map<string, number>();
  for (const p of placements) {
    if (p.entityId === undefined) continue;
    const seen = firstSeen.get(p.entityId);
    if (seen === undefined || p.event.time < seen) firstSeen.set(p.entityId, p.event.time);
  }
  const callers = await BatchCallers.load(store, firstSeen, (id) => {
    const p = firstOfEntity.get(id)!;
    return newEntityRecord(attributeEntity(p.event)!, p.event.time);
  });
  const entityDocs = callers.entries;

  const newEndpoints: EndpointRef[] = [];
  const fresh: ObservedRequest[] = [];
  let from: number | undefined;
  let to: number | undefined;
  for (const p of placements) {
    const { event, sequence, entityId } = p;
    if (from === undefined || event.time < from) from = event.time;
    if (to === undefined || event.time > to) to = event.time;
    const endpointId = endpointIdOf(p) ?? endpointKey(p.host, p.method, p.template);
    fresh.push({
      event,
      ...(entityId !== undefined ? { entity: attributeEntity(event)!, entityKey: entityId } : {}),
      endpointKey: endpointId,
      endpoint: { host: p.host, method: p.method, path: p.template },
      params: paramValues(event.path, p.params),
      ...(sequence !== undefined ? { sequence } : {}),
    });
    const endpoint = endpointDocs.get(endpointId);
    if (endpoint && !seenBefore(endpoint, shard, sequence)) {
      if (endpoint.version === 0 && endpoint.doc.requests === 0) {
        newEndpoints.push({ host: endpoint.doc.host, method: endpoint.doc.method, path: endpoint.doc.path });
      }
      recordRequest(endpoint.doc, event, entityId);
      recordParams(endpoint.doc, p.params);
      markApplied(endpoint.doc, shard, sequence);
      endpoint.dirty = true;
    }
    if (entityId !== undefined) {
      const entity = entityDocs.get(entityId)!;
      if (!seenBefore(entity, shard, sequence)) {
        recordEntityRequest(entity.doc, event);
        markApplied(entity.doc, shard, sequence);
        entity.dirty = true;
      }
    }
  }
  countAnalysed(stats, placements.length, from, to);

  // Classification against what the organisation declares, kept on the endpoint for detection and the console.
  const dirtyEndpoints = [...endpointDocs.values()].filter((e) => e.dirty).map((e) => e.doc);
  classifyInPlace(dirtyEndpoints, discovery.declared);

  const entityMap = new Map<string, StoredEntity>();
  for (const [id, entry] of entityDocs) if (entry.dirty) entityMap.set(id, entry.doc);
  const endpointMap = new Map<string, StoredEndpoint>();
  for (const [id, entry] of endpointDocs) if (entry.dirty) endpointMap.set(id, entry.doc);
  const findings = await detect({
    requests: fresh,
    entities: entityMap,
    endpoints: endpointMap,
    ...(shard !== undefined ? { shard } : {}),
    store: callers.detectionStore(),
    clock: context.clock,
    ...(context.detection ? { config: context.detection } : {}),
  });
  for (const finding of findings) {
    const known = progress.opened.get(finding.id);
    if (!known || finding.revision >= known.revision) progress.opened.set(finding.id, finding);
  }
  stats.controlMessages = batch.controlSequences
    ? batch.controlSequences.filter((sequence) => !seenBefore(run, shard, sequence)).length
    : progress.counted
      ? 0
      : (batch.controlMessages ?? 0);

  mergeRunStats(run.doc, stats);
  const lastSequence = lastOf(batch.eventSequences, batch.rejectionSequences, batch.controlSequences);
  markApplied(run.doc, shard, lastSequence);
  run.dirty = stats.records > 0 || stats.controlMessages > 0 || lastSequence !== undefined;

  // Order matters for redelivery. Detection's documents (written by detect), the endpoints and the callers first,
  // then the run ledger: a crash before the ledger leaves records that are counted on retry while the documents
  // already written skip them by their own watermarks. The template trees last: a tree that skipped a record (by its
  // watermark) would not say where it went, so a record is placed only while the ledger lacks it, i.e. while its
  // tree has not learnt it either; past the ledger, the trees that lack it learn it on retry, and nothing else does.
  await save(endpoints, endpointDocs);
  if (retired.length > 0) await endpoints.delete(retired);
  await callers.save(context.clock);
  await save(meta, runLoaded);
  if (run.dirty) {
    progress.counted ??= emptyRunStats();
    mergeRunStats(progress.counted, stats);
  }
  await saveDiscovery(store, discovery, shard);

  return { stats, newEndpoints, findings, conflictsRetried: 0 };
}

/**
 * Folds the stored records of templates that discovery has merged into the record of the template they became
 * (traffic seen before a merge is re-attributed, not lost), unless that record has the merging record already (an
 * earlier attempt folded them, then failed before deleting them). Returns the ids of the records folded away.
 */
async function reattributeMerged(
  endpoints: DocumentCollection<StoredEndpoint>,
  renamed: ReadonlyMap<string, string>,
  endpointDocs: Map<string, Loaded<StoredEndpoint>>,
  shard: string | undefined,
  mergedBy: ReadonlyMap<string, string>,
): Promise<string[]> {
  if (renamed.size === 0) return [];
  const stored = await endpoints.get([...renamed.keys()]);
  const retired: string[] = [];
  for (const [fromId, { value }] of stored) {
    const intoId = endpointKey(value.host, value.method, renamed.get(fromId)!);
    if (intoId === fromId) continue;
    let into = endpointDocs.get(intoId);
    if (!into) {
      const loaded = await load<StoredEndpoint>(endpoints, [intoId], () =>
        newEndpointRecord(value.host, value.method, renamed.get(fromId)!, value.firstSeen),
      );
      into = loaded.get(intoId)!;
      endpointDocs.set(intoId, into);
    }
    const sequence = mergedBy.get(fromId);
    if (!seenBefore(into, shard, sequence)) {
      mergeEndpointRecords(into.doc, value);
      markApplied(into.doc, shard, sequence);
      into.dirty = true;
    }
    retired.push(fromId);
  }
  return retired;
}

/** The values of a template's parameters in one request's path (the path is split once, not per parameter). */
function paramValues(path: string, params: readonly TemplateParam[]): string[] {
  if (params.length === 0) return [];
  const segments = splitPath(path);
  return params.map((param) => segments[param.index] ?? '');
}

function lastOf(...lists: Array<readonly string[] | undefined>): string | undefined {
  let last: string | undefined;
  for (const list of lists) {
    for (const s of list ?? []) if (last === undefined || compareSequence(s, last) > 0) last = s;
  }
  return last;
}
