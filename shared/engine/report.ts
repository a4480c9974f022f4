import type { EntityType } from '../baselines/entity.js';
import type { Finding } from '../detection/finding.js';
import { loadRateRecommendations, type RateRecommendation } from '../detection/rate-recommendations.js';
import type { DeclaredSpecs } from '../discovery/classify.js';
import { classifyEndpoints, type EndpointStatus, endpointFlags, type ZombieReason } from '../discovery/classify.js';
import { hasSucceeded, percentiles, topCallers } from '../discovery/inventory.js';
import type { ParamKind } from '../discovery/segments.js';
import type { SensitiveKind } from '../discovery/sensitive.js';
import type { HostState } from '../discovery/templater.js';
import type { Rejection, RejectionReason } from '../events/api-event.js';
import type { Store } from '../ports/store.js';
import { listAll, typed } from '../ports/store.js';
import { loadRunStats, type StoredEndpoint } from './analyze.js';
import { listCallers } from './callers.js';
import { DECLARED_ID } from './discovery-state.js';

/**
 * The report contract of `lantern analyze --json`. Names are stable: later work adds fields, never renames.
 * Times are ISO 8601 strings (UTC).
 */
export interface Report {
  summary: {
    records: number;
    analysed: number;
    rejected: number;
    endpoints: number;
    entities: number;
    findings: number;
    from?: string;
    to?: string;
    /** Requests to paths that never answered successfully (scanners probing `/.env`): not endpoints, counted apart. */
    probeRequests: number;
    /** Requests for static assets (scripts, images, fonts): not APIs, counted apart. */
    assetRequests: number;
    /** Requests folded into per-prefix buckets once a host reached its endpoint budget (random-path floods). */
    overflowRequests: number;
    /** Endpoints by classification (declared-but-unused ones included). */
    classifications: Partial<Record<EndpointStatus, number>>;
    controlMessages: number;
  };
  endpoints: ReportEndpoint[];
  /** The paths most probed without ever succeeding, per host (not endpoints). */
  probes: Array<{ host: string; path: string; requests: number }>;
  entities: ReportEntity[];
  findings: ReportFinding[];
  /** Per-endpoint rate-limit recommendations (per identity per 10 minutes), the throttling input (issue #4). */
  rateRecommendations: RateRecommendation[];
  rejections: { total: number; byReason: Partial<Record<RejectionReason, number>>; samples: Rejection[] };
}

export interface ReportEndpoint {
  host: string;
  method: string;
  path: string;
  /** managed (declared and seen) · shadow (seen, not declared) · zombie · unused (declared, no traffic) · unknown (nothing declared). */
  classification: EndpointStatus;
  /** The declared template it matched (for an older version: the newer declared one). */
  declaredTemplate?: string;
  zombieReason?: ZombieReason;
  /** How discovery formed this template: which segment, how many distinct values, which kinds, which templates it absorbed. */
  merges?: NonNullable<StoredEndpoint['merges']>;
  /** The template's parameters with the kinds of value seen. */
  params: Array<{ name: string; kinds: ParamKind[] }>;
  /** Answered 2xx without any credential; kinds of sensitive data seen in its URLs (never the values). */
  flags: { unauthenticated: boolean; unauthenticatedShare: number; sensitiveData: SensitiveKind[] };
  requests: number;
  /** Absent for declared endpoints that received no traffic. */
  firstSeen?: string;
  lastSeen?: string;
  statusCounts: Record<string, number>;
  authenticatedShare: number;
  latencyMs: { p50?: number; p90?: number; p99?: number };
  bytesOut: { p50?: number; p90?: number; p99?: number };
  sources: string[];
  topCallers: Array<{ entity: string; requests: number }>;
}

export interface ReportEntity {
  type: EntityType;
  id: string;
  requests: number;
  risk: number;
  firstSeen: string;
  lastSeen: string;
  statusCounts: Record<string, number>;
  links: { ips: string[]; apiKeys: string[]; principals: string[] };
}

export type ReportFinding = Omit<Finding, 'firstSeen' | 'lastSeen'> & { firstSeen: string; lastSeen: string };

const iso = (ms: number) => new Date(ms).toISOString();

export interface ReportOptions {
  /** At most this many entities, highest risk then most requests first (0 = all). */
  maxEntities?: number;
}

export async function buildReport(store: Store, options: ReportOptions = {}): Promise<Report> {
  const run = await loadRunStats(store);
  const endpointDocs = await listAll(typed<StoredEndpoint>(store.endpoints));
  const entityDocs = await listCallers(store);
  const findingDocs = await listAll(typed<Finding>(store.findings));
  const hostDocs = await listAll(typed<HostState>(store.discovery), 'host:');
  const declared = (await typed<DeclaredSpecs>(store.discovery).get([DECLARED_ID])).get(DECLARED_ID)?.value ?? {
    current: [],
  };

  let probeRequests = 0;
  let assetRequests = 0;
  let overflowRequests = 0;
  const probes: Report['probes'] = [];
  for (const { id, value: h } of hostDocs) {
    const host = id.slice('host:'.length);
    probeRequests += h.unconfirmed.total;
    assetRequests += h.assets;
    overflowRequests += Object.values(h.overflow).reduce((a, b) => a + b, 0);
    for (const [path, requests] of Object.entries(h.unconfirmed.top)) probes.push({ host, path, requests });
  }
  probes.sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));

  const served = endpointDocs
    .map((d) => d.value)
    .filter((e) => {
      if (hasSucceeded(e)) return true;
      probeRequests += e.requests;
      return false;
    });
  // Classified now, against the declared APIs as they are now (they may have changed since the traffic).
  const classes = classifyEndpoints(
    served.map((e) => ({ host: e.host, method: e.method, template: e.path, requests: e.requests })),
    declared,
  );
  const endpoints: ReportEndpoint[] = [];
  for (let i = 0; i < served.length; i++) {
    const e = served[i] as StoredEndpoint;
    const c = classes[i];
    const success = e.statusCounts['2xx'] ?? 0;
    endpoints.push({
      host: e.host,
      method: e.method,
      path: e.path,
      classification: c?.status ?? 'unknown',
      ...(c?.declaredTemplate !== undefined ? { declaredTemplate: c.declaredTemplate } : {}),
      ...(c?.zombieReason !== undefined ? { zombieReason: c.zombieReason } : {}),
      params: (e.params ?? []).map((p) => ({ name: p.name, kinds: p.kinds })),
      ...(e.merges ? { merges: e.merges } : {}),
      flags: endpointFlags({
        success,
        unauthenticatedSuccess: e.unauthenticatedSuccess ?? 0,
        ...(e.sensitive ? { sensitive: e.sensitive } : {}),
      }),
      requests: e.requests,
      firstSeen: iso(e.firstSeen),
      lastSeen: iso(e.lastSeen),
      statusCounts: { ...e.statusCounts } as Record<string, number>,
      authenticatedShare: e.requests > 0 ? Math.round((e.authenticated / e.requests) * 1000) / 1000 : 0,
      latencyMs: percentiles(e.latencyMs),
      bytesOut: percentiles(e.bytesOut),
      sources: Object.keys(e.sources).sort(),
      topCallers: topCallers(e),
    });
  }
  for (const c of classes.slice(served.length)) {
    endpoints.push({
      host: c.host,
      method: c.method,
      path: c.template,
      classification: c.status,
      ...(c.declaredTemplate !== undefined ? { declaredTemplate: c.declaredTemplate } : {}),
      params: [],
      flags: { unauthenticated: false, unauthenticatedShare: 0, sensitiveData: [] },
      requests: 0,
      statusCounts: {},
      authenticatedShare: 0,
      latencyMs: {},
      bytesOut: {},
      sources: [],
      topCallers: [],
    });
  }
  endpoints.sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));
  const classifications: Report['summary']['classifications'] = {};
  for (const e of endpoints) classifications[e.classification] = (classifications[e.classification] ?? 0) + 1;

  let entities: ReportEntity[] = entityDocs.map(({ value: e }) => ({
    type: e.type,
    id: e.id,
    requests: e.requests,
    risk: e.risk,
    firstSeen: iso(e.firstSeen),
    lastSeen: iso(e.lastSeen),
    statusCounts: e.statusCounts,
    links: e.links,
  }));
  entities.sort((a, b) => b.risk - a.risk || b.requests - a.requests || a.id.localeCompare(b.id));
  if (options.maxEntities) entities = entities.slice(0, options.maxEntities);

  const findings: ReportFinding[] = findingDocs
    .map(({ value: f }) => ({ ...f, firstSeen: iso(f.firstSeen), lastSeen: iso(f.lastSeen) }))
    .sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));

  return {
    summary: {
      records: run.records,
      analysed: run.analysed,
      rejected: run.rejected,
      endpoints: endpoints.filter((e) => e.requests > 0).length,
      entities: entityDocs.length,
      findings: findings.length,
      ...(run.from !== undefined ? { from: iso(run.from) } : {}),
      ...(run.to !== undefined ? { to: iso(run.to) } : {}),
      probeRequests,
      assetRequests,
      overflowRequests,
      classifications,
      controlMessages: run.controlMessages,
    },
    endpoints,
    probes: probes.slice(0, 50),
    entities,
    findings,
    rateRecommendations: await loadRateRecommendations(store),
    rejections: { total: run.rejected, byReason: run.byReason, samples: run.samples },
  };
}
