/**
 * The console's rows: compact, typed projections of the stored documents, one per list line.
 *
 * Stored documents belong to the modules that write them (discovery, detection, response) and are being
 * extended while the console is written, so every field is read defensively here, in one place: a missing or
 * malformed field becomes a neutral value, never an exception. Rows hold only what lists filter, sort and show;
 * details are read from the full document on demand.
 */

/** Plain-object view of an unknown stored value. */
export type Doc = Record<string, unknown>;

export function asDoc(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}
export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}
export function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
export function optNum(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
/** Epoch ms from a number or an ISO string. */
export function time(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
function counts(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(asDoc(value))) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

export const CLASSIFICATIONS = ['managed', 'shadow', 'zombie', 'unused', 'unknown'] as const;

export interface EndpointRow {
  /** Store id (`host METHOD path`). */
  id: string;
  host: string;
  method: string;
  /** The template (or the raw path before discovery templated it). */
  path: string;
  classification: string;
  requests: number;
  firstSeen: number;
  lastSeen: number;
  /** Requests by status class (`2xx`, `4xx`, …). */
  statusCounts: Record<string, number>;
  /** Share of requests that carried a credential, 0..1. */
  authShare: number;
  /** Share of requests answered 4xx or 5xx, 0..1. */
  errorRate: number;
  /** Kinds of sensitive data seen in its URLs (never values). */
  sensitive: string[];
  /** Answered 2xx without any credential (when discovery says so). */
  unauthenticated: boolean;
  /** Never answered successfully: a probe target, not an endpoint (hidden unless asked for). */
  probe: boolean;
  latencyP50?: number;
  latencyP99?: number;
}

/** How discovery stores an endpoint's classification: a string, or an object with `status`. */
export function classificationOf(doc: Doc): string {
  const c = doc.classification;
  if (typeof c === 'string') return c;
  const status = asDoc(c).status;
  return typeof status === 'string' ? status : 'unknown';
}

function sensitiveOf(doc: Doc): string[] {
  const flags = asDoc(doc.flags);
  const kinds = new Set<string>([...strings(flags.sensitiveData), ...strings(doc.sensitiveData)]);
  for (const [k, n] of Object.entries(counts(doc.sensitive))) if (n > 0) kinds.add(k);
  for (const k of strings(doc.sensitive)) kinds.add(k);
  return [...kinds].sort();
}

function sketchQuantileOf(value: unknown, q: number): number | undefined {
  const sketch = asDoc(value);
  const n = num(sketch.n);
  if (n <= 0) return undefined;
  const gamma = 1.02 / 0.98;
  const rank = Math.max(0, Math.min(n - 1, Math.floor(q * (n - 1))));
  const zeros = num(sketch.z);
  if (rank < zeros) return 0;
  let seen = zeros;
  const buckets = Object.entries(counts(sketch.b))
    .map(([k, c]) => [Number(k), c] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [key, c] of buckets) {
    seen += c;
    if (seen > rank) return Math.round(((2 * gamma ** key) / (gamma + 1)) * 10) / 10;
  }
  const last = buckets.at(-1);
  return last ? Math.round(((2 * gamma ** last[0]) / (gamma + 1)) * 10) / 10 : undefined;
}

export function endpointRow(id: string, value: unknown): EndpointRow {
  const doc = asDoc(value);
  const statusCounts = counts(doc.statusCounts);
  const requests = num(doc.requests);
  const errors = (statusCounts['4xx'] ?? 0) + (statusCounts['5xx'] ?? 0);
  const ok = (statusCounts['2xx'] ?? 0) + (statusCounts['3xx'] ?? 0);
  const flags = asDoc(doc.flags);
  const p50 = sketchQuantileOf(doc.latencyMs, 0.5);
  const p99 = sketchQuantileOf(doc.latencyMs, 0.99);
  return {
    id,
    host: str(doc.host),
    method: str(doc.method),
    path: str(doc.template, str(doc.path)),
    classification: classificationOf(doc),
    requests,
    firstSeen: num(doc.firstSeen),
    lastSeen: num(doc.lastSeen),
    statusCounts,
    authShare: requests > 0 ? num(doc.authenticated) / requests : 0,
    errorRate: requests > 0 ? errors / requests : 0,
    sensitive: sensitiveOf(doc),
    unauthenticated:
      flags.unauthenticated === true || doc.unauthenticated === true || num(doc.unauthenticatedSuccess) > 0,
    probe: ok === 0,
    ...(p50 !== undefined ? { latencyP50: p50 } : {}),
    ...(p99 !== undefined ? { latencyP99: p99 } : {}),
  };
}

export interface EntityRow {
  /** Store id (`type:id`). */
  id: string;
  type: string;
  name: string;
  requests: number;
  risk: number;
  firstSeen: number;
  lastSeen: number;
  errorRate: number;
  /** Open findings counted in its risk. */
  openFindings: number;
  ips: number;
  apiKeys: number;
  userAgent: string;
}

export function entityRow(id: string, value: unknown): EntityRow {
  const doc = asDoc(value);
  const statusCounts = counts(doc.statusCounts);
  const requests = num(doc.requests);
  let errors = 0;
  for (const [status, n] of Object.entries(statusCounts)) if (Number(status) >= 400) errors += n;
  const links = asDoc(doc.links);
  const colon = id.indexOf(':');
  return {
    id,
    type: str(doc.type, colon > 0 ? id.slice(0, colon) : ''),
    name: str(doc.id, colon > 0 ? id.slice(colon + 1) : id),
    requests,
    risk: num(doc.risk),
    firstSeen: num(doc.firstSeen),
    lastSeen: num(doc.lastSeen),
    errorRate: requests > 0 ? errors / requests : 0,
    openFindings: Object.keys(asDoc(asDoc(doc.baseline).open)).length,
    ips: strings(links.ips).length,
    apiKeys: strings(links.apiKeys).length,
    userAgent: strings(doc.userAgents)[0] ?? '',
  };
}

export interface FindingRow {
  id: string;
  type: string;
  severity: string;
  confidence: number;
  status: string;
  /** Entity key (`type:id`). */
  entity: string;
  endpoint?: { host: string; method: string; path: string };
  firstSeen: number;
  lastSeen: number;
  summary: string;
  revision: number;
}

export function entityKeyOf(value: unknown): string {
  const ref = asDoc(value);
  if (typeof value === 'string') return value;
  return `${str(ref.type)}:${str(ref.id)}`;
}

export function findingRow(id: string, value: unknown): FindingRow {
  const doc = asDoc(value);
  const endpoint = asDoc(doc.endpoint);
  return {
    id: str(doc.id, id),
    type: str(doc.type),
    severity: str(doc.severity, 'low'),
    confidence: num(doc.confidence),
    status: str(doc.status, 'open'),
    entity: entityKeyOf(doc.entity),
    ...(doc.endpoint !== undefined
      ? { endpoint: { host: str(endpoint.host), method: str(endpoint.method), path: str(endpoint.path) } }
      : {}),
    firstSeen: time(doc.firstSeen) ?? 0,
    lastSeen: time(doc.lastSeen) ?? 0,
    summary: str(doc.summary),
    revision: num(doc.revision, 1),
  };
}

/**
 * A response action (block, throttle, …) as the response module stores it. Field names are read loosely
 * (`kind`/`type`, `target`/`entity`, `expiresAt`/`until`) until its document type settles.
 */
export interface ActionRow {
  id: string;
  kind: string;
  /** What it applies to: an entity key, an address, a key id. */
  target: string;
  status: string;
  /** `enforce` or `monitor` (monitor-only: recorded, not applied). */
  mode: string;
  createdAt: number;
  expiresAt?: number;
  findingId: string;
  reason: string;
  /** Active now: not lifted, not expired. */
  active: boolean;
}

/** `ip:1.2.3.4` / `api-key:abc` from the response module's Target (`{kind, address | id}`). */
function targetKeyOf(value: unknown): string | undefined {
  const t = asDoc(value);
  if (t.kind === 'ip' && typeof t.address === 'string') return `ip:${t.address}`;
  if (t.kind === 'api-key' && typeof t.id === 'string') return `api-key:${t.id}`;
  return undefined;
}

export function actionRow(id: string, value: unknown, now: number): ActionRow {
  const doc = asDoc(value);
  const responseTarget = targetKeyOf(doc.target);
  if (responseTarget !== undefined) {
    // The response module's target document (shared/response/state.ts TargetState).
    const active = doc.active !== undefined ? asDoc(doc.active) : undefined;
    const last = asDoc(doc.last);
    const override = asDoc(doc.override);
    const until = active ? time(active.until) : undefined;
    const enforced = active?.enforced !== false;
    // What the edge still holds (state.ts standingAction): an enforced action stays until the expirer has lifted it.
    const isActive = active !== undefined && (until === undefined || until > now || enforced);
    const status = isActive
      ? 'active'
      : typeof override.kind === 'string'
        ? override.kind === 'allow'
          ? 'allowlisted'
          : 'unblocked'
        : str(last.how, 'ended');
    return {
      id,
      kind: str(active?.kind, str(last.kind, typeof override.kind === 'string' ? override.kind : 'none')),
      target: responseTarget,
      status,
      mode: active ? (enforced ? 'enforce' : 'monitor') : 'enforce',
      createdAt: time(active?.since) ?? time(override.at) ?? time(last.ended) ?? 0,
      ...(isActive && until !== undefined ? { expiresAt: until } : {}),
      findingId: str(active?.findingId),
      reason: str(
        override.note,
        active ? `${str(active.findingId).split(' ')[0] ?? 'finding'} (${str(active.severity)})` : '',
      ),
      active: isActive,
    };
  }
  const kind = str(doc.kind, str(doc.type, str(doc.action, 'action')));
  const targetDoc = doc.target ?? doc.entity ?? doc.subject;
  const target =
    typeof targetDoc === 'string'
      ? targetDoc
      : targetDoc !== undefined
        ? entityKeyOf(targetDoc)
        : str(doc.ip, str(doc.apiKeyId));
  const expiresAt = time(doc.expiresAt) ?? time(doc.until) ?? time(doc.expires);
  const status = str(doc.status, str(doc.state, 'active'));
  const findingIds = strings(doc.findingIds);
  const active =
    !['lifted', 'unblocked', 'expired', 'removed', 'released', 'cancelled', 'canceled', 'failed', 'revoked'].includes(
      status,
    ) &&
    (expiresAt === undefined || expiresAt > now);
  return {
    id: str(doc.id, id),
    kind,
    target,
    status: active ? status : status === 'active' ? 'expired' : status,
    mode: str(doc.mode, 'enforce'),
    createdAt: time(doc.createdAt) ?? time(doc.at) ?? time(doc.time) ?? 0,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    findingId: str(doc.findingId, findingIds[0] ?? ''),
    reason: str(doc.reason, str(doc.summary)),
    active,
  };
}

export interface AuditRow {
  id: string;
  time: number;
  /** Who: `lantern` (automatic), `console:<user>`, … */
  actor: string;
  /** What happened (`block`, `unblock`, `acknowledge`, …). */
  action: string;
  target: string;
  detail: string;
  findingId: string;
}

/** The response module records an `event` (decided, enforced, override, lifted, …) and an `action` (block, unblock, …). */
function auditAction(doc: Doc): string {
  const event = str(doc.event);
  const action = str(doc.action, str(doc.kind, str(doc.type)));
  if (event === '' || event === 'override') return action || event;
  return action && action !== event ? `${event} · ${action}` : event;
}

export function auditRow(id: string, value: unknown): AuditRow {
  const doc = asDoc(value);
  const targetDoc = doc.target ?? doc.entity ?? doc.subject;
  const target =
    typeof targetDoc === 'string'
      ? targetDoc
      : targetDoc !== undefined
        ? (targetKeyOf(targetDoc) ?? entityKeyOf(targetDoc))
        : str(doc.findingId, str(doc.actionId));
  return {
    id,
    time: time(doc.time) ?? time(doc.at) ?? time(doc.timestamp) ?? 0,
    actor: str(doc.actor, str(doc.by, str(doc.user, 'lantern'))),
    action: auditAction(doc),
    target,
    detail: str(doc.detail, str(doc.reason, str(doc.summary, str(doc.message)))),
    findingId: str(doc.findingId),
  };
}
