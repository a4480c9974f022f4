/**
 * An OpenAPI 3 skeleton of the observed API: one path per template, one operation per method,
 * path parameters typed from what the templater saw. Pure: returns an object to serialise.
 * A user diffs it against their own spec.
 */
import type { ParamKind } from './segments.js';
import { templateParamNames, templateSegments } from './template.js';

export interface ExportEndpoint {
  host: string;
  method: string;
  template: string;
  /** Kinds per parameter name, when known. */
  params?: Array<{ name: string; kind: ParamKind }>;
  requests?: number;
  /** Status class -> count (`2xx`: 120). */
  statusCounts?: Partial<Record<string, number>>;
  /** Classification, exported as `x-lantern-status`. */
  status?: string;
  firstSeen?: number;
  lastSeen?: number;
  /** Share of requests that carried a credential, 0..1. */
  authenticatedShare?: number;
  /** Kinds of sensitive data seen in its URLs (never values). */
  sensitiveData?: readonly string[];
}

/** The methods an OpenAPI path item has a slot for; others (WebDAV's PROPFIND, a scanner's FOO) cannot be exported. */
const OPENAPI_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

export interface ExportOptions {
  title?: string;
  version?: string;
}

type Schema = { type: string; format?: string; pattern?: string };

function schemaFor(kind: ParamKind | undefined): Schema {
  switch (kind) {
    case 'int':
      return { type: 'integer' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'ulid':
      return { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' };
    case 'objectid':
      return { type: 'string', pattern: '^[0-9a-f]{24}$' };
    case 'hex':
      return { type: 'string', pattern: '^[0-9a-f]+$' };
    default:
      return { type: 'string' };
  }
}

/** OpenAPI path keys cannot express greedy parameters: `{path+}` is exported as `{path}` with `x-lantern-greedy`. */
function openApiPath(template: string): string {
  return `/${templateSegments(template)
    .map((s) => s.replace(/\{([^{}]*?)\+\}/g, '{$1}'))
    .join('/')}`;
}

export function exportOpenApi(
  endpoints: readonly ExportEndpoint[],
  options: ExportOptions = {},
): Record<string, unknown> {
  // An empty host (API Gateway logs without a domain name) is not a server.
  const hosts = [...new Set(endpoints.map((e) => e.host).filter((h) => h !== ''))].sort();
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...endpoints].sort((a, b) =>
    a.template === b.template ? (a.method < b.method ? -1 : 1) : a.template < b.template ? -1 : 1,
  );
  let skipped = 0;
  for (const e of sorted) {
    if (!OPENAPI_METHODS.has(e.method.toLowerCase())) {
      skipped++;
      continue;
    }
    const key = openApiPath(e.template);
    const item = paths[key] ?? {};
    paths[key] = item;
    const kinds = new Map((e.params ?? []).map((p) => [p.name, p.kind]));
    const greedy = new Set([...e.template.matchAll(/\{([^{}]*?)\+\}/g)].map((m) => m[1] as string));
    const parameters = templateParamNames(e.template).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: schemaFor(kinds.get(name)),
      ...(kinds.get(name) ? { 'x-lantern-kind': kinds.get(name) } : {}),
      ...(greedy.has(name) ? { 'x-lantern-greedy': true } : {}),
    }));
    const responses: Record<string, unknown> = {};
    for (const [cls, count] of Object.entries(e.statusCounts ?? {})) {
      if (!count || !/^[1-5]xx$/.test(cls)) continue;
      responses[cls.toUpperCase()] = { description: `${count} observed` };
    }
    if (Object.keys(responses).length === 0) responses.default = { description: 'observed' };
    item[e.method.toLowerCase()] = {
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
      ...(hosts.length > 1 && e.host !== '' ? { servers: [{ url: `https://${e.host}` }] } : {}),
      ...(e.requests !== undefined ? { 'x-lantern-requests': e.requests } : {}),
      ...(e.status ? { 'x-lantern-status': e.status } : {}),
      ...(e.firstSeen !== undefined ? { 'x-lantern-first-seen': new Date(e.firstSeen).toISOString() } : {}),
      ...(e.lastSeen !== undefined ? { 'x-lantern-last-seen': new Date(e.lastSeen).toISOString() } : {}),
      ...(e.authenticatedShare !== undefined
        ? { 'x-lantern-authenticated-share': Math.round(e.authenticatedShare * 1000) / 1000 }
        : {}),
      ...(e.sensitiveData && e.sensitiveData.length > 0 ? { 'x-lantern-sensitive-data': [...e.sensitiveData] } : {}),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: options.title ?? 'Observed API (Lantern discovery)', version: options.version ?? 'observed' },
    servers: hosts.map((h) => ({ url: `https://${h}` })),
    paths,
    ...(skipped > 0 ? { 'x-lantern-skipped-methods': skipped } : {}),
  };
}
