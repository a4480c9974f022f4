/** Test harness for detection: pure views for the detectors, and a miniature engine around `detect`. */

import {
  type EndpointBaseline,
  hourOf,
  newEndpointBaseline,
  peerStats,
} from '../../../shared/baselines/endpoint-baseline.js';
import {
  attributeEntity,
  type EntityRef,
  entityKey,
  newEntityRecord,
  recordEntityRequest,
} from '../../../shared/baselines/entity.js';
import {
  type EntityBaseline,
  type EntityEndpointState,
  newEntityBaseline,
  observeEntityRequest,
  type RequestFacts,
} from '../../../shared/baselines/entity-baseline.js';
import { addToSketch } from '../../../shared/baselines/sketch.js';
import {
  type CompiledDetectionConfig,
  compileDetectionConfig,
  type DetectionConfigInput,
  resolveDetectionConfig,
} from '../../../shared/detection/config.js';
import { detect, type ObservedRequest } from '../../../shared/detection/detect.js';
import { type EndpointView, type EntityView, pairAt } from '../../../shared/detection/detectors.js';
import type { Finding } from '../../../shared/detection/finding.js';
import { endpointKey } from '../../../shared/discovery/inventory.js';
import type { StoredEndpoint, StoredEntity } from '../../../shared/engine/analyze.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { systemClock } from '../../../shared/ports/clock.js';
import { type Store, typed } from '../../../shared/ports/store.js';

export const T0 = Date.UTC(2026, 10, 2, 12, 0, 0);
export const HOST = 'api.example.com';

export function config(input: DetectionConfigInput = {}): CompiledDetectionConfig {
  return compileDetectionConfig(resolveDetectionConfig(input));
}

export function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    time: T0,
    endpointKey: `${HOST} GET /orders/{id}`,
    rawPath: '/orders/1',
    status: 200,
    bytesOut: 1000,
    authenticated: true,
    authEndpoint: false,
    trackEndpoint: true,
    ...overrides,
  };
}

/** An endpoint baseline whose peers' hourly samples are the given figures (one identity each). */
export function endpointWithPeers(
  path: string,
  peers: { requests?: number[]; objects?: number[]; bytes?: number[] },
  flags: { parameterised?: boolean; authEndpoint?: boolean; method?: string } = {},
): EndpointBaseline {
  const baseline = newEndpointBaseline({ host: HOST, method: flags.method ?? 'GET', path }, T0, {
    parameterised: flags.parameterised ?? true,
    authEndpoint: flags.authEndpoint ?? false,
  });
  const hour = hourOf(baseline, T0);
  // Each identity has a sample in every distribution: the figures not given are 1.
  const n = Math.max(peers.requests?.length ?? 0, peers.objects?.length ?? 0, peers.bytes?.length ?? 0);
  for (let i = 0; i < n; i++) {
    addToSketch(hour.requests, peers.requests?.[i] ?? 1);
    addToSketch(hour.objects, peers.objects?.[i] ?? 1);
    addToSketch(hour.bytes, peers.bytes?.[i] ?? 1);
  }
  return baseline;
}

export function endpointView(baseline: EndpointBaseline, classification?: string): EndpointView {
  return {
    ref: { host: baseline.host, method: baseline.method, path: baseline.path },
    baseline,
    peers: peerStats(baseline),
    ...(classification ? { classification } : {}),
  };
}

/** Feeds the facts into a fresh entity baseline; returns the baseline and the state of the last endpoint touched. */
export function feed(
  all: RequestFacts[],
  baseline: EntityBaseline = newEntityBaseline(all[0]?.time ?? T0),
): { baseline: EntityBaseline; state: EntityEndpointState } {
  let state: EntityEndpointState | undefined;
  for (const f of all) state = observeEntityRequest(baseline, f) ?? state;
  if (!state) throw new Error('no endpoint state');
  return { baseline, state };
}

/** A pair judged at `now` (detect.ts judges each pair at each of its requests). */
export const pair = pairAt;

export function entityView(entity: EntityRef, baseline: EntityBaseline, now: number, trustedBot = false): EntityView {
  return { entity, baseline, now, trustedBot, firstSeen: T0 };
}

/** `n` facts spread evenly over `spanMs` from `from`, built by `make(i)`. */
export function spread(
  n: number,
  from: number,
  spanMs: number,
  make: (i: number, time: number) => Partial<RequestFacts>,
): RequestFacts[] {
  return Array.from({ length: n }, (_, i) => {
    const time = from + Math.floor((i * spanMs) / Math.max(1, n));
    return facts({ time, ...make(i, time) });
  });
}

export function observed(
  event: ApiEvent,
  options: { template?: string; params?: string[]; sequence?: string } = {},
): ObservedRequest {
  const entity = attributeEntity(event);
  const path = options.template ?? event.path;
  return {
    event,
    ...(entity ? { entity, entityKey: entityKey(entity) } : {}),
    endpointKey: endpointKey(event.host, event.method, path),
    endpoint: { host: event.host, method: event.method, path },
    ...(options.params ? { params: options.params } : {}),
    ...(options.sequence ? { sequence: options.sequence } : {}),
  };
}

/**
 * What the engine does around `detect`, in miniature: load or create the entity documents, record the requests,
 * call detect, save the documents with their versions.
 */
export async function runDetect(
  store: Store,
  requests: ObservedRequest[],
  options: { config?: DetectionConfigInput; shard?: string; endpoints?: ReadonlyMap<string, StoredEndpoint> } = {},
): Promise<Finding[]> {
  const entities = typed<StoredEntity>(store.entities);
  const keys = [...new Set(requests.map((r) => r.entityKey).filter((k): k is string => k !== undefined))];
  const found = await entities.get(keys);
  const docs = new Map<string, { doc: StoredEntity; version: number }>();
  for (const key of keys) {
    const hit = found.get(key);
    const first = requests.find((r) => r.entityKey === key) as ObservedRequest;
    docs.set(
      key,
      hit
        ? { doc: hit.value, version: hit.version }
        : { doc: newEntityRecord(first.entity as EntityRef, first.event.time), version: 0 },
    );
  }
  for (const r of requests)
    if (r.entityKey) recordEntityRequest((docs.get(r.entityKey) as { doc: StoredEntity }).doc, r.event);
  // The store's own clock decides expiry: detection must be given the same one (here, the wall clock).
  const clock = systemClock;
  const findings = await detect({
    requests,
    entities: new Map([...docs].map(([k, v]) => [k, v.doc])),
    endpoints: options.endpoints ?? new Map(),
    store,
    clock,
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.config ? { config: resolveDetectionConfig(options.config) } : {}),
  });
  await entities.put([...docs].map(([id, v]) => ({ id, value: v.doc, expectedVersion: v.version })));
  return findings;
}

export async function allFindings(store: Store): Promise<Finding[]> {
  return (await typed<Finding>(store.findings).list()).items.map((i) => i.value);
}

export async function entityDoc(store: Store, key: string): Promise<StoredEntity | undefined> {
  return (await typed<StoredEntity>(store.entities).get([key])).get(key)?.value;
}
