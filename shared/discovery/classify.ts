/**
 * Classification of endpoints against what is declared: managed, shadow, zombie, unused, unknown.
 * Plus the flags that do not depend on a spec: sensitive data in URLs, unauthenticated success.
 */
import { type DeclaredMatch, type DeclaredOperation, declaredOnHost, matchDeclared } from './declared.js';
import { versionRank } from './segments.js';
import type { SensitiveKind } from './sensitive.js';
import { matchTemplate, normalizeTemplate, templateSegments } from './template.js';

export type EndpointStatus = 'managed' | 'shadow' | 'zombie' | 'unused' | 'unknown';

/** Why an endpoint is a zombie. */
export type ZombieReason = 'deprecated' | 'removed-from-spec' | 'older-version';

/** What classification needs of an observed endpoint (the inventory has more). */
export interface ObservedEndpoint {
  host: string;
  method: string;
  template: string;
  /** Requests in the window. */
  requests: number;
}

export interface DeclaredSpecs {
  /** The current declared operations (every source merged). Empty: nothing is declared. */
  current: readonly DeclaredOperation[];
  /** Operations of earlier versions of the spec, oldest first (for `removed-from-spec`). */
  previous?: ReadonlyArray<readonly DeclaredOperation[]>;
}

export interface Classification {
  host: string;
  method: string;
  template: string;
  status: EndpointStatus;
  /** The declared template it matched, or for an older version the newer declared one. */
  declaredTemplate?: string;
  /**
   * `instance`: the observed template is more specific than the declared one (e.g. not merged yet);
   * `typed-literal`: the declared one has a typed literal (`/folders/0`), which traffic shows as a parameter.
   */
  match?: DeclaredMatch['match'];
  zombieReason?: ZombieReason;
  requests: number;
}

/**
 * Classifies every observed endpoint, and lists declared operations without traffic as `unused`.
 * With nothing declared, every observed endpoint is `unknown`.
 */
export function classifyEndpoints(observed: readonly ObservedEndpoint[], specs: DeclaredSpecs): Classification[] {
  const out: Classification[] = [];
  const current = specs.current;
  if (current.length === 0) {
    return observed.map((e) => ({
      host: e.host,
      method: e.method,
      template: e.template,
      status: 'unknown',
      requests: e.requests,
    }));
  }
  const used = new Set<DeclaredOperation>();
  for (const e of observed) {
    const base = { host: e.host, method: e.method, template: e.template, requests: e.requests };
    const hit = matchDeclared(e.host, e.method, e.template, current);
    const previous = (specs.previous ?? [])
      .map((ops) => matchDeclared(e.host, e.method, e.template, ops))
      .find((m) => m !== undefined);
    const newer = newerVersionOf(e.host, e.method, e.template, current);
    // Exact matches win over instance matches: `/v1/customers/search` removed from the spec is
    // a zombie even though it is an instance of the declared `/v1/customers/{customer}`.
    if (hit && (hit.match === 'exact' || !(previous?.match === 'exact' || newer))) {
      if (e.requests > 0) used.add(hit.operation);
      const common = { ...base, declaredTemplate: hit.operation.template, match: hit.match };
      if (hit.operation.deprecated && e.requests > 0)
        out.push({ ...common, status: 'zombie', zombieReason: 'deprecated' });
      else out.push({ ...common, status: 'managed' });
      continue;
    }
    if (previous && e.requests > 0) {
      out.push({
        ...base,
        status: 'zombie',
        zombieReason: 'removed-from-spec',
        declaredTemplate: previous.operation.template,
        match: previous.match,
      });
      continue;
    }
    if (newer && e.requests > 0) {
      out.push({ ...base, status: 'zombie', zombieReason: 'older-version', declaredTemplate: newer.template });
      continue;
    }
    out.push({ ...base, status: 'shadow' });
  }
  for (const op of current) {
    if (used.has(op)) continue;
    const hosts = op.hosts ?? (op.host ? [op.host] : []);
    out.push({
      host: hosts[0] ?? '',
      method: op.method,
      template: op.template,
      status: 'unused',
      declaredTemplate: op.template,
      requests: 0,
    });
  }
  return out;
}

/**
 * A declared operation that is a newer version of `template`: same shape except one version
 * segment, which is newer in the declared one (`/v1/users/{id}` when `/v2/users/{id}` is declared).
 */
export function newerVersionOf(
  host: string,
  method: string,
  template: string,
  declared: readonly DeclaredOperation[],
): DeclaredOperation | undefined {
  const segs = templateSegments(template);
  const versionAt = segs.map((s) => versionRank(s));
  if (versionAt.every((v) => v === undefined)) return undefined;
  for (const op of declared) {
    if (op.method !== method.toUpperCase() && op.method !== 'ANY') continue;
    if (!declaredOnHost(op, host)) continue;
    const dsegs = templateSegments(op.template);
    if (dsegs.length !== segs.length) continue;
    let newer = false;
    let ok = true;
    for (let i = 0; i < segs.length && ok; i++) {
      const mine = versionAt[i];
      const theirs = versionRank(dsegs[i] as string);
      if (mine !== undefined && theirs !== undefined) {
        if (theirs > mine) newer = true;
        else if (theirs < mine) ok = false;
        continue;
      }
      if (matchTemplate(segs[i] as string, dsegs[i] as string) === 'none') ok = false;
    }
    if (ok && newer) return op;
  }
  return undefined;
}

/** Counts of one endpoint the flags are computed from (kept by the inventory). */
export interface FlagCounts {
  /** 2xx responses. */
  success: number;
  /** 2xx responses to requests that carried no credential at all. */
  unauthenticatedSuccess: number;
  /** Sensitive kinds seen in this endpoint's URLs, with request counts. */
  sensitive?: Partial<Record<SensitiveKind, number>>;
}

export interface EndpointFlags {
  /** Answered 2xx to at least one request without any credential. */
  unauthenticated: boolean;
  /** Share of 2xx answered without a credential (0..1). */
  unauthenticatedShare: number;
  /** Kinds of sensitive data seen in URLs (never the values). */
  sensitiveData: SensitiveKind[];
}

export function endpointFlags(counts: FlagCounts): EndpointFlags {
  const share = counts.success > 0 ? counts.unauthenticatedSuccess / counts.success : 0;
  const sensitiveData = Object.entries(counts.sensitive ?? {})
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k]) => k as SensitiveKind)
    .sort();
  return { unauthenticated: counts.unauthenticatedSuccess > 0, unauthenticatedShare: share, sensitiveData };
}

/** The comparison key of an endpoint (parameter names ignored). */
export function endpointShapeKey(host: string, method: string, template: string): string {
  return `${host} ${method.toUpperCase()} ${normalizeTemplate(template)}`;
}
