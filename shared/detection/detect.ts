import {
  type EndpointBaseline,
  endpointBaselineId,
  hourOf,
  newEndpointBaseline,
  observeEndpointRequest,
  peerStats,
} from '../baselines/endpoint-baseline.js';
import { type EntityRef, parseEntityKey, viewerIp } from '../baselines/entity.js';
import {
  type EntityBaseline,
  endpointWindow,
  isDenied,
  isNotFound,
  isOk,
  newEntityBaseline,
  observeEntityRequest,
  type RequestFacts,
} from '../baselines/entity-baseline.js';
import {
  addParticipant,
  newPopulationBaseline,
  observeLogin,
  type PopulationBaseline,
  populationId,
} from '../baselines/population.js';
import { moveInSketch } from '../baselines/sketch.js';
import { hourStart } from '../baselines/windows.js';
import { endpointKey } from '../discovery/inventory.js';
import type { StoredEndpoint, StoredEntity } from '../engine/analyze.js';
import { alreadyApplied, compareSequence, markApplied, type Watermarked } from '../engine/watermark.js';
import type { ApiEvent } from '../events/api-event.js';
import type { Clock } from '../ports/clock.js';
import { type Store, typed, type Versioned } from '../ports/store.js';
import {
  type CampaignRelease,
  keepRelease,
  onlyFailedLogins,
  participantCandidate,
  readyParticipants,
  releaseThrough,
  updateCampaign,
} from './campaign.js';
import {
  type CompiledDetectionConfig,
  compileDetectionConfig,
  type DetectionConfig,
  isAuthEndpoint,
  isTrustedBot,
  resolveDetectionConfig,
} from './config.js';
import {
  type Candidate,
  ENTITY_DETECTORS,
  type EndpointView,
  type Moment,
  momentOf,
  PAIR_DETECTORS,
} from './detectors.js';
import { type EndpointRef, type Finding, findingId } from './finding.js';
import { boundOpen, findingWeight, mergeCandidate, riskOf, stronger } from './findings.js';
import { fallbackTemplate } from './template.js';

/** One request after attribution and discovery: what detection sees. */
export interface ObservedRequest {
  event: ApiEvent;
  /** Undefined when the request carried no identity we may judge (only a proxy address). */
  entity?: EntityRef;
  entityKey?: string;
  endpointKey: string;
  endpoint: EndpointRef;
  /** Values of the endpoint template's parameters, in template order (object ids, for enumeration). */
  params?: readonly string[];
  /** The Kinesis sequence number of the record, when it came from a stream. */
  sequence?: string;
}

export interface DetectionInput {
  /** Requests of this batch not seen before, in delivery order. */
  requests: readonly ObservedRequest[];
  /** The entity and endpoint documents this batch touched, already updated with its requests; changes made here are saved. */
  entities: ReadonlyMap<string, StoredEntity>;
  endpoints: ReadonlyMap<string, StoredEndpoint>;
  shard?: string;
  store: Store;
  clock: Clock;
  /** Thresholds, login endpoints, trusted bots, classification; defaults when absent (see config.ts). */
  config?: DetectionConfig;
}

const DEFAULT_CONFIG = resolveDetectionConfig();
/** Detection's own documents in `store.meta` are kept this long after their last write (wall clock). */
const META_RETENTION_MS = 3 * 24 * 60 * 60_000;

type MetaDoc = EndpointBaseline | PopulationBaseline;

/** A document loaded by detection: its watermark as it was before this batch decides what is fresh. */
interface Loaded<T extends Watermarked> {
  doc: T;
  version: number;
  before: Watermarked;
  dirty: boolean;
  lastSequence?: string;
  /** A population's release whose batch is delivered again (this batch holds its record, already counted). */
  redelivered?: CampaignRelease;
}

/** A copy of the document's watermark, taken once per batch: fresh() runs for every request and must not allocate. */
function watermarkBefore(doc: Watermarked): Watermarked {
  return doc.applied ? { applied: { ...doc.applied } } : {};
}

function loaded<T extends Watermarked>(doc: T, version: number): Loaded<T> {
  return { doc, version, before: watermarkBefore(doc), dirty: false };
}

function fresh(entry: { before: Watermarked }, shard: string | undefined, sequence: string | undefined): boolean {
  return !alreadyApplied(entry.before, shard, sequence);
}

function noteSequence(entry: { lastSequence?: string }, sequence: string | undefined): void {
  if (
    sequence !== undefined &&
    (entry.lastSequence === undefined || compareSequence(sequence, entry.lastSequence) > 0)
  ) {
    entry.lastSequence = sequence;
  }
}

interface Prepared {
  request: ObservedRequest;
  facts: RequestFacts;
  template: EndpointRef;
  parameterised: boolean;
}

function prepare(request: ObservedRequest, config: CompiledDetectionConfig): Prepared {
  const { event } = request;
  let template: EndpointRef;
  let params: readonly string[];
  let key: string;
  if (request.params !== undefined) {
    template = request.endpoint;
    params = request.params;
    key = request.endpointKey;
  } else {
    const fallback = fallbackTemplate(event.path);
    template = { host: event.host, method: event.method, path: fallback.path };
    params = fallback.params;
    key = endpointKey(event.host, event.method, fallback.path);
  }
  // One literal with every field, absent ones undefined, rather than conditional spreads: this runs once per
  // request, and spreads cost an object each and give every request's facts a different shape.
  const ip = viewerIp(event);
  const facts: RequestFacts = {
    time: event.time,
    endpointKey: key,
    rawPath: event.path,
    objectId: params.length > 0 ? params.join('/') : undefined,
    status: event.status,
    bytesOut: event.bytesOut ?? 0,
    authenticated: event.authenticated,
    authEndpoint: isAuthEndpoint(config, template.method, template.path),
    trackEndpoint: true,
    ip: ip || undefined,
    asn: event.asn || undefined,
    country: event.country || undefined,
  };
  return { request, facts, template, parameterised: params.length > 0 };
}

function classificationOf(doc: StoredEndpoint | undefined): string | undefined {
  const value = (doc as { classification?: unknown } | undefined)?.classification;
  return typeof value === 'string' ? value : undefined;
}

interface EntityWork {
  key: string;
  ref: EntityRef;
  record: StoredEntity;
  baseline: EntityBaseline;
  before: Watermarked;
  lastSequence?: string;
  trustedBot: boolean;
  /** Endpoint key -> whether the endpoint baseline took at least one of this entity's requests in this batch. */
  pairs: Map<string, boolean>;
  /** Endpoint key -> the pair as it stood at each of this batch's requests, the moments its detectors judge. */
  moments: Map<string, Moment[]>;
  touched: boolean;
}

/**
 * Baselines and detectors over one batch. Learns from the batch's fresh requests (each document skips what its own
 * watermark says it already has), runs every detector on the callers and endpoints the batch touched, keeps one
 * finding per (type, entity, endpoint) in `store.findings`, and keeps each entity's `risk` in step.
 * Returns the findings opened, reopened or escalated by this batch.
 */
export async function detect(input: DetectionInput): Promise<Finding[]> {
  if (input.requests.length === 0) return [];
  const config = compileDetectionConfig(input.config ?? DEFAULT_CONFIG);
  const { shard, store } = input;
  const meta = typed<MetaDoc>(store.meta);
  const prepared = input.requests.map((r) => prepare(r, config));
  let now = Number.NEGATIVE_INFINITY;
  for (const p of prepared) now = Math.max(now, p.facts.time);

  // Load the endpoint and login-population documents of the batch in one read.
  const endpointKeys = new Set<string>();
  const populationIds = new Set<string>();
  for (const p of prepared) {
    endpointKeys.add(p.facts.endpointKey);
    if (p.facts.authEndpoint) populationIds.add(populationId(p.facts.endpointKey));
  }
  const found = await meta.get([...[...endpointKeys].map(endpointBaselineId), ...populationIds]);
  const endpoints = new Map<string, Loaded<EndpointBaseline>>();
  const populations = new Map<string, Loaded<PopulationBaseline>>();
  const hit = <T extends MetaDoc>(id: string) => found.get(id) as Versioned<T> | undefined;

  const entities = new Map<string, EntityWork>();
  const entityWork = (p: Prepared): EntityWork | undefined => {
    const { entityKey: key, entity: ref } = p.request;
    if (key === undefined || ref === undefined) return undefined;
    let work = entities.get(key);
    if (!work) {
      const record = input.entities.get(key);
      if (!record) return undefined;
      record.baseline ??= newEntityBaseline(p.facts.time);
      const baseline = record.baseline;
      work = {
        key,
        ref,
        record,
        baseline,
        before: watermarkBefore(baseline),
        trustedBot: true,
        pairs: new Map(),
        moments: new Map(),
        touched: false,
      };
      entities.set(key, work);
    }
    return work;
  };

  for (const p of prepared) {
    const { facts, request } = p;
    const sequence = request.sequence;
    const key = facts.endpointKey;

    let endpoint = endpoints.get(key);
    if (!endpoint) {
      const stored = hit<EndpointBaseline>(endpointBaselineId(key));
      if (stored) endpoint = loaded(stored.value, stored.version);
      else if (!isNotFound(facts.status)) {
        // A path nobody has ever been answered on is a probe, not an endpoint: it gets no baseline of its own.
        endpoint = loaded(
          newEndpointBaseline(p.template, facts.time, {
            parameterised: p.parameterised,
            authEndpoint: facts.authEndpoint,
          }),
          0,
        );
      }
      if (endpoint) endpoints.set(key, endpoint);
    }
    const endpointFresh = endpoint !== undefined && fresh(endpoint, shard, sequence);
    if (endpoint && endpointFresh) {
      observeEndpointRequest(endpoint.doc, facts.time, facts.objectId);
      endpoint.dirty = true;
      noteSequence(endpoint, sequence);
    }

    const work = entityWork(p);
    if (work && fresh(work, shard, sequence)) {
      facts.trackEndpoint = endpoint !== undefined;
      const state = observeEntityRequest(work.baseline, facts);
      noteSequence(work, sequence);
      work.touched = true;
      if (work.trustedBot && !isTrustedBot(config, request.event.userAgent, request.event.asn)) work.trustedBot = false;
      if (state && endpoint) {
        work.pairs.set(key, (work.pairs.get(key) ?? false) || endpointFresh);
        // The pair is judged at each request, not only at the batch's end (detectors.ts `pairAt`).
        const moment = momentOf(state, state.lastSeen);
        const moments = work.moments.get(key);
        if (moments) moments.push(moment);
        else work.moments.set(key, [moment]);
        // The pair's first answered request: `total.ok` only ever grows, by one per answered request. Asking the
        // baseline for the count before this request would cost a second lookup in it for every request.
        if (endpointFresh && isOk(facts.status) && state.total.ok === 1) {
          if (request.event.authenticated) endpoint.doc.okIdentities.authenticated++;
          else endpoint.doc.okIdentities.unauthenticated++;
        }
      }
    }

    if (facts.authEndpoint && endpoint) {
      const id = populationId(key);
      let population = populations.get(id);
      if (!population) {
        const stored = hit<PopulationBaseline>(id);
        population = stored ? loaded(stored.value, stored.version) : loaded(newPopulationBaseline(p.template), 0);
        populations.set(id, population);
      }
      if (fresh(population, shard, sequence)) {
        const denied = isDenied(facts.status);
        const ok = isOk(facts.status);
        observeLogin(population.doc, facts.time, denied, ok);
        noteSequence(population, sequence);
        population.dirty = true;
        if (work && denied && onlyFailedLogins(work.baseline, config))
          addParticipant(population.doc, work.key, facts.time);
        if (work && ok) delete population.doc.pending[work.key];
      } else {
        population.redelivered ??= releaseThrough(population.doc, shard, sequence);
      }
    }
  }

  // Each identity's sample in its endpoint's hourly peer distributions follows its own figures. The sample lives on
  // the caller's document, the sketch on the endpoint's: two documents, written apart, so a batch may fail between
  // them and be delivered again. Detection's documents are written before the callers' (analyze.ts), so a caller
  // whose watermark lacks this batch while the endpoint's has it was moved in the sketch by an earlier attempt, from
  // the same stored sample to the same next one: the caller takes its sample, the sketch is left alone. (Skipping the
  // caller's sample too, as before, left it behind the sketch: its next move took out a value it had never put in and
  // the sketch drifted, missing volumetric abuse.) Writing the callers first instead would leave the reverse case, a
  // caller ahead of the sketch with the value to take out forgotten; a per-caller record on the endpoint would make
  // the move idempotent but grow the endpoint's document with every caller of every hour.
  for (const work of entities.values()) {
    for (const [key, endpointTookIt] of work.pairs) {
      const state = work.baseline.endpoints[key];
      const endpoint = endpoints.get(key);
      if (!state || !endpoint) continue;
      const w = endpointWindow(state, state.lastSeen);
      const hour = hourStart(state.lastSeen);
      const previous = state.sample?.hour === hour ? state.sample : undefined;
      const next = {
        hour,
        requests: Math.max(previous?.requests ?? 0, Math.round(w.requests)),
        bytes: Math.max(previous?.bytes ?? 0, Math.round(w.bytes)),
        objects: Math.max(previous?.objects ?? 0, Math.round(w.objects)),
      };
      if (endpointTookIt) {
        const peers = hourOf(endpoint.doc, state.lastSeen);
        moveInSketch(peers.requests, previous?.requests, next.requests);
        moveInSketch(peers.bytes, previous?.bytes, next.bytes);
        moveInSketch(peers.objects, previous?.objects, next.objects);
        endpoint.dirty = true;
      }
      state.sample = next;
    }
  }

  // Detectors.
  const candidates = new Map<string, Candidate>();
  const propose = (candidate: Candidate | undefined) => {
    if (!candidate) return;
    const id = findingId(candidate.type, candidate.entity, candidate.endpoint);
    const existing = candidates.get(id);
    // Moments come in time order: of two equally strong, the later one, whose evidence has seen more, is kept.
    candidates.set(id, existing ? stronger(candidate, existing) : candidate);
  };
  // One view per endpoint for the whole batch: every caller of a popular endpoint would otherwise rebuild it.
  const views = new Map<string, EndpointView>();
  const viewOf = (key: string, endpoint: Loaded<EndpointBaseline>): EndpointView => {
    let view = views.get(key);
    if (view) return view;
    const ref = { host: endpoint.doc.host, method: endpoint.doc.method, path: endpoint.doc.path };
    // Configuration, when it says something, wins over discovery's classification (which is `unknown` with no declared API).
    const classification = config.classify?.(ref) ?? classificationOf(input.endpoints.get(key));
    view = {
      ref,
      baseline: endpoint.doc,
      peers: peerStats(endpoint.doc),
      ...(classification ? { classification } : {}),
    };
    views.set(key, view);
    return view;
  };
  for (const work of entities.values()) {
    if (!work.touched) continue;
    for (const key of work.pairs.keys()) {
      const state = work.baseline.endpoints[key];
      const endpoint = endpoints.get(key);
      if (!state || !endpoint) continue;
      const view = viewOf(key, endpoint);
      for (const moment of work.moments.get(key) ?? []) {
        const pair = { ...moment, entity: work.ref, state, endpoint: view, trustedBot: work.trustedBot };
        for (const detector of PAIR_DETECTORS) propose(detector(pair, config));
      }
    }
    const view = {
      entity: work.ref,
      baseline: work.baseline,
      now,
      trustedBot: work.trustedBot,
      firstSeen: work.record.firstSeen,
    };
    for (const detector of ENTITY_DETECTORS) propose(detector(view, config));
  }

  // Population: campaigns and their quiet participants. A participant's finding reaches its own document after the
  // population's is written (which no longer lists it as pending), so each release is kept on the population
  // (`keepRelease`) and each participant's document marked with the record it came with: when the releasing batch
  // is delivered again, the participants whose documents lack that mark are given their findings again.
  const participants: Array<{ key: string; candidate: Candidate; through?: string; again?: boolean }> = [];
  for (const population of populations.values()) {
    const endpoint: EndpointRef = {
      host: population.doc.host,
      method: population.doc.method,
      path: population.doc.path,
    };
    const again = population.redelivered;
    for (const [entity, participant] of Object.entries(again?.participants ?? {})) {
      const ref = parseEntityKey(entity);
      if (!ref || !again) continue;
      const candidate = participantCandidate(ref, participant, again.since, again.figures, endpoint);
      participants.push({ key: entity, candidate, through: again.through, again: true });
    }
    if (!population.dirty) continue;
    const state = updateCampaign(population.doc, now, config);
    const ready = readyParticipants(population.doc);
    keepRelease(population.doc, shard, population.lastSequence, state, ready);
    for (const { entity, participant } of ready) {
      const ref = parseEntityKey(entity);
      if (!ref) continue;
      const candidate = participantCandidate(ref, participant, population.doc.campaign?.since, state, endpoint);
      participants.push({
        key: entity,
        candidate,
        ...(population.lastSequence !== undefined ? { through: population.lastSequence } : {}),
      });
    }
  }
  // Participants are confirmed on their entity document: anything but failed logins clears them.
  const outside = participants.map((p) => p.key).filter((key) => !input.entities.has(key));
  const outsideDocs = outside.length > 0 ? await typed<StoredEntity>(store.entities).get(outside) : new Map();
  const extraEntities = new Map<string, Versioned<StoredEntity>>();
  /** Participant -> the record its release came with, marked on its document with the finding. */
  const releasedTo = new Map<string, string>();
  for (const { key, candidate, through, again } of participants) {
    const record = input.entities.get(key) ?? (outsideDocs.get(key) as Versioned<StoredEntity> | undefined)?.value;
    if (!record?.baseline || !onlyFailedLogins(record.baseline, config)) continue;
    if (again && alreadyApplied(record.baseline, shard, through)) continue;
    const stored = outsideDocs.get(key) as Versioned<StoredEntity> | undefined;
    if (stored) extraEntities.set(key, stored);
    propose(candidate);
    if (through !== undefined) releasedTo.set(key, through);
  }

  // Findings: one per (type, entity, endpoint), merged with what is stored.
  const opened: Finding[] = [];
  if (candidates.size > 0) {
    const findings = typed<Finding>(store.findings);
    const existing = await findings.get([...candidates.keys()]);
    const puts = [];
    for (const [id, candidate] of candidates) {
      const stored = existing.get(id);
      const merged = mergeCandidate(stored?.value, candidate);
      if (merged.escalated) opened.push(merged.finding);
      if (merged.changed) puts.push({ id, value: merged.finding, expectedVersion: stored?.version ?? 0 });
      const key = `${candidate.entity.type}:${candidate.entity.id}`;
      const record = input.entities.get(key) ?? extraEntities.get(key)?.value;
      if (record?.baseline) {
        record.baseline.open[id] = { weight: findingWeight(merged.finding), lastSeen: merged.finding.lastSeen };
        boundOpen(record.baseline.open, now);
        record.risk = riskOf(record.baseline.open, now);
        // Every record of this shard up to the release's had reached this caller already: its mark may move there.
        markApplied(record.baseline, shard, releasedTo.get(key));
      }
    }
    if (puts.length > 0) await findings.put(puts);
  }

  // Watermarks, then detection's own documents; entities outside the batch last.
  for (const work of entities.values()) markApplied(work.baseline, shard, work.lastSequence);
  const expiresAt = input.clock.now() + META_RETENTION_MS;
  const metaPuts = [];
  for (const [key, entry] of endpoints) {
    if (!entry.dirty) continue;
    markApplied(entry.doc, shard, entry.lastSequence);
    metaPuts.push({
      id: endpointBaselineId(key),
      value: entry.doc as MetaDoc,
      expectedVersion: entry.version,
      expiresAt,
    });
  }
  for (const [id, entry] of populations) {
    if (!entry.dirty) continue;
    markApplied(entry.doc, shard, entry.lastSequence);
    metaPuts.push({ id, value: entry.doc as MetaDoc, expectedVersion: entry.version, expiresAt });
  }
  if (metaPuts.length > 0) await meta.put(metaPuts);
  if (extraEntities.size > 0) {
    await typed<StoredEntity>(store.entities).put(
      [...extraEntities].map(([id, stored]) => ({ id, value: stored.value, expectedVersion: stored.version })),
    );
  }
  return opened;
}
