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

/**
 * How discovery's state lives in the store's `discovery` collection:
 * - `host:<host>`: the templater's learnt tree of one host (so a batch loads only the hosts it saw);
 * - `overrides`: the user's overrides (split, pin static, declare), respected by every later analysis;
 * - `declared`: the declared APIs (OpenAPI files, API Gateway) the endpoints are classified against.
 */
export const OVERRIDES_ID = 'overrides';
export const DECLARED_ID = 'declared';
export const hostDocId = (host: string) => `host:${host}`;

export interface StoredOverrides {
  overrides: DiscoveryOverride[];
}

export interface LoadedDiscovery {
  templater: PathTemplater;
  declared: DeclaredSpecs;
  /** Version of each host document as read (0 = new). */
  versions: Map<string, number>;
}

export async function loadDiscovery(store: Store, hosts: Iterable<string>): Promise<LoadedDiscovery> {
  const collection = store.discovery;
  const hostIds = [...new Set([...hosts, OTHER_HOST])].map(hostDocId);
  const found = await collection.get([...hostIds, OVERRIDES_ID, DECLARED_ID]);
  const overrides = (found.get(OVERRIDES_ID)?.value as StoredOverrides | undefined)?.overrides ?? [];
  const state = emptyTemplaterState(overrides);
  const versions = new Map<string, number>();
  for (const id of hostIds) {
    const hit = found.get(id);
    versions.set(id, hit?.version ?? 0);
    if (hit) state.hosts[`=${id.slice('host:'.length)}`] = hit.value as HostState;
  }
  const declared = (found.get(DECLARED_ID)?.value as DeclaredSpecs | undefined) ?? { current: [] };
  return { templater: new PathTemplater(state), declared, versions };
}

/** Writes back the host trees the batch touched (each with the version it was read at). */
export async function saveDiscovery(store: Store, loaded: LoadedDiscovery, changed: boolean): Promise<void> {
  if (!changed) return;
  const puts = [];
  for (const [key, hostState] of Object.entries(loaded.templater.state.hosts)) {
    const id = hostDocId(key.slice(1));
    puts.push({ id, value: hostState, expectedVersion: loaded.versions.get(id) ?? 0 });
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
