import type { DeclaredSpecs } from '../discovery/classify.js';
import { classifyEndpoints } from '../discovery/classify.js';
import type { EndpointRecord } from '../discovery/inventory.js';
import {
  type DiscoveryOverride,
  emptyTemplaterState,
  type HostState,
  OTHER_HOST,
  PathTemplater,
} from '../discovery/templater.js';
import { type Store, typed } from '../ports/store.js';
import { alreadyApplied, compareSequence, markApplied, type Watermarked } from './watermark.js';

/**
 * How discovery's state lives in the store's `discovery` collection:
 * - `host:<host>`: the templater's learnt tree of one host (so a batch loads only the hosts it saw), with per-shard
 *   watermarks (`applied`) like every document the engine counts into: its hit counts decide merges;
 * - `overrides`: the user's overrides (split, pin static, declare), respected by every later analysis;
 * - `declared`: the declared APIs (OpenAPI files, API Gateway) the endpoints are classified against.
 */
export const OVERRIDES_ID = 'overrides';
export const DECLARED_ID = 'declared';
export const hostDocId = (host: string) => `host:${host}`;

export interface StoredOverrides {
  overrides: DiscoveryOverride[];
}

/** A host's tree as stored: the templater's state and the records of each shard it has learnt from. */
export type StoredHost = HostState & Watermarked;

export interface LoadedDiscovery {
  templater: PathTemplater;
  declared: DeclaredSpecs;
  /** Version of each host document as read (0 = new). */
  versions: Map<string, number>;
  /** Each host document's watermarks as read, before this batch: what "already learnt" is judged against. */
  before: Map<string, Record<string, string>>;
  /** Host documents this batch taught something (host name -> the latest sequence learnt, if any). */
  taught: Map<string, string | undefined>;
}

export async function loadDiscovery(store: Store, hosts: Iterable<string>): Promise<LoadedDiscovery> {
  const collection = store.discovery;
  const hostIds = [...new Set([...hosts, OTHER_HOST])].map(hostDocId);
  const found = await collection.get([...hostIds, OVERRIDES_ID, DECLARED_ID]);
  const overrides = (found.get(OVERRIDES_ID)?.value as StoredOverrides | undefined)?.overrides ?? [];
  const state = emptyTemplaterState(overrides);
  const versions = new Map<string, number>();
  const before = new Map<string, Record<string, string>>();
  for (const id of hostIds) {
    const hit = found.get(id);
    versions.set(id, hit?.version ?? 0);
    if (!hit) continue;
    const value = hit.value as StoredHost;
    state.hosts[`=${id.slice('host:'.length)}`] = value;
    if (value.applied) before.set(id, { ...value.applied });
  }
  const declared = (found.get(DECLARED_ID)?.value as DeclaredSpecs | undefined) ?? { current: [] };
  return { templater: new PathTemplater(state), declared, versions, before, taught: new Map() };
}

/**
 * Whether the host tree that would learn from this record has not learnt from it yet. The tree is the host's own
 * one when it is loaded, else `(other)` once the batch holds the templater's host budget (as
 * `PathTemplater.observe` chooses), else a new one.
 */
export function teaches(
  loaded: LoadedDiscovery,
  host: string,
  shard: string | undefined,
  sequence: string | undefined,
): boolean {
  const applied = loaded.before.get(hostDocId(loaded.templater.hostName(host)));
  return !applied || !alreadyApplied({ applied }, shard, sequence);
}

/**
 * Templates one request and learns from it; `host` of the result names the tree that learnt. Call only for a record
 * its tree has not learnt (`teaches`).
 */
export function learn(
  loaded: LoadedDiscovery,
  event: { host: string; method: string; path: string; status: number; routeTemplate?: string },
  sequence: string | undefined,
) {
  const observed = loaded.templater.observe(event.host, event.method, event.path, event.status, event.routeTemplate);
  const latest = loaded.taught.get(observed.host);
  const later = sequence !== undefined && (latest === undefined || compareSequence(sequence, latest) > 0);
  loaded.taught.set(observed.host, later ? sequence : latest);
  return observed;
}

/**
 * Writes back the host trees the batch taught, each with its watermark moved to the latest record it learnt and with
 * the version it was read at. The engine writes them last, after the run ledger (analyze.ts says why).
 */
export async function saveDiscovery(store: Store, loaded: LoadedDiscovery, shard: string | undefined): Promise<void> {
  const puts = [];
  for (const [name, sequence] of loaded.taught) {
    const value = loaded.templater.state.hosts[`=${name}`] as StoredHost | undefined;
    if (!value) continue;
    markApplied(value, shard, sequence);
    const id = hostDocId(name);
    puts.push({ id, value, expectedVersion: loaded.versions.get(id) ?? 0 });
  }
  if (puts.length > 0) await store.discovery.put(puts);
}

/** Sets `classification` (and why) on each endpoint record from the declared APIs. */
export function classifyInPlace(records: readonly EndpointRecord[], declared: DeclaredSpecs): void {
  if (records.length === 0) return;
  const classes = classifyEndpoints(
    records.map((r) => ({ host: r.host, method: r.method, template: r.path, requests: r.requests })),
    declared,
  );
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as EndpointRecord;
    const c = classes[i];
    if (!c) continue;
    record.classification = c.status;
    if (c.declaredTemplate !== undefined) record.declaredTemplate = c.declaredTemplate;
    else delete record.declaredTemplate;
    if (c.zombieReason !== undefined) record.zombieReason = c.zombieReason;
    else delete record.zombieReason;
  }
}

/** Replaces the declared APIs (a CLI `--declared` file, a sync from API Gateway); the previous current set becomes history. */
export async function saveDeclared(store: Store, current: DeclaredSpecs['current'], keepHistory = true): Promise<void> {
  const collection = typed<DeclaredSpecs>(store.discovery);
  const existing = (await collection.get([DECLARED_ID])).get(DECLARED_ID);
  const previous = existing?.value.previous ?? [];
  const next: DeclaredSpecs = {
    current: [...current],
    ...(keepHistory && existing && existing.value.current.length > 0
      ? { previous: [...previous, existing.value.current].slice(-5) }
      : previous.length > 0
        ? { previous }
        : {}),
  };
  await collection.put([{ id: DECLARED_ID, value: next, expectedVersion: existing?.version ?? 0 }]);
}

/** Replaces the user's overrides; the hosts they touch start learning again on the next batch. */
export async function saveOverrides(store: Store, overrides: DiscoveryOverride[]): Promise<string[]> {
  const hosts = [...new Set(overrides.map((o) => o.host.toLowerCase()))];
  const previous = (await store.discovery.get([OVERRIDES_ID])).get(OVERRIDES_ID);
  const before = (previous?.value as StoredOverrides | undefined)?.overrides ?? [];
  const touched = [...new Set([...hosts, ...before.map((o) => o.host.toLowerCase())])];
  await store.discovery.put([{ id: OVERRIDES_ID, value: { overrides }, expectedVersion: previous?.version ?? 0 }]);
  // A split must really split: the learnt trees of the touched hosts are dropped and relearnt.
  await store.discovery.delete(touched.map(hostDocId));
  return touched;
}
