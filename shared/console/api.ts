/**
 * The console API: one framework-neutral request handler, served by the local server (infra/console/server.ts)
 * and by the console Lambda (functions/console-api/handler.ts). Ids travel in the query string or the JSON body,
 * never in the path, so that ids containing `/` (endpoint templates) survive every proxy unchanged.
 *
 *   GET  /api/session                       what this console may do
 *   GET  /api/overview
 *   GET  /api/endpoints?q&classification&method&host&flag&probe&sort&order&limit&cursor
 *   GET  /api/endpoints.csv  /api/endpoints.openapi.json   (same filters, every match)
 *   GET  /api/endpoint?id=
 *   GET  /api/entities?q&type&risk&sort&order&limit&cursor  GET /api/entity?id=
 *   GET  /api/findings?q&status&severity&type&entity&sort…  GET /api/finding?id=
 *   GET  /api/actions?q&active&kind&sort…                   GET /api/audit?q&sort…
 *   POST /api/findings/acknowledge {id}   /api/findings/resolve {id}
 *   POST /api/actions/unblock {id}        /api/actions/extend {id, ms}   /api/entities/allowlist {id}
 */
import type { Clock } from '../ports/clock.js';
import {
  type ActionContext,
  ActionsUnavailableError,
  ConsoleActionError,
  type ConsoleActions,
  MAX_EXTEND_MS,
} from './actions.js';
import {
  buildOverview,
  endpointDetail,
  entityDetail,
  findingView,
  type TrafficProfile,
  trafficProfile,
} from './details.js';
import { endpointsCsv, endpointsOpenApi } from './export.js';
import { facet, type ListSpec, parseListParams, QueryError, runList } from './query.js';
import type { ConsoleReadModel } from './read-model.js';
import type { ActionRow, AuditRow, EndpointRow, EntityRow, FindingRow } from './rows.js';

export interface ConsoleRequest {
  method: string;
  /** Path without the query string, e.g. `/api/endpoints`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body of a POST (undefined when none). */
  body?: unknown;
  /** Who is asking (from the token or the Cognito claims); recorded by every action. */
  actor: string;
}

export interface ConsoleResponse {
  status: number;
  /** JSON-serialisable, or a string for the exports. */
  body: unknown;
  contentType?: string;
  /** Set for downloads (Content-Disposition). */
  filename?: string;
}

export interface ConsoleApiOptions {
  model: ConsoleReadModel;
  clock: Clock;
  /** The response module behind the action buttons; absent: every action answers 501. */
  actions?: ConsoleActions;
  /** How long the overview's traffic series is reused. Default 30 s. */
  trafficMaxAgeMs?: number;
}

const SEVERITY_RANK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };
/** Exports stop here: larger inventories are filtered first. */
export const MAX_EXPORT_ROWS = 50_000;

export const ENDPOINT_LIST: ListSpec<EndpointRow> = {
  filters: {
    classification: (r) => r.classification,
    method: (r) => r.method,
    host: (r) => r.host,
    flag: (r) => [
      ...r.sensitive.map((s) => `sensitive:${s}`),
      ...(r.sensitive.length > 0 ? ['sensitive'] : []),
      ...(r.unauthenticated ? ['unauthenticated'] : []),
    ],
    probe: (r) => r.probe,
  },
  sorts: {
    requests: (r) => r.requests,
    path: (r) => r.path,
    host: (r) => r.host,
    method: (r) => r.method,
    classification: (r) => r.classification,
    authShare: (r) => r.authShare,
    errorRate: (r) => r.errorRate,
    lastSeen: (r) => r.lastSeen,
    firstSeen: (r) => r.firstSeen,
  },
  search: (r) => `${r.host} ${r.method} ${r.path}`,
  defaultSort: 'requests',
  defaultOrder: 'desc',
  id: (r) => r.id,
};

export const ENTITY_LIST: ListSpec<EntityRow> = {
  filters: {
    type: (r) => r.type,
    /** high ≥ 70, medium ≥ 30, low > 0, none. */
    risk: (r) => (r.risk >= 70 ? 'high' : r.risk >= 30 ? 'medium' : r.risk > 0 ? 'low' : 'none'),
  },
  sorts: {
    risk: (r) => r.risk * 1e12 + Math.min(r.requests, 1e12 - 1),
    requests: (r) => r.requests,
    errorRate: (r) => r.errorRate,
    lastSeen: (r) => r.lastSeen,
    firstSeen: (r) => r.firstSeen,
    name: (r) => r.name,
  },
  search: (r) => `${r.id} ${r.userAgent}`,
  defaultSort: 'risk',
  defaultOrder: 'desc',
  id: (r) => r.id,
};

export const FINDING_LIST: ListSpec<FindingRow> = {
  filters: { status: (r) => r.status, severity: (r) => r.severity, type: (r) => r.type, entity: (r) => r.entity },
  sorts: {
    severity: (r) => (SEVERITY_RANK[r.severity] ?? 0) * 10 + r.confidence,
    lastSeen: (r) => r.lastSeen,
    firstSeen: (r) => r.firstSeen,
    confidence: (r) => r.confidence,
    type: (r) => r.type,
  },
  search: (r) => `${r.type} ${r.entity} ${r.endpoint ? `${r.endpoint.method} ${r.endpoint.path}` : ''} ${r.summary}`,
  defaultSort: 'severity',
  defaultOrder: 'desc',
  id: (r) => r.id,
};

export const ACTION_LIST: ListSpec<ActionRow> = {
  filters: { active: (r) => r.active, kind: (r) => r.kind, mode: (r) => r.mode },
  sorts: {
    createdAt: (r) => r.createdAt,
    expiresAt: (r) => r.expiresAt ?? Number.MAX_SAFE_INTEGER,
    kind: (r) => r.kind,
    target: (r) => r.target,
  },
  search: (r) => `${r.kind} ${r.target} ${r.reason} ${r.findingId}`,
  defaultSort: 'createdAt',
  defaultOrder: 'desc',
  id: (r) => r.id,
};

export const AUDIT_LIST: ListSpec<AuditRow> = {
  filters: { actor: (r) => r.actor, action: (r) => r.action, target: (r) => r.target, finding: (r) => r.findingId },
  sorts: { time: (r) => r.time },
  search: (r) => `${r.actor} ${r.action} ${r.target} ${r.detail} ${r.findingId}`,
  defaultSort: 'time',
  defaultOrder: 'desc',
  id: (r) => r.id,
};

const json = (status: number, body: unknown): ConsoleResponse => ({ status, body });
const notFound = (what: string) => json(404, { error: `${what} not found` });

function idParam(request: ConsoleRequest): string {
  const fromQuery = request.query.get('id');
  const body = request.body as { id?: unknown } | undefined;
  const id = fromQuery ?? (typeof body?.id === 'string' ? body.id : undefined);
  if (id === undefined || id.length === 0 || id.length > 2048)
    throw new QueryError('id is required (at most 2048 characters)');
  return id;
}

/** The endpoint list is of endpoints: paths that never answered are shown only when `probe=true` is asked for. */
function endpointQuery(query: URLSearchParams): URLSearchParams {
  if (query.has('probe')) return query;
  const copy = new URLSearchParams(query);
  copy.set('probe', 'false');
  return copy;
}

export function createConsoleApi(options: ConsoleApiOptions): (request: ConsoleRequest) => Promise<ConsoleResponse> {
  const { model, clock, actions } = options;
  const trafficMaxAge = options.trafficMaxAgeMs ?? 30_000;
  let traffic: { at: number; series: Promise<TrafficProfile> } | undefined;
  const trafficSeries = (): Promise<TrafficProfile> => {
    const now = clock.now();
    if (!traffic || now - traffic.at >= trafficMaxAge) {
      const series = trafficProfile(model.store);
      traffic = { at: now, series };
      series.catch(() => {
        traffic = undefined;
      });
    }
    return traffic.series;
  };

  const act = async (
    request: ConsoleRequest,
    run: (a: ConsoleActions, context: ActionContext) => Promise<{ message: string }>,
  ) => {
    if (request.method !== 'POST') return json(405, { error: 'use POST' });
    if (!actions) throw new ActionsUnavailableError();
    const body = request.body as { note?: unknown } | undefined;
    const note = typeof body?.note === 'string' ? body.note.slice(0, 500) : undefined;
    const outcome = await run(actions, { actor: request.actor, ...(note ? { note } : {}) });
    model.invalidate();
    return json(200, outcome);
  };

  const routes: Record<string, (request: ConsoleRequest) => Promise<ConsoleResponse>> = {
    '/api/session': async (request) =>
      json(200, { actor: request.actor, actions: actions !== undefined, now: clock.now() }),
    '/api/overview': async () => json(200, await buildOverview(model, clock.now(), await trafficSeries())),
    '/api/endpoints': async (request) => {
      const rows = await model.endpoints.rows();
      const query = endpointQuery(request.query);
      const result = runList(rows, parseListParams(query, ENDPOINT_LIST), ENDPOINT_LIST);
      const endpoints = rows.filter((r) => !r.probe);
      return json(200, {
        ...result,
        facets: {
          classification: facet(endpoints, (r) => r.classification),
          method: facet(endpoints, (r) => r.method),
          host: facet(endpoints, (r) => r.host),
        },
      });
    },
    '/api/endpoints.csv': async (request) => {
      const rows = await model.endpoints.rows();
      const query = endpointQuery(request.query);
      query.set('limit', '1');
      const params = { ...parseListParams(query, ENDPOINT_LIST), limit: MAX_EXPORT_ROWS, offset: 0 };
      const { items } = runList(rows, params, ENDPOINT_LIST);
      return {
        status: 200,
        body: endpointsCsv(items),
        contentType: 'text/csv; charset=utf-8',
        filename: 'lantern-inventory.csv',
      };
    },
    '/api/endpoints.openapi.json': async (request) => {
      const rows = await model.endpoints.rows();
      const query = endpointQuery(request.query);
      query.set('limit', '1');
      const params = { ...parseListParams(query, ENDPOINT_LIST), limit: MAX_EXPORT_ROWS, offset: 0 };
      const { items } = runList(rows, params, ENDPOINT_LIST);
      return { status: 200, body: endpointsOpenApi(items), filename: 'lantern-openapi.json' };
    },
    '/api/endpoint': async (request) => {
      const detail = await endpointDetail(model, idParam(request));
      return detail ? json(200, detail) : notFound('endpoint');
    },
    '/api/entities': async (request) => {
      const rows = await model.entities.rows();
      return json(200, {
        ...runList(rows, parseListParams(request.query, ENTITY_LIST), ENTITY_LIST),
        facets: { type: facet(rows, (r) => r.type) },
      });
    },
    '/api/entity': async (request) => {
      const detail = await entityDetail(model, idParam(request));
      return detail ? json(200, detail) : notFound('entity');
    },
    '/api/findings': async (request) => {
      const rows = await model.findings.rows();
      return json(200, {
        ...runList(rows, parseListParams(request.query, FINDING_LIST), FINDING_LIST),
        facets: {
          status: facet(rows, (r) => r.status),
          severity: facet(rows, (r) => r.severity),
          type: facet(rows, (r) => r.type),
        },
      });
    },
    '/api/finding': async (request) => {
      const id = idParam(request);
      const hit = (await model.store.findings.get([id])).get(id);
      return hit ? json(200, findingView(id, hit.value)) : notFound('finding');
    },
    '/api/actions': async (request) =>
      json(200, runList(await model.actions.rows(), parseListParams(request.query, ACTION_LIST), ACTION_LIST)),
    '/api/audit': async (request) =>
      json(200, runList(await model.audit.rows(), parseListParams(request.query, AUDIT_LIST), AUDIT_LIST)),
    '/api/findings/acknowledge': (request) => act(request, (a, c) => a.acknowledge(idParam(request), c)),
    '/api/findings/resolve': (request) => act(request, (a, c) => a.resolve(idParam(request), c)),
    '/api/actions/unblock': (request) => act(request, (a, c) => a.unblock(idParam(request), c)),
    '/api/actions/extend': (request) =>
      act(request, (a, c) => {
        const ms = (request.body as { ms?: unknown } | undefined)?.ms;
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0 || ms > MAX_EXTEND_MS) {
          throw new QueryError(`ms must be a whole number of milliseconds, 1..${MAX_EXTEND_MS}`);
        }
        return a.extend(idParam(request), ms, c);
      }),
    '/api/entities/allowlist': (request) =>
      act(request, (a, c) => {
        const id = idParam(request);
        const colon = id.indexOf(':');
        if (colon <= 0) throw new QueryError('id must be an entity key (type:id)');
        return a.allowlist({ type: id.slice(0, colon), id: id.slice(colon + 1) }, c);
      }),
  };

  return async (request) => {
    const route = Object.hasOwn(routes, request.path) ? routes[request.path] : undefined;
    if (!route) return notFound('route');
    const isAction = request.method === 'POST';
    if (!isAction && request.method !== 'GET' && request.method !== 'HEAD')
      return json(405, { error: 'method not allowed' });
    if (isAction && !request.path.includes('/', 5)) return json(405, { error: 'method not allowed' });
    try {
      return await route(request);
    } catch (error: unknown) {
      if (error instanceof QueryError) return json(400, { error: error.message });
      if (error instanceof ConsoleActionError) return json(error.status, { error: error.message });
      throw error;
    }
  };
}
