import type { Store } from '../ports/store.js';
import { typed } from '../ports/store.js';
import type { EntityType } from '../baselines/entity.js';
import type { Finding } from '../detection/finding.js';
import { loadRateRecommendations, type RateRecommendation } from '../detection/rate-recommendations.js';
import { hasSucceeded, percentiles, topCallers } from '../discovery/inventory.js';
import type { RejectionReason, Rejection } from '../events/api-event.js';
import { emptyRunStats } from './run-stats.js';
import { RUN_STATS_ID, type StoredEndpoint, type StoredEntity, type StoredRunStats } from './analyze.js';

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
    controlMessages: number;
  };
  endpoints: ReportEndpoint[];
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
  classification: string;
  requests: number;
  firstSeen: string;
  lastSeen: string;
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

async function listAll<T>(collection: ReturnType<typeof typed<T>>): Promise<Array<{ id: string; value: T }>> {
  const all: Array<{ id: string; value: T }> = [];
  let cursor: string | undefined;
  do {
    const page = await collection.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

export interface ReportOptions {
  /** At most this many entities, highest risk then most requests first (0 = all). */
  maxEntities?: number;
}

export async function buildReport(store: Store, options: ReportOptions = {}): Promise<Report> {
  const run = (await typed<StoredRunStats>(store.meta).get([RUN_STATS_ID])).get(RUN_STATS_ID)?.value ?? emptyRunStats();
  const endpointDocs = await listAll(typed<StoredEndpoint>(store.endpoints));
  const entityDocs = await listAll(typed<StoredEntity>(store.entities));
  const findingDocs = await listAll(typed<Finding>(store.findings));

  let probeRequests = 0;
  const endpoints: ReportEndpoint[] = [];
  for (const { value: e } of endpointDocs) {
    if (!hasSucceeded(e)) {
      probeRequests += e.requests;
      continue;
    }
    endpoints.push({
      host: e.host,
      method: e.method,
      path: e.path,
      classification: 'unknown',
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
  endpoints.sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path));

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
      endpoints: endpoints.length,
      entities: entityDocs.length,
      findings: findings.length,
      ...(run.from !== undefined ? { from: iso(run.from) } : {}),
      ...(run.to !== undefined ? { to: iso(run.to) } : {}),
      probeRequests,
      controlMessages: run.controlMessages,
    },
    endpoints,
    entities,
    findings,
    rateRecommendations: await loadRateRecommendations(store),
    rejections: { total: run.rejected, byReason: run.byReason, samples: run.samples },
  };
}
