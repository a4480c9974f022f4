import { addToSketch, emptySketch, mergeSketch, type QuantileSketch, sketchQuantile } from '../baselines/sketch.js';
import type { ApiEvent, LogSource } from '../events/api-event.js';
import type { EndpointStatus, ZombieReason } from './classify.js';
import type { ParamKind } from './segments.js';
import { type SensitiveKind, sensitiveInUrl } from './sensitive.js';
import type { MergeExplanation, TemplateParam } from './templater.js';

/** The status classes counted per endpoint; `0xx` is a connection the client closed before the response. */
export type StatusClass = '0xx' | '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

export function statusClass(status: number): StatusClass {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx` as StatusClass;
  return '0xx';
}

/** How many top callers an endpoint remembers (the rest are counted, not named). */
export const TOP_CALLERS = 10;
/** Candidates kept while counting top callers (space-saving: bounded whatever the number of callers). */
const CALLER_CANDIDATES = 50;

/** One endpoint of the inventory, as stored. Aggregates only: never a raw request. */
export interface EndpointRecord {
  host: string;
  method: string;
  /** The endpoint template (`/users/{userId}`), or the raw path before discovery has templated it. */
  path: string;
  requests: number;
  firstSeen: number;
  lastSeen: number;
  statusCounts: Partial<Record<StatusClass, number>>;
  /** Exact counts of the statuses detection cares about. */
  statuses: Record<string, number>;
  authenticated: number;
  sources: Partial<Record<LogSource, number>>;
  latencyMs: QuantileSketch;
  bytesOut: QuantileSketch;
  /** entity key -> approximate request count (space-saving counters). */
  callers: Record<string, number>;
  /** The template's parameters: name and every kind of value seen, by segment index. */
  params?: Array<{ index: number; name: string; kinds: ParamKind[] }>;
  /** 2xx answers to requests that carried no credential at all. */
  unauthenticatedSuccess?: number;
  /** Kinds of sensitive data seen in this endpoint's URLs (never the values), with request counts. */
  sensitive?: Partial<Record<SensitiveKind, number>>;
  /** Against the declared APIs: managed, shadow, zombie, unknown (unused endpoints have no traffic, hence no record). */
  classification?: EndpointStatus;
  /** Why this template exists: the merges that made it (newest last, bounded), with the templates folded in. */
  merges?: Array<MergeExplanation & { from: string[]; at: number }>;
  declaredTemplate?: string;
  zombieReason?: ZombieReason;
}

/** Store id of an endpoint. */
export function endpointKey(host: string, method: string, path: string): string {
  return `${host} ${method} ${path}`;
}

export function newEndpointRecord(host: string, method: string, path: string, time: number): EndpointRecord {
  return {
    host,
    method,
    path,
    requests: 0,
    firstSeen: time,
    lastSeen: time,
    statusCounts: {},
    statuses: {},
    authenticated: 0,
    sources: {},
    latencyMs: emptySketch(),
    bytesOut: emptySketch(),
    callers: {},
  };
}

const COUNTED_STATUSES = new Set([401, 403, 404, 429]);

export function recordRequest(record: EndpointRecord, event: ApiEvent, callerKey: string | undefined): void {
  record.requests++;
  if (event.time < record.firstSeen) record.firstSeen = event.time;
  if (event.time > record.lastSeen) record.lastSeen = event.time;
  const cls = statusClass(event.status);
  record.statusCounts[cls] = (record.statusCounts[cls] ?? 0) + 1;
  if (COUNTED_STATUSES.has(event.status)) {
    const key = String(event.status);
    record.statuses[key] = (record.statuses[key] ?? 0) + 1;
  }
  if (event.authenticated) record.authenticated++;
  else if (event.status >= 200 && event.status < 300)
    record.unauthenticatedSuccess = (record.unauthenticatedSuccess ?? 0) + 1;
  for (const kind of sensitiveInUrl(event.path, event.query)) {
    record.sensitive ??= {};
    record.sensitive[kind] = (record.sensitive[kind] ?? 0) + 1;
  }
  record.sources[event.source] = (record.sources[event.source] ?? 0) + 1;
  if (event.latencyMs !== undefined) addToSketch(record.latencyMs, event.latencyMs);
  if (event.bytesOut !== undefined) addToSketch(record.bytesOut, event.bytesOut);
  if (callerKey) countCaller(record.callers, callerKey, 1);
}

/**
 * Top-k callers in bounded memory: counters for up to 4×CALLER_CANDIDATES callers; when full, the weakest are
 * dropped in one sort down to CALLER_CANDIDATES, and a newcomer starts from the largest count dropped (the
 * space-saving over-estimate), so a heavy hitter is never missed. Amortised O(log n) per request.
 */
function countCaller(callers: Record<string, number>, key: string, count: number): void {
  const current = callers[key];
  if (current !== undefined) {
    callers[key] = current + count;
    return;
  }
  let size = callerCounts.get(callers) ?? Object.keys(callers).length;
  let floor = 0;
  if (size >= CALLER_CANDIDATES * 4) {
    const ranked = Object.entries(callers).sort((a, b) => b[1] - a[1]);
    for (const [k, v] of ranked.slice(CALLER_CANDIDATES)) {
      floor = Math.max(floor, v);
      delete callers[k];
    }
    size = CALLER_CANDIDATES;
  }
  callers[key] = floor + count;
  callerCounts.set(callers, size + 1);
}

/**
 * How many callers each counter object holds. Counting its keys for every new caller made a new caller O(n) and
 * was a tenth of `lantern analyze`'s CPU (bench/hot-path.md). Only `countCaller` adds or removes keys; an object
 * read back from the store is a new object, counted once.
 */
const callerCounts = new WeakMap<Record<string, number>, number>();

const MAX_MERGES_KEPT = 5;

/** Records why the template of this endpoint was formed by merging others (the "explain" of discovery). */
export function recordMerge(
  record: EndpointRecord,
  explanation: MergeExplanation,
  from: readonly string[],
  at: number,
): void {
  record.merges ??= [];
  record.merges.push({ ...explanation, from: from.slice(0, 20), at });
  if (record.merges.length > MAX_MERGES_KEPT) record.merges.splice(0, record.merges.length - MAX_MERGES_KEPT);
}

/** Remembers the kinds of value seen at each parameter of the endpoint's template. */
export function recordParams(record: EndpointRecord, params: readonly TemplateParam[]): void {
  if (params.length === 0) return;
  record.params ??= [];
  for (const param of params) {
    let known = record.params.find((p) => p.index === param.index);
    if (!known) {
      known = { index: param.index, name: param.name, kinds: [] };
      record.params.push(known);
      record.params.sort((a, b) => a.index - b.index);
    }
    known.name = param.name;
    if (!known.kinds.includes(param.kind)) known.kinds.push(param.kind);
  }
}

/** Folds `from` into `into` (used when discovery merges templates and re-attributes earlier traffic). */
export function mergeEndpointRecords(into: EndpointRecord, from: EndpointRecord): void {
  into.requests += from.requests;
  into.firstSeen = Math.min(into.firstSeen, from.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, from.lastSeen);
  for (const [k, v] of Object.entries(from.statusCounts)) {
    const cls = k as StatusClass;
    into.statusCounts[cls] = (into.statusCounts[cls] ?? 0) + (v ?? 0);
  }
  for (const [k, v] of Object.entries(from.statuses)) into.statuses[k] = (into.statuses[k] ?? 0) + v;
  into.authenticated += from.authenticated;
  for (const [k, v] of Object.entries(from.sources)) {
    const source = k as LogSource;
    into.sources[source] = (into.sources[source] ?? 0) + (v ?? 0);
  }
  mergeSketch(into.latencyMs, from.latencyMs);
  mergeSketch(into.bytesOut, from.bytesOut);
  for (const [k, v] of Object.entries(from.callers)) countCaller(into.callers, k, v);
  if (from.unauthenticatedSuccess)
    into.unauthenticatedSuccess = (into.unauthenticatedSuccess ?? 0) + from.unauthenticatedSuccess;
  for (const [k, v] of Object.entries(from.sensitive ?? {})) {
    const kind = k as SensitiveKind;
    into.sensitive ??= {};
    into.sensitive[kind] = (into.sensitive[kind] ?? 0) + (v ?? 0);
  }
}

/** True once the endpoint has answered at least one request successfully (2xx or 3xx). */
export function hasSucceeded(record: EndpointRecord): boolean {
  return (record.statusCounts['2xx'] ?? 0) + (record.statusCounts['3xx'] ?? 0) > 0;
}

export function topCallers(record: EndpointRecord, n = TOP_CALLERS): Array<{ entity: string; requests: number }> {
  return Object.entries(record.callers)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([entity, requests]) => ({ entity, requests }));
}

export function percentiles(sketch: QuantileSketch): { p50?: number; p90?: number; p99?: number } {
  const round = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 10) / 10);
  return {
    p50: round(sketchQuantile(sketch, 0.5)),
    p90: round(sketchQuantile(sketch, 0.9)),
    p99: round(sketchQuantile(sketch, 0.99)),
  };
}
