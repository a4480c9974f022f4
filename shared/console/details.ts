/**
 * The console's detail and summary views, as plain data (the UI and the HTML report render them).
 * Details read the full document by id; summaries aggregate the read model's rows.
 */
import type { EndpointBaseline } from '../baselines/endpoint-baseline.js';
import { rateRecommendation } from '../detection/rate-recommendations.js';
import { readCaller } from '../engine/callers.js';
import type { Store } from '../ports/store.js';
import { type EvidenceLine, evidenceLines } from './evidence.js';
import type { ConsoleReadModel } from './read-model.js';
import {
  type ActionRow,
  type AuditRow,
  asDoc,
  CLASSIFICATIONS,
  type Doc,
  type EndpointRow,
  type EntityRow,
  endpointRow,
  entityRow,
  type FindingRow,
  findingRow,
  num,
  str,
  strings,
} from './rows.js';

export const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'] as const;
const HOUR_MS = 3_600_000;
const WINDOW_MS = 600_000;

export interface SeriesPoint {
  t: number;
  value: number;
}

export interface Overview {
  generatedAt: number;
  totals: {
    endpoints: number;
    probes: number;
    entities: number;
    requests: number;
    openFindings: number;
    activeActions: number;
  };
  /** Endpoints per classification, every classification listed (0 when none). */
  byClassification: Array<{ classification: string; count: number }>;
  /** Open findings per severity, most severe first. */
  openBySeverity: Array<{ severity: string; count: number }>;
  openByType: Array<{ type: string; count: number }>;
  /** Active blocks, throttles and other actions per kind. */
  activeByKind: Array<{ kind: string; count: number }>;
  activeActions: ActionRow[];
  /** Callers active per hour, summed over endpoints (from detection's per-endpoint hourly baselines). */
  traffic: SeriesPoint[];
  /** Requests per hour, when the store keeps hourly counts; else estimated by spreading each endpoint's requests over its life. */
  requests: SeriesPoint[];
  requestsEstimated: boolean;
  topEntities: EntityRow[];
  recentFindings: FindingRow[];
  analysed?: { records: number; analysed: number; rejected: number; from?: number; to?: number };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/** What detection's hourly endpoint baselines say about activity: callers per hour, and each endpoint's hourly weight. */
export interface TrafficProfile {
  /** Callers active per hour, summed over endpoints. */
  callers: SeriesPoint[];
  /** Endpoint id -> hour -> the sum of its callers' busiest-10-minute request counts in that hour (a shape, not a count). */
  weights: Map<string, Map<number, number>>;
}

const EMPTY_PROFILE: TrafficProfile = { callers: [], weights: new Map() };

/** The sum of a sketch's samples (bucket midpoints), for weighting. */
function sketchSum(sketch: unknown): number {
  const s = asDoc(sketch);
  const gamma = 1.02 / 0.98;
  let sum = 0;
  for (const [key, count] of Object.entries(asDoc(s.b))) sum += num(count) * ((2 * gamma ** Number(key)) / (gamma + 1));
  return sum;
}

/**
 * Requests per time bucket, estimated: the part of each endpoint's life that detection's hourly baselines cover
 * follows their shape (its callers' activity per hour); the rest, and endpoints without a baseline, is spread
 * evenly over first..last seen. Labelled as an estimate wherever it is shown.
 */
export function estimatedRequests(
  rows: readonly EndpointRow[],
  profile: TrafficProfile = EMPTY_PROFILE,
  maxPoints = 72,
): SeriesPoint[] {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    if (r.requests <= 0) continue;
    from = Math.min(from, r.firstSeen);
    to = Math.max(to, r.lastSeen);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) return [];
  let bucket = HOUR_MS;
  while ((to - from) / bucket > maxPoints) bucket *= 2;
  const start = Math.floor(from / bucket) * bucket;
  const n = Math.floor((to - start) / bucket) + 1;
  const values = new Array<number>(n).fill(0);
  const add = (t: number, v: number) => {
    const i = Math.min(n - 1, Math.max(0, Math.floor((t - start) / bucket)));
    values[i] = (values[i] ?? 0) + v;
  };
  const spread = (first: number, last: number, requests: number) => {
    if (requests <= 0) return;
    if (last <= first) {
      add(first, requests);
      return;
    }
    for (let b0 = Math.floor(first / bucket) * bucket; b0 <= last; b0 += bucket) {
      const overlap = Math.max(0, Math.min(b0 + bucket, last) - Math.max(b0, first));
      add(b0, (requests * overlap) / (last - first));
    }
  };
  for (const r of rows) {
    if (r.requests <= 0) continue;
    const hours = profile.weights.get(r.id);
    const total = hours ? [...hours.values()].reduce((a, b) => a + b, 0) : 0;
    if (!hours || total <= 0) {
      spread(r.firstSeen, r.lastSeen, r.requests);
      continue;
    }
    // The hours the baseline keeps carry their share of the endpoint's life, shaped by the baseline.
    const coveredFrom = Math.max(r.firstSeen, Math.min(...hours.keys()));
    const life = Math.max(1, r.lastSeen - r.firstSeen);
    const coveredShare = r.lastSeen > r.firstSeen ? Math.min(1, Math.max(0, (r.lastSeen - coveredFrom) / life)) : 1;
    spread(r.firstSeen, coveredFrom, r.requests * (1 - coveredShare));
    for (const [hour, w] of hours) add(Math.max(hour, r.firstSeen), (r.requests * coveredShare * w) / total);
  }
  return values.map((value, i) => ({ t: start + i * bucket, value: Math.round(value) }));
}

const ENDPOINT_BASELINE_PREFIX = 'detection:endpoint:';

/** One scan of detection's per-endpoint hourly baselines (cached by the caller). */
export async function trafficProfile(store: Store): Promise<TrafficProfile> {
  const perHour = new Map<number, number>();
  const weights = new Map<string, Map<number, number>>();
  let cursor: string | undefined;
  do {
    const page = await store.meta.list({ prefix: ENDPOINT_BASELINE_PREFIX, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      const hours = asDoc(item.value).hours;
      const mine = new Map<number, number>();
      for (const h of Array.isArray(hours) ? hours : []) {
        const hour = num(asDoc(h).hour, Number.NaN);
        if (Number.isNaN(hour)) continue;
        const requests = asDoc(h).requests;
        perHour.set(hour, (perHour.get(hour) ?? 0) + num(asDoc(requests).n));
        mine.set(hour, (mine.get(hour) ?? 0) + sketchSum(requests));
      }
      if (mine.size > 0) weights.set(item.id.slice(ENDPOINT_BASELINE_PREFIX.length), mine);
    }
    cursor = page.cursor;
  } while (cursor);
  return { callers: [...perHour].sort((a, b) => a[0] - b[0]).map(([t, value]) => ({ t, value })), weights };
}

export async function buildOverview(model: ConsoleReadModel, now: number, profile: TrafficProfile): Promise<Overview> {
  const [endpointRows, entityRows, findingRows, actionRows] = await Promise.all([
    model.endpoints.rows(),
    model.entities.rows(),
    model.findings.rows(),
    model.actions.rows(),
  ]);
  const run = asDoc((await model.store.meta.get(['run'])).get('run')?.value);
  const analysed =
    run.records !== undefined
      ? {
          records: num(run.records),
          analysed: num(run.analysed),
          rejected: num(run.rejected),
          ...(typeof run.from === 'number' ? { from: run.from } : {}),
          ...(typeof run.to === 'number' ? { to: run.to } : {}),
        }
      : undefined;
  return summarize({
    endpointRows,
    entityRows,
    findingRows,
    actionRows,
    now,
    profile,
    ...(analysed ? { analysed } : {}),
  });
}

/** The overview from rows (the API's read model, or a report's lists). Pure. */
export function summarize(input: {
  endpointRows: readonly EndpointRow[];
  entityRows: readonly EntityRow[];
  findingRows: readonly FindingRow[];
  actionRows: readonly ActionRow[];
  now: number;
  profile?: TrafficProfile;
  analysed?: Overview['analysed'];
  /** Callers known in all (a report may list only the riskiest). Default: the rows. */
  entityCount?: number;
}): Overview {
  const { endpointRows, entityRows, findingRows, actionRows, now } = input;
  const profile = input.profile ?? EMPTY_PROFILE;
  const endpoints = endpointRows.filter((r) => !r.probe || r.classification === 'unused');
  const byClass = countBy(endpoints, (r) => r.classification);
  const classes = [
    ...CLASSIFICATIONS,
    ...[...byClass.keys()].filter((c) => !(CLASSIFICATIONS as readonly string[]).includes(c)),
  ];
  const open = findingRows.filter((f) => f.status === 'open');
  const bySeverity = countBy(open, (f) => f.severity);
  const active = actionRows.filter((a) => a.active);
  return {
    generatedAt: now,
    totals: {
      endpoints: endpoints.length,
      probes: endpointRows.length - endpoints.length,
      entities: input.entityCount ?? entityRows.length,
      requests: endpointRows.reduce((s, r) => s + r.requests, 0),
      openFindings: open.length,
      activeActions: active.length,
    },
    byClassification: classes.map((classification) => ({ classification, count: byClass.get(classification) ?? 0 })),
    openBySeverity: SEVERITY_ORDER.map((severity) => ({ severity, count: bySeverity.get(severity) ?? 0 })),
    openByType: [...countBy(open, (f) => f.type)].sort((a, b) => b[1] - a[1]).map(([type, count]) => ({ type, count })),
    activeByKind: [...countBy(active, (a) => a.kind)]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => ({ kind, count })),
    activeActions: [...active].sort((a, b) => b.createdAt - a.createdAt).slice(0, 10),
    traffic: profile.callers,
    requests: estimatedRequests(endpoints, profile),
    requestsEstimated: true,
    topEntities: [...entityRows].sort((a, b) => b.risk - a.risk || b.requests - a.requests).slice(0, 8),
    recentFindings: [...open]
      .sort(
        (a, b) =>
          SEVERITY_ORDER.indexOf(a.severity as never) - SEVERITY_ORDER.indexOf(b.severity as never) ||
          b.lastSeen - a.lastSeen,
      )
      .slice(0, 8),
    ...(input.analysed ? { analysed: input.analysed } : {}),
  };
}

export interface FindingView extends FindingRow {
  evidence: EvidenceLine[];
}

export function findingView(id: string, value: unknown): FindingView {
  return { ...findingRow(id, value), evidence: evidenceLines(asDoc(value).evidence) };
}

export interface HourlyBaselinePoint {
  hour: number;
  /** Callers active in the hour. */
  callers: number;
  /** Busiest 10 minutes of a typical caller (median) and of the busiest callers (90th percentile). */
  p50: number;
  p90: number;
}

export interface EndpointDetail {
  endpoint: EndpointRow;
  statuses: Record<string, number>;
  sources: Record<string, number>;
  latencyMs: { p50?: number; p90?: number; p99?: number };
  bytesOut: { p50?: number; p90?: number; p99?: number };
  parameters: Array<{ name: string; kind: string; example?: string }>;
  declaredTemplate?: string;
  zombieReason?: string;
  topCallers: Array<{ entity: string; requests: number }>;
  /** Per hour, callers and their busiest-10-minute figures, against the median of the kept hours. */
  hourly: HourlyBaselinePoint[];
  baselineCallers?: number;
  /** Detection's rate-limit recommendation (per caller per 10 minutes), once it rests on enough callers. */
  rateLimit?: { limit: number; confidence: number; basis: string };
  findings: FindingRow[];
}

function recommendationOf(baseline: Doc): EndpointDetail['rateLimit'] {
  if (!Array.isArray(baseline.hours) || baseline.hours.length === 0) return undefined;
  try {
    const r = rateRecommendation(baseline as unknown as EndpointBaseline);
    return r ? { limit: r.recommendedLimit, confidence: r.confidence, basis: r.basis } : undefined;
  } catch {
    // A baseline of an older shape: no recommendation rather than no page.
    return undefined;
  }
}

function quantile(sketch: unknown, q: number): number | undefined {
  const s = asDoc(sketch);
  const n = num(s.n);
  if (n <= 0) return undefined;
  const gamma = 1.02 / 0.98;
  const rank = Math.max(0, Math.min(n - 1, Math.floor(q * (n - 1))));
  let seen = num(s.z);
  if (rank < seen) return 0;
  const buckets = Object.entries(asDoc(s.b))
    .map(([k, c]) => [Number(k), num(c)] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [key, c] of buckets) {
    seen += c;
    if (seen > rank) return Math.round(((2 * gamma ** key) / (gamma + 1)) * 10) / 10;
  }
  return undefined;
}

function percentilesOf(sketch: unknown): { p50?: number; p90?: number; p99?: number } {
  const out: { p50?: number; p90?: number; p99?: number } = {};
  const p50 = quantile(sketch, 0.5);
  const p90 = quantile(sketch, 0.9);
  const p99 = quantile(sketch, 0.99);
  if (p50 !== undefined) out.p50 = p50;
  if (p90 !== undefined) out.p90 = p90;
  if (p99 !== undefined) out.p99 = p99;
  return out;
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(asDoc(value))) if (typeof v === 'number') out[k] = v;
  return out;
}

function parametersOf(doc: Doc): EndpointDetail['parameters'] {
  const raw = Array.isArray(doc.parameters) ? doc.parameters : Array.isArray(doc.params) ? doc.params : [];
  const fromDoc = raw.map((p) => {
    const d = asDoc(p);
    const example = strings(d.examples)[0] ?? str(d.example);
    const kind = strings(d.kinds).join(', ') || str(d.kind, str(d.type, 'string'));
    return { name: str(d.name, typeof p === 'string' ? p : '?'), kind, ...(example ? { example } : {}) };
  });
  if (fromDoc.length > 0) return fromDoc;
  // Before discovery stores parameters: the names in the template.
  const path = str(doc.template, str(doc.path));
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: (m[1] ?? '').replace(/\+$/, ''), kind: 'path' }));
}

function sameEndpoint(f: FindingRow, e: EndpointRow): boolean {
  return (
    f.endpoint !== undefined &&
    f.endpoint.host === e.host &&
    f.endpoint.method === e.method &&
    f.endpoint.path === e.path
  );
}

export async function endpointDetail(model: ConsoleReadModel, id: string): Promise<EndpointDetail | undefined> {
  const hit = (await model.store.endpoints.get([id])).get(id);
  if (!hit) return undefined;
  const doc = asDoc(hit.value);
  const endpoint = endpointRow(id, doc);
  const baselineId = `${ENDPOINT_BASELINE_PREFIX}${id}`;
  const baseline = asDoc((await model.store.meta.get([baselineId])).get(baselineId)?.value);
  const hours = Array.isArray(baseline.hours) ? baseline.hours : [];
  const hourly = hours
    .map((h) => {
      const d = asDoc(h);
      return {
        hour: num(d.hour),
        callers: num(asDoc(d.requests).n),
        p50: quantile(d.requests, 0.5) ?? 0,
        p90: quantile(d.requests, 0.9) ?? 0,
      };
    })
    .sort((a, b) => a.hour - b.hour);
  const callers = hourly.map((h) => h.callers).sort((a, b) => a - b);
  const rateLimit = recommendationOf(baseline);
  const classification = asDoc(doc.classification);
  const callerCounts = numbers(doc.callers);
  const findings = (await model.findings.rows()).filter((f) => sameEndpoint(f, endpoint));
  const declaredTemplate = str(doc.declaredTemplate, str(classification.declaredTemplate));
  const zombieReason = str(doc.zombieReason, str(classification.zombieReason));
  return {
    endpoint,
    statuses: numbers(doc.statuses),
    sources: numbers(doc.sources),
    latencyMs: percentilesOf(doc.latencyMs),
    bytesOut: percentilesOf(doc.bytesOut),
    parameters: parametersOf(doc),
    ...(declaredTemplate ? { declaredTemplate } : {}),
    ...(zombieReason ? { zombieReason } : {}),
    topCallers: Object.entries(callerCounts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 10)
      .map(([entity, requests]) => ({ entity, requests })),
    hourly,
    ...(callers.length > 0 ? { baselineCallers: callers[Math.floor((callers.length - 1) / 2)] as number } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    findings: findings.sort((a, b) => b.lastSeen - a.lastSeen),
  };
}

export interface EntityEndpointUse {
  endpoint: string;
  firstSeen: number;
  lastSeen: number;
  requests: number;
  /** Requests in its latest 10-minute window, and its own earlier peak (its baseline). */
  latestWindow: number;
  ownPeak: number;
  denied: number;
  notFound: number;
}

export interface EntityDetail {
  entity: EntityRow;
  statusCounts: Record<string, number>;
  links: { ips: string[]; apiKeys: string[]; principals: string[] };
  userAgents: string[];
  countries: string[];
  asns: string[];
  /** Requests per 10-minute window (its last windows on every endpoint) against its own earlier peak. */
  timeline: Array<{ t: number; requests: number }>;
  ownPeak: number;
  events: Array<{ t: number; what: string }>;
  endpoints: EntityEndpointUse[];
  findings: FindingView[];
  actions: ActionRow[];
  audit: AuditRow[];
}

/** An action applies to an entity when it names its key or its bare id (an address, a key id). */
export function actionTargets(action: ActionRow, entity: EntityRow): boolean {
  return action.target === entity.id || action.target === entity.name;
}

export async function entityDetail(model: ConsoleReadModel, id: string): Promise<EntityDetail | undefined> {
  let stored = await readCaller(model.store, id, model.packOf.get(id));
  // A packed caller is found through the list's scan: a link may be followed before any list was shown.
  if (!stored && !model.packOf.has(id)) {
    await model.entities.rows();
    stored = await readCaller(model.store, id, model.packOf.get(id));
  }
  if (!stored) return undefined;
  const doc = asDoc(stored);
  const entity = entityRow(id, doc);
  const baseline = asDoc(doc.baseline);
  const windows = new Map<number, number>();
  const endpoints: EntityEndpointUse[] = [];
  let ownPeak = 0;
  for (const [key, value] of Object.entries(asDoc(baseline.endpoints))) {
    const s = asDoc(value);
    const window = num(s.window);
    const current = num(asDoc(s.current).requests);
    const previous = s.previous !== undefined ? num(asDoc(s.previous).requests) : undefined;
    const own = num(asDoc(s.own).requests);
    ownPeak += own;
    if (window > 0) windows.set(window, (windows.get(window) ?? 0) + current);
    if (previous !== undefined) windows.set(window - WINDOW_MS, (windows.get(window - WINDOW_MS) ?? 0) + previous);
    const total = asDoc(s.total);
    endpoints.push({
      endpoint: key,
      firstSeen: num(s.firstSeen),
      lastSeen: num(s.lastSeen),
      requests: num(total.requests),
      latestWindow: current,
      ownPeak: own,
      denied: num(total.denied),
      notFound: num(total.notFound),
    });
  }
  endpoints.sort((a, b) => b.requests - a.requests);
  if (windows.size === 0) {
    // No per-endpoint history (a caller that only probed paths that do not exist): its entity-wide windows.
    const window = num(baseline.window);
    if (window > 0) windows.set(window, num(asDoc(baseline.current).requests));
    if (window > 0 && baseline.previous !== undefined)
      windows.set(window - WINDOW_MS, num(asDoc(baseline.previous).requests));
  }
  const [findingRows, actionRows, auditRows] = await Promise.all([
    model.findings.rows(),
    model.actions.rows(),
    model.audit.rows(),
  ]);
  const findingIdsOfEntity = findingRows.filter((f) => f.entity === id).map((f) => f.id);
  const findingDocs = findingIdsOfEntity.length > 0 ? await model.store.findings.get(findingIdsOfEntity) : new Map();
  const findings = [...findingDocs]
    .map(([fid, v]) => findingView(fid, v.value))
    .sort((a, b) => b.lastSeen - a.lastSeen);
  const actions = actionRows.filter((a) => actionTargets(a, entity)).sort((a, b) => b.createdAt - a.createdAt);
  const actionIds = new Set(actions.map((a) => a.id));
  const findingIds = new Set(findings.map((f) => f.id));
  const audit = auditRows
    .filter(
      (a) =>
        a.target === id ||
        a.target === entity.name ||
        actionIds.has(a.target) ||
        findingIds.has(a.target) ||
        findingIds.has(a.findingId),
    )
    .sort((a, b) => b.time - a.time)
    .slice(0, 50);
  const events: EntityDetail['events'] = [{ t: entity.firstSeen, what: 'First seen' }];
  for (const f of findings) events.push({ t: f.firstSeen, what: `Finding: ${f.type} (${f.severity})` });
  for (const a of actions) events.push({ t: a.createdAt, what: `${a.kind} (${a.status})` });
  events.push({ t: entity.lastSeen, what: 'Last seen' });
  events.sort((a, b) => a.t - b.t);
  const links = asDoc(doc.links);
  return {
    entity,
    statusCounts: numbers(doc.statusCounts),
    links: { ips: strings(links.ips), apiKeys: strings(links.apiKeys), principals: strings(links.principals) },
    userAgents: strings(doc.userAgents),
    countries: Object.keys(asDoc(baseline.countries)),
    asns: Object.keys(asDoc(baseline.asns)),
    timeline: [...windows].sort((a, b) => a[0] - b[0]).map(([t, requests]) => ({ t, requests })),
    ownPeak,
    events,
    endpoints,
    findings,
    actions,
    audit,
  };
}
