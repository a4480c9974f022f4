/**
 * Declared APIs: what the organisation says it serves, as declared operations.
 * Sources: OpenAPI 3 / Swagger 2 text (JSON or YAML), API Gateway REST resources (`GetResources`
 * items) and HTTP API routes (`GetRoutes` items). Pure: the caller reads files or calls the SDK.
 */
import { parse as parseYaml } from 'yaml';
import { classifySegment, isVersionSegment } from './segments.js';
import {
  isParamSegment,
  matchTemplate,
  normalizeTemplate,
  specificity,
  type TemplateMatch,
  templateSegments,
} from './template.js';

export interface DeclaredParameter {
  name: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  pattern?: string;
}

export interface DeclaredOperation {
  /** The host the operation is served on, when the spec says (first server); absent: any host. */
  host?: string;
  /** Every host the spec lists for it (several servers). */
  hosts?: string[];
  /** Upper-case method; `ANY` for an API Gateway `ANY` method. */
  method: string;
  /** Full path template, server path prefix included (`/2.0/files/{file_id}`); `{name+}` is greedy. */
  template: string;
  deprecated: boolean;
  /** The spec's `info.version`, or the gateway stage. */
  version?: string;
  operationId?: string;
  /** Path parameters (for traffic generation and the export). */
  parameters: DeclaredParameter[];
  /** How many spec keys collapsed into this one (fragment keys, parameter-name variants). */
  variants: number;
  /** `apigateway`: synced from API Gateway by the sweeper, which replaces only these; absent: a spec file. */
  source?: 'apigateway';
}

export interface DeclaredApi {
  title?: string;
  version?: string;
  operations: DeclaredOperation[];
  /** Path keys not turned into operations, and why (`/<upload_url>`: a placeholder). */
  skipped: Array<{ key: string; reason: string }>;
}

export class DeclaredSpecError extends Error {
  override readonly name = 'DeclaredSpecError';
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Names of parameters that carry a `/` when they end a template (`…/proxy/{path}`, `…/raw/{filepath}`). */
function isSlashSpanningName(name: string): boolean {
  return /(^|[_-])?path$/i.test(name) || /^proxy$/i.test(name);
}

/** Parses OpenAPI 3.x or Swagger 2.0 text (JSON or YAML) into declared operations. */
export function parseDeclaredSpec(text: string): DeclaredApi {
  let doc: unknown;
  try {
    const trimmed = text.trimStart();
    doc = trimmed.startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 });
  } catch (err: unknown) {
    throw new DeclaredSpecError(`not JSON or YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(doc)) throw new DeclaredSpecError('the document is not an object');
  if (!isObject(doc.paths)) throw new DeclaredSpecError('no `paths` object: not an OpenAPI 3 or Swagger 2 document');
  const swagger2 = typeof doc.swagger === 'string' && doc.swagger.startsWith('2');
  if (!swagger2 && typeof doc.openapi !== 'string')
    throw new DeclaredSpecError('neither `openapi` nor `swagger` is set');
  const info = isObject(doc.info) ? doc.info : {};
  const version = typeof info.version === 'string' ? info.version : undefined;
  const title = typeof info.title === 'string' ? info.title : undefined;
  const resolve = (v: unknown): unknown => resolveRef(doc as Json, v);

  const rootServers = swagger2 ? swagger2Servers(doc) : oas3Servers(doc.servers);
  const skipped: Array<{ key: string; reason: string }> = [];
  const ops: DeclaredOperation[] = [];
  for (const [rawKey, rawItem] of Object.entries(doc.paths)) {
    const item = resolve(rawItem);
    if (!isObject(item)) continue;
    const key = rawKey.replace(/#.*$/, '');
    if (!key.startsWith('/') || /[<>]/.test(key)) {
      skipped.push({ key: rawKey, reason: 'placeholder key, not a path template' });
      continue;
    }
    const itemServers = swagger2 ? undefined : oas3Servers(item.servers);
    const itemParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = resolve(item[method]);
      if (!isObject(op)) continue;
      const opServers = swagger2 ? undefined : oas3Servers(op.servers);
      const servers = opServers?.length ? opServers : itemServers?.length ? itemServers : rootServers;
      const first = servers[0] ?? { prefix: '' };
      const parameters = pathParameters(
        [...itemParams, ...(Array.isArray(op.parameters) ? op.parameters : [])],
        resolve,
      );
      const hosts = [...new Set(servers.flatMap((s) => (s.host ? [s.host] : [])))];
      ops.push({
        ...(first.host ? { host: first.host } : {}),
        ...(hosts.length > 0 ? { hosts } : {}),
        method: method.toUpperCase(),
        template: greedyTail(joinPath(first.prefix, key)),
        deprecated: op.deprecated === true,
        ...(version ? { version } : {}),
        ...(typeof op.operationId === 'string' ? { operationId: op.operationId } : {}),
        parameters,
        variants: 1,
      });
    }
  }
  return { ...(title ? { title } : {}), ...(version ? { version } : {}), operations: collapseOperations(ops), skipped };
}

/**
 * Folds operations that are the same once parameter names are ignored (fragment keys
 * `/oauth2/token#refresh`, per-asset-class twins `/sma/{stockTicker}` and `/sma/{fxTicker}`):
 * traffic cannot tell them apart. The first keeps its names; deprecated only if every variant is.
 */
export function collapseOperations(ops: readonly DeclaredOperation[]): DeclaredOperation[] {
  const byKey = new Map<string, DeclaredOperation>();
  for (const op of ops) {
    const key = `${op.host ?? ''} ${op.method} ${normalizeTemplate(op.template)}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...op, parameters: [...op.parameters] });
      continue;
    }
    seen.variants += op.variants;
    seen.deprecated = seen.deprecated && op.deprecated;
    if (op.hosts) seen.hosts = [...new Set([...(seen.hosts ?? []), ...op.hosts])];
  }
  return [...byKey.values()];
}

function joinPath(prefix: string, key: string): string {
  const p = prefix.replace(/\/+$/, '');
  const joined = `${p}${key}`;
  if (joined.length > 1 && joined.endsWith('/') && key !== '/') return joined;
  return joined === '' ? '/' : joined;
}

/** A slash-spanning parameter ending a template becomes greedy: `/proxy/{path}` -> `/proxy/{path+}`. */
function greedyTail(template: string): string {
  const segs = templateSegments(template);
  const last = segs[segs.length - 1];
  if (last === undefined) return template;
  const m = /^\{([^{}+]+)\}$/.exec(last);
  if (!m || !isSlashSpanningName(m[1] as string)) return template;
  segs[segs.length - 1] = `{${m[1]}+}`;
  return `/${segs.join('/')}`;
}

interface Server {
  host?: string;
  prefix: string;
}

function oas3Servers(v: unknown): Server[] {
  if (!Array.isArray(v)) return [];
  const out: Server[] = [];
  for (const s of v) {
    if (!isObject(s) || typeof s.url !== 'string') continue;
    let url = s.url;
    const vars = isObject(s.variables) ? s.variables : {};
    url = url.replace(/\{([^{}]+)\}/g, (whole, name: string) => {
      const def = vars[name];
      return isObject(def) && typeof def.default === 'string' ? def.default : whole;
    });
    out.push(parseServerUrl(url));
  }
  return out;
}

function swagger2Servers(doc: Json): Server[] {
  const basePath = typeof doc.basePath === 'string' ? doc.basePath : '';
  const host = typeof doc.host === 'string' ? normalizeHost(doc.host) : undefined;
  return [{ ...(host ? { host } : {}), prefix: basePath === '/' ? '' : basePath }];
}

function parseServerUrl(url: string): Server {
  const m = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]+)([^?#]*)/i.exec(url);
  if (m) {
    const host = normalizeHost(m[1] as string);
    const prefix = (m[2] ?? '').replace(/\/+$/, '');
    return { ...(host && !host.includes('{') ? { host } : {}), prefix };
  }
  return { prefix: url.replace(/[?#].*$/, '').replace(/\/+$/, '') };
}

function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^[^@]*@/, '')
    .replace(/:(80|443)$/, '');
}

function resolveRef(doc: Json, v: unknown, depth = 0): unknown {
  if (!isObject(v) || typeof v.$ref !== 'string' || depth > 20) return v;
  const ref = v.$ref;
  if (!ref.startsWith('#/')) return v;
  let cur: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = isObject(cur) ? cur[key] : undefined;
  }
  return resolveRef(doc, cur, depth + 1);
}

function pathParameters(params: unknown[], resolve: (v: unknown) => unknown): DeclaredParameter[] {
  const byName = new Map<string, DeclaredParameter>();
  for (const raw of params) {
    const p = resolve(raw);
    if (!isObject(p) || p.in !== 'path' || typeof p.name !== 'string') continue;
    const schema = resolve(p.schema);
    const s = isObject(schema) ? schema : p;
    const param: DeclaredParameter = { name: p.name };
    if (typeof s.type === 'string') param.type = s.type;
    if (typeof s.format === 'string') param.format = s.format;
    if (Array.isArray(s.enum)) param.enum = s.enum;
    if (typeof s.pattern === 'string') param.pattern = s.pattern;
    const example = p.example ?? s.example;
    if (example !== undefined) param.example = example;
    byName.set(p.name, param);
  }
  return [...byName.values()];
}

// ---------------------------------------------------------------------------------------------
// API Gateway

/** One item of API Gateway `GetResources` (REST APIs). */
export interface GatewayResource {
  path: string;
  resourceMethods?: Record<string, unknown>;
}

/** One item of API Gateway v2 `GetRoutes` (HTTP APIs). */
export interface GatewayRoute {
  routeKey: string;
}

export interface GatewayOptions {
  /** The custom domain or execute-api host the API is called on. */
  host?: string;
  /** A base path mapping prefix (`/orders` when the API is mapped under it). */
  basePath?: string;
  /** The stage, kept as the declared version. */
  stage?: string;
}

/** REST API resources -> declared operations (`ANY` stays `ANY`). */
export function declaredFromGatewayResources(
  resources: readonly GatewayResource[],
  options: GatewayOptions = {},
): DeclaredOperation[] {
  const ops: DeclaredOperation[] = [];
  for (const r of resources) {
    for (const method of Object.keys(r.resourceMethods ?? {})) {
      ops.push(gatewayOp(method, r.path, options));
    }
  }
  return collapseOperations(ops);
}

/** HTTP API routes (`GET /pets/{id}`, `ANY /{proxy+}`) -> declared operations; `$default` is skipped. */
export function declaredFromGatewayRoutes(
  routes: readonly GatewayRoute[],
  options: GatewayOptions = {},
): DeclaredOperation[] {
  const ops: DeclaredOperation[] = [];
  for (const r of routes) {
    const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(r.routeKey.trim());
    if (!m) continue;
    ops.push(gatewayOp(m[1] as string, m[2] as string, options));
  }
  return collapseOperations(ops);
}

function gatewayOp(method: string, path: string, options: GatewayOptions): DeclaredOperation {
  const prefix = (options.basePath ?? '').replace(/\/+$/, '');
  const template = `${prefix}${path}` || '/';
  const parameters = [...template.matchAll(/\{([^{}+]+)\+?\}/g)].map((m) => ({ name: m[1] as string, type: 'string' }));
  return {
    ...(options.host ? { host: options.host.toLowerCase(), hosts: [options.host.toLowerCase()] } : {}),
    method: method.toUpperCase(),
    template,
    deprecated: false,
    ...(options.stage ? { version: options.stage } : {}),
    parameters,
    variants: 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Matching

export interface DeclaredMatch {
  operation: DeclaredOperation;
  /**
   * `exact`: same template (names ignored); `instance`: the observed one is more specific; `typed-literal`:
   * the declared template has a typed literal (`/users/{id}/folders/0`) where the observed one has a parameter.
   */
  match: Exclude<TemplateMatch, 'none'> | 'typed-literal';
}

/**
 * The template as traffic can show it: a literal segment that is a typed value (`0`, a UUID, a date that is no
 * version) is a parameter on sight, so discovery can never observe it as a literal. Undefined if nothing changes.
 */
function asSeen(template: string): string | undefined {
  let changed = false;
  const segs = templateSegments(template).map((seg) => {
    if (isParamSegment(seg) || isVersionSegment(seg) || classifySegment(seg) === 'word') return seg;
    changed = true;
    return '{}';
  });
  return changed ? `/${segs.join('/')}` : undefined;
}

/** Whether a declared operation applies to `host` (no host declared: any host). */
export function declaredOnHost(op: DeclaredOperation, host: string): boolean {
  if (!op.hosts || op.hosts.length === 0) return op.host === undefined || op.host === host;
  return op.hosts.includes(host);
}

/**
 * The declared operation an observed template belongs to: exact matches first, then the most
 * specific declared template the observed one is an instance of, then one whose typed literals it
 * shows as parameters. `ANY` matches every method.
 */
export function matchDeclared(
  host: string,
  method: string,
  template: string,
  declared: readonly DeclaredOperation[],
): DeclaredMatch | undefined {
  const m = method.toUpperCase();
  return (
    bestDeclared(host, m, declared, (op) => matchTemplate(template, op.template)) ??
    // Only when nothing matches as declared: a declared typed literal, seen as a parameter.
    bestDeclared(host, m, declared, (op) => {
      const seen = asSeen(op.template);
      return seen !== undefined && matchTemplate(template, seen) !== 'none' ? 'typed-literal' : 'none';
    })
  );
}

/** The best-scoring declared operation for `method` on `host` by `matchOf`: exact first, then the most specific. */
function bestDeclared(
  host: string,
  method: string,
  declared: readonly DeclaredOperation[],
  matchOf: (op: DeclaredOperation) => DeclaredMatch['match'] | 'none',
): DeclaredMatch | undefined {
  let best: DeclaredMatch | undefined;
  let bestScore = -Infinity;
  for (const op of declared) {
    if (op.method !== method && op.method !== 'ANY') continue;
    if (!declaredOnHost(op, host)) continue;
    const match = matchOf(op);
    if (match === 'none') continue;
    const score = (match === 'exact' ? 1e9 : 0) + specificity(op.template) + (op.method === method ? 1 : 0);
    if (score > bestScore) {
      best = { operation: op, match };
      bestScore = score;
    }
  }
  return best;
}
