/**
 * Path templating: raw request paths -> endpoint templates, learnt incrementally per host.
 *
 * One segment tree per host (shared by every method: the decision "this position is a parameter"
 * is about the URL space, not the verb); each node ends zero or more endpoints (one per method).
 * Typed values (integers, UUIDs, prefixed ids, ...) are parameters on sight. Untyped words are
 * static candidates; once the evidence at a position says "values, not names" they are merged
 * into a parameter, and a {@link MergeEvent} says which templates became which, and why.
 * A parameter never becomes static again (a template once learnt is stable); the only way back is
 * a `split` override, which restarts learning for that host.
 *
 * The whole state is plain JSON ({@link TemplaterState}), bounded by {@link TemplaterLimits}.
 * Only successful requests (2xx/3xx) teach the templater; failed ones are attributed to an
 * endpoint that already exists, or are reported as `unconfirmed` and counted apart.
 * See docs/discovery.md.
 */
import {
  classifySegment,
  isDesignedName,
  isStaticAsset,
  isValueLike,
  isVersionSegment,
  type ParamKind,
  paramNameFor,
  type SegmentKind,
  splitPath,
} from './segments.js';
import { isGreedySegment, isParamSegment, templateSegments } from './template.js';

// ---------------------------------------------------------------------------------------------
// Public types

/** How the templater saw one request. */
export type RequestClass =
  /** An API endpoint: the template has answered successfully at least once. */
  | 'api'
  /** No successful request has ever matched this path (scanners, probes, broken clients): counted apart. */
  | 'unconfirmed'
  /** A static asset (script, style, image, font, media): not an API. */
  | 'asset'
  /** The host reached its node budget: the request is counted in a bucket named by the longest known prefix. */
  | 'overflow';

export interface TemplateParam {
  /** 0-based index of the segment in the template. */
  index: number;
  name: string;
  /** The kind of this request's value (`slug` for a word that a merged parameter absorbed). */
  kind: ParamKind;
}

export interface ObserveResult {
  host: string;
  method: string;
  /** The endpoint template, e.g. `/users/{userId}/orders/{orderId}`. */
  template: string;
  class: RequestClass;
  params: TemplateParam[];
  /** Merges caused by this request (usually none): re-attribute records of `from` templates to `into`. */
  merges: MergeEvent[];
}

/** Why untyped values at one position were merged into a parameter. */
export type MergeReason =
  /** Many distinct words, most of them seen once: values, not names. */
  | 'cardinality'
  /** Several words that read like values (`app-01`, `X:BTCUSD`). */
  | 'value-like'
  /** Several words whose children are the same static names (`/namespaces/a/pods`, `/namespaces/b/pods`). */
  | 'similar-subtrees'
  /** Several leaves under a plural collection name with no typed id beside them (`/branches/main`). */
  | 'plural-collection'
  /** A position reached the per-node cap on distinct literals (memory bound). */
  | 'cap'
  /** Literals shaped like the parameter beside them (same children): more values. */
  | 'joins-parameter'
  /** Words this host already merged as values at another position. */
  | 'known-values'
  /** File-like values at several depths below one position: a parameter that spans `/` (`{path+}`). */
  | 'greedy'
  /** One typed value in several extensions (`{sha}.diff`, `{sha}.patch`): the extension is a parameter too. */
  | 'extension'
  /** Words each seen below one value only, as values just merged above them (`/packages/{owner}/{type}`). */
  | 'own-values'
  /** A declared template (override or gateway route) covers these literals. */
  | 'declared';

export interface MergeExplanation {
  /** 0-based index of the segment that became a parameter. */
  segmentIndex: number;
  /** How many distinct literal values were merged at that position. */
  distinctValues: number;
  /** Successful requests those values had received. */
  requests: number;
  /** The parameter's kinds after the merge. */
  kinds: ParamKind[];
  reason: MergeReason;
}

/** Templates `from` (endpoint records created before the merge) are now `into`. */
export interface MergeEvent {
  host: string;
  method: string;
  from: string[];
  into: string;
  explanation: MergeExplanation;
}

/** User overrides: serializable, persisted by the engine next to the state. */
export type DiscoveryOverride =
  /** Declare a template (`/users/{id}`, `/files/{proxy+}`): authoritative for this host. */
  | { kind: 'declare'; host: string; template: string; method?: string }
  /** Pin the literal segments of `path` static (`/users/me`, `/repos/{owner}/search`): never merged. */
  | { kind: 'pin-static'; host: string; path: string }
  /** Split the parameter at `segmentIndex` of `template`: values at that position stay literal. */
  | { kind: 'split'; host: string; template: string; segmentIndex: number };

export interface TemplaterLimits {
  /** Distinct literals one position may hold before they are merged whatever they look like. Default 200. */
  maxLiteralsPerNode: number;
  /** Tree nodes per host; past it, new paths are counted in overflow buckets. Default 20,000. */
  maxNodesPerHost: number;
  /** Hosts tracked; further hosts share the bucket host `(other)`. Default 1,000. */
  maxHosts: number;
  /** Segments templated; deeper ones are folded into a final `{rest+}`. Default 24. */
  maxDepth: number;
  /** Top unconfirmed paths remembered per host (counts of the rest are kept). Default 50. */
  maxUnconfirmedPaths: number;
}

export const DEFAULT_LIMITS: TemplaterLimits = {
  maxLiteralsPerNode: 200,
  maxNodesPerHost: 20_000,
  maxHosts: 1_000,
  maxDepth: 24,
  maxUnconfirmedPaths: 50,
};

/** A tree node. Short keys: the state is persisted. */
export interface TNode {
  /** Literal children, keyed `=` + segment (never a bare user string as a key). */
  l?: Record<string, TNode>;
  /** Parameter children keyed by suffix (`''`, `.json`); `+` is a greedy parameter. */
  p?: Record<string, PNode>;
  /** Endpoints ending here: method -> successful requests. */
  m?: Record<string, number>;
  /** Successful requests routed through this node. */
  h: number;
  /** Pinned static (override or declared): never merged. */
  pin?: 1;
  /** Ends a declared template (an override without a method): a path ending here is an endpoint for any method. */
  dt?: 1;
  /** Split override: values at the child position stay literal. */
  split?: 1;
  /** File-like names seen below: relative depths (bit mask), files deeper than one level, first direct file names. */
  fd?: number;
  fc?: number;
  /** Files deeper than one level reached through literal segments only (directory names). */
  fl?: number;
  fn?: string[];
}

export interface PNode extends TNode {
  name: string;
  kinds: ParamKind[];
  /** Accepts untyped words (merged by cardinality, or declared). */
  u?: 1;
  /** Declared (override or gateway route). */
  d?: 1;
  /** Named after the segment before it (renamed if that segment is merged). */
  auto?: 1;
  /** A sample of the words this parameter absorbed (at most {@link MAX_SAMPLE}). */
  vs?: string[];
}

/** A node the current path added to the tree, with what a merge decision about its position needs. */
interface CreatedNode {
  parent: TNode;
  depth: number;
  parentText: string | undefined;
  isParam: boolean;
  grandText?: string;
  above?: TNode;
  /** Judge the extensions of typed values at this position (a parameter of a new extension was created). */
  extensions?: true;
  /** Judge this position again, its context found from the root (the parameter there changed). */
  again?: true;
}

export interface HostState {
  root: TNode;
  nodes: number;
  /** Overflow bucket template -> requests. */
  overflow: Record<string, number>;
  /** Requests that never matched a successful endpoint: top paths (space-saving) and total. */
  unconfirmed: { total: number; top: Record<string, number> };
  assets: number;
  /** Words merged into parameters on this host (bounded), keyed `=` + word. */
  vocab?: Record<string, 1>;
  vocabSize?: number;
}

export interface TemplaterState {
  version: 1;
  /** Keyed `=` + host. */
  hosts: Record<string, HostState>;
  overrides: DiscoveryOverride[];
}

export function emptyTemplaterState(overrides: DiscoveryOverride[] = []): TemplaterState {
  return { version: 1, hosts: {}, overrides: [...overrides] };
}

/** The host name used once {@link TemplaterLimits.maxHosts} is reached. */
export const OTHER_HOST = '(other)';

const ROOT_DATE_AS_VERSION = true;

// ---------------------------------------------------------------------------------------------
// Helpers on nodes

function lit(node: TNode, segment: string): TNode | undefined {
  return node.l?.[`=${segment}`];
}

function literalEntries(node: TNode): Array<[string, TNode]> {
  if (!node.l) return [];
  return Object.entries(node.l).map(([k, v]) => [k.slice(1), v]);
}

function hasChildren(node: TNode): boolean {
  return (
    (node.l !== undefined && Object.keys(node.l).length > 0) || (node.p !== undefined && Object.keys(node.p).length > 0)
  );
}

function hasTerminal(node: TNode): boolean {
  return node.m !== undefined && Object.keys(node.m).length > 0;
}

/** A path may end here: an endpoint was learnt here, or a declared template ends here. */
function mayEnd(node: TNode): boolean {
  return node.dt === 1 || hasTerminal(node);
}

/** `CA0123….json` -> stem `CA0123…`, suffix `.json` (a short alphabetic extension). */
function splitSuffix(segment: string): { stem: string; suffix: string } {
  const m = /^(.+?)(\.[A-Za-z][A-Za-z0-9]{0,4})$/.exec(segment);
  if (m) return { stem: m[1] as string, suffix: m[2] as string };
  return { stem: segment, suffix: '' };
}

interface SegmentInfo {
  kind: SegmentKind;
  suffix: string;
}

function segmentInfo(segment: string, depth: number): SegmentInfo {
  const { stem, suffix } = splitSuffix(segment);
  if (suffix !== '') {
    const k = classifySegment(stem);
    if (k !== 'word') return { kind: k, suffix };
  }
  const kind = classifySegment(segment);
  // A date as the first segment is an API version (`/2010-04-01/Accounts`), not a value.
  if (ROOT_DATE_AS_VERSION && depth === 0 && kind === 'date' && isVersionSegment(segment))
    return { kind: 'word', suffix: '' };
  return { kind, suffix: '' };
}

function addKind(p: PNode, kind: ParamKind): void {
  if (!p.kinds.includes(kind)) {
    p.kinds.push(kind);
    if (p.kinds.length > 12) p.kinds.splice(0, p.kinds.length - 12);
  }
}

/** The suffix key of parameters taking a typed value with any extension (`{sha}.{extension}`). */
const ANY_EXTENSION = '.{}';

function paramText(p: PNode, suffix: string): string {
  if (suffix === ANY_EXTENSION) return `{${p.name}}.{extension}`;
  return suffix === '+' ? `{${p.name}+}` : `{${p.name}}${suffix}`;
}

/** The key under which `p` hangs below `node` (`''` when not found). */
function suffixOf(node: TNode, p: PNode): string {
  for (const [suffix, q] of Object.entries(node.p ?? {})) if (q === p) return suffix;
  return '';
}

function escapeLiteral(segment: string): string {
  return segment.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

/** A parameter name that no earlier parameter of the template uses. */
function uniqueName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}${i}`)) return `${base}${i}`;
}

// ---------------------------------------------------------------------------------------------
// The templater

interface RouteStep {
  node: TNode;
  text: string;
  param?: TemplateParam;
}

interface RouteOutcome {
  steps: RouteStep[];
  complete: boolean;
  /** Index of the first segment that could not be routed (when incomplete). */
  stoppedAt: number;
}

/**
 * The stateful facade the engine calls. Wraps a {@link TemplaterState} (mutated in place;
 * {@link PathTemplater.state} is what to persist).
 */
export class PathTemplater {
  readonly state: TemplaterState;
  readonly limits: TemplaterLimits;
  private pendingMerges: MergeEvent[] = [];

  constructor(state?: TemplaterState, limits: Partial<TemplaterLimits> = {}) {
    this.state = state ?? emptyTemplaterState();
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** The current overrides. */
  get overrides(): readonly DiscoveryOverride[] {
    return this.state.overrides;
  }

  /**
   * Replaces the overrides. Hosts they touch (before or after) restart learning from scratch, so
   * that a split really splits: the engine should re-run analysis over the window for these hosts.
   * Returns the hosts reset.
   */
  setOverrides(overrides: DiscoveryOverride[]): string[] {
    const touched = new Set<string>();
    for (const o of [...this.state.overrides, ...overrides]) touched.add(o.host.toLowerCase());
    this.state.overrides = [...overrides];
    const reset: string[] = [];
    for (const host of touched) {
      if (this.state.hosts[`=${host}`]) {
        delete this.state.hosts[`=${host}`];
        reset.push(host);
      }
    }
    return reset;
  }

  /**
   * Templates one request and learns from it.
   * @param routeTemplate the gateway's matched route (`/users/{id}`, `GET /users/{id}`, `/{proxy+}`): authoritative.
   */
  observe(host: string, method: string, path: string, status: number, routeTemplate?: string): ObserveResult {
    this.pendingMerges = [];
    const m = method.toUpperCase();
    const hostName = this.hostName(host);
    const hs = this.host(hostName);
    let segs = splitPath(path);
    let tail: string | undefined;
    if (segs.length > this.limits.maxDepth) {
      tail = segs.slice(this.limits.maxDepth).join('/');
      segs = segs.slice(0, this.limits.maxDepth);
    }
    const success = status >= 200 && status < 400;

    if (isStaticAsset(m, segs)) {
      hs.assets++;
      return { host: hostName, method: m, template: assetTemplate(segs), class: 'asset', params: [], merges: [] };
    }

    const route = parseRouteTemplate(routeTemplate);
    if (route !== undefined && success) {
      const r = this.observeDeclaredRoute(hs, hostName, m, segs, route);
      if (r) return r;
    }

    if (!success) {
      const found = this.lookupSegments(hs, m, segs);
      if (found) return this.result(hostName, m, found, 'api', tail);
      const template = route !== undefined ? `/${route.join('/')}` : probeTemplate(segs);
      countUnconfirmed(hs, template, this.limits.maxUnconfirmedPaths);
      return { host: hostName, method: m, template, class: 'unconfirmed', params: [], merges: [] };
    }

    // Learn.
    const created: CreatedNode[] = [];
    const outcome = this.learnRoute(hs, segs, created, m);
    if (!outcome.complete) {
      const prefix = outcome.steps.map((s) => s.text);
      const template = `/${[...prefix, '{rest+}'].join('/')}`;
      hs.overflow[template] = (hs.overflow[template] ?? 0) + 1;
      return { host: hostName, method: m, template, class: 'overflow', params: [], merges: [] };
    }
    const last = outcome.steps[outcome.steps.length - 1]?.node ?? hs.root;
    last.m = last.m ?? {};
    const newMethod = last.m[m] === undefined;
    last.m[m] = (last.m[m] ?? 0) + 1;
    // A parameter that takes words now ends an endpoint of a method it did not: the leaves left beside
    // it answering that method fit it now (they would be routed there), so their position is judged
    // again rather than only when more literals arrive.
    const beside = outcome.steps[outcome.steps.length - 2]?.node;
    if (newMethod && (last as PNode).u && !(last as PNode).d && beside?.l)
      created.push({
        parent: beside,
        depth: outcome.steps.length - 1,
        parentText: undefined,
        isParam: false,
        again: true,
      });
    for (const step of outcome.steps) step.node.h++;
    if (outcome.steps.length === 0) hs.root.h++;

    // Merges are decided once the path is in the tree, shallowest position first.
    for (const c of created) {
      // An earlier merge of this request may have folded this node elsewhere: judge only attached nodes.
      if (this.pendingMerges.length > 0 && !findPrefix(hs.root, c.parent, [])) continue;
      if (c.extensions) this.evaluateExtensions(hs, hostName, c.parent, c.depth);
      else if (c.again) this.rejudgeAt(hs, hostName, c.parent, c.depth);
      else this.evaluate(hs, hostName, c.parent, c.depth, c.parentText, c.isParam, c.grandText, c.above);
    }

    if (isFileLike(segs[segs.length - 1])) this.noteFile(hs, hostName, outcome.steps, segs[segs.length - 1] as string);

    const final = this.lookupSegments(hs, m, segs);
    if (final) return this.result(hostName, m, final, 'api', tail);
    // Cannot happen (the path was just learnt), but never lose the request.
    return this.result(hostName, m, outcome.steps, 'api', tail);
  }

  /** Templates a path without learning (for a request of another window, a preview, a test). */
  lookup(host: string, method: string, path: string): { template: string; params: TemplateParam[] } | undefined {
    const hs = this.state.hosts[`=${host.toLowerCase()}`];
    if (!hs) return undefined;
    const steps = this.lookupSegments(hs, method.toUpperCase(), splitPath(path).slice(0, this.limits.maxDepth));
    if (!steps) return undefined;
    return {
      template: `/${steps.map((s) => s.text).join('/')}`,
      params: steps.flatMap((s) => (s.param ? [s.param] : [])),
    };
  }

  /** Every endpoint learnt: host, method, template, successful requests, parameters with kinds. */
  endpoints(): Array<{ host: string; method: string; template: string; requests: number; params: TemplateParam[] }> {
    const out: Array<{ host: string; method: string; template: string; requests: number; params: TemplateParam[] }> =
      [];
    for (const [key, hs] of Object.entries(this.state.hosts)) {
      const host = key.slice(1);
      walk(hs.root, [], [], (node, texts, params) => {
        for (const [method, requests] of Object.entries(node.m ?? {})) {
          out.push({ host, method, template: `/${texts.join('/')}`, requests, params: [...params] });
        }
      });
    }
    return out;
  }

  /** Counts kept apart from endpoints, per host. */
  apart(): Array<{
    host: string;
    unconfirmed: number;
    assets: number;
    overflow: number;
    topUnconfirmed: Record<string, number>;
  }> {
    return Object.entries(this.state.hosts).map(([key, hs]) => ({
      host: key.slice(1),
      unconfirmed: hs.unconfirmed.total,
      assets: hs.assets,
      overflow: Object.values(hs.overflow).reduce((a, b) => a + b, 0),
      topUnconfirmed: { ...hs.unconfirmed.top },
    }));
  }

  // -------------------------------------------------------------------------------------------

  /** The tree a request to `host` is learnt in: its own, or the shared `(other)` once the host budget is spent. */
  hostName(host: string): string {
    const h = host.toLowerCase();
    if (this.state.hosts[`=${h}`]) return h;
    if (Object.keys(this.state.hosts).length >= this.limits.maxHosts) return OTHER_HOST;
    return h;
  }

  private host(name: string): HostState {
    let hs = this.state.hosts[`=${name}`];
    if (!hs) {
      hs = { root: { h: 0 }, nodes: 1, overflow: {}, unconfirmed: { total: 0, top: {} }, assets: 0 };
      this.state.hosts[`=${name}`] = hs;
      for (const o of this.state.overrides) if (o.host.toLowerCase() === name) this.applyOverride(hs, name, o);
    }
    return hs;
  }

  private result(host: string, method: string, steps: RouteStep[], cls: RequestClass, tail?: string): ObserveResult {
    let template = `/${steps.map((s) => s.text).join('/')}`;
    if (tail !== undefined) template += '/{rest+}';
    return {
      host,
      method,
      template,
      class: cls,
      params: steps.flatMap((s) => (s.param ? [s.param] : [])),
      merges: this.pendingMerges,
    };
  }

  /** Read-only routing; undefined unless the path ends at an endpoint of `method`. */
  private lookupSegments(hs: HostState, method: string, segs: readonly string[]): RouteStep[] | undefined {
    const steps: RouteStep[] = [];
    const found = this.lookupFrom(hs.root, segs, 0, method, steps, []);
    return found ? steps : undefined;
  }

  private lookupFrom(
    node: TNode,
    segs: readonly string[],
    i: number,
    method: string | undefined,
    steps: RouteStep[],
    names: string[],
  ): boolean {
    if (i === segs.length) return method === undefined ? mayEnd(node) : node.m?.[method] !== undefined;
    const s = segs[i] as string;
    const l = lit(node, s);
    const mark = steps.length;
    if (l) {
      steps.push({ node: l, text: escapeLiteral(s) });
      if (this.lookupFrom(l, segs, i + 1, method, steps, names)) return true;
      steps.length = mark;
    }
    const info = segmentInfo(s, i);
    const candidates: Array<[string, PNode]> = [];
    const ps = node.p ?? {};
    if (info.kind !== 'word') {
      const bySuffix = ps[info.suffix];
      if (bySuffix) candidates.push([info.suffix, bySuffix]);
      const anyExtension = ps[ANY_EXTENSION];
      if (info.suffix !== '' && anyExtension) candidates.push([ANY_EXTENSION, anyExtension]);
      const plain = ps[''];
      if (info.suffix !== '' && plain && plain.u) candidates.push(['', plain]);
    } else if (s !== '') {
      const { suffix } = splitSuffix(s);
      const bySuffix = suffix !== '' ? ps[suffix] : undefined;
      if (bySuffix?.u) candidates.push([suffix, bySuffix]);
      const plain = ps[''];
      if (plain?.u) candidates.push(['', plain]);
    }
    for (const [suffix, p] of candidates) {
      const kind: ParamKind = info.kind === 'word' ? 'slug' : info.kind;
      steps.push({ node: p, text: paramText(p, suffix), param: { index: i, name: p.name, kind } });
      if (this.lookupFrom(p, segs, i + 1, method, steps, names)) return true;
      steps.length = mark;
    }
    const greedy = ps['+'];
    if (greedy) {
      steps.push({ node: greedy, text: paramText(greedy, '+'), param: { index: i, name: greedy.name, kind: 'any' } });
      if (method === undefined ? mayEnd(greedy) : greedy.m?.[method] !== undefined) return true;
      steps.length = mark;
    }
    return false;
  }

  /** Routes a successful request, creating nodes as needed. */
  private learnRoute(hs: HostState, segs: readonly string[], created: CreatedNode[], method?: string): RouteOutcome {
    const steps: RouteStep[] = [];
    let node = hs.root;
    let parentText: string | undefined;
    let parentIsParam = false;
    /** The literal segment before `parentText` (undefined after a parameter or at the root). */
    let grandText: string | undefined;
    /** The node above `node` (undefined at the root). */
    let above: TNode | undefined;
    /** Queues the position below `node` for a merge decision once the path is in the tree. */
    const judgeLater = (depth: number) =>
      created.push({
        parent: node,
        depth,
        parentText: parentIsParam ? undefined : parentText,
        isParam: parentIsParam,
        grandText,
        above,
      });
    /** Steps from `node` into its literal child for `segment`. */
    const enterLiteral = (child: TNode, segment: string) => {
      steps.push({ node: child, text: escapeLiteral(segment) });
      above = node;
      node = child;
      grandText = parentIsParam ? undefined : parentText;
      parentText = segment;
      parentIsParam = false;
    };
    const names: string[] = [];
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i] as string;
      const greedy = node.p?.['+'];
      if (greedy) {
        steps.push({ node: greedy, text: paramText(greedy, '+'), param: { index: i, name: greedy.name, kind: 'any' } });
        return { steps, complete: true, stoppedAt: segs.length };
      }
      const l = lit(node, s);
      if (l) {
        // A literal left beside a parameter is re-judged now and then as evidence grows; any other
        // literal more rarely (its subtree may have settled since: `/metadata/global/{key}`).
        if (!l.pin && (((l.h & 7) === 7 && node.p?.['']?.u) || (l.h & 63) === 63)) judgeLater(i);
        enterLiteral(l, s);
        continue;
      }
      const info = segmentInfo(s, i);
      const rest = segs.slice(i + 1);
      let next: { node: PNode; suffix: string } | undefined;
      if (info.kind !== 'word' && !node.split) {
        let p = node.p?.[info.suffix];
        if (!p && info.suffix !== '' && node.p?.['']?.u) p = node.p[''];
        if (!p && info.suffix !== '') p = node.p?.[ANY_EXTENSION];
        if (!p) {
          if (hs.nodes >= this.limits.maxNodesPerHost) return { steps, complete: false, stoppedAt: i };
          p = {
            h: 0,
            name: uniqueName(paramNameFor(parentIsParam ? undefined : parentText, info.kind), names),
            kinds: [],
            auto: 1,
          };
          node.p = node.p ?? {};
          node.p[info.suffix] = p;
          hs.nodes++;
          if (info.suffix !== '')
            created.push({ parent: node, depth: i, parentText: undefined, isParam: false, extensions: true });
        }
        addKind(p, info.kind);
        next = { node: p, suffix: suffixOf(node, p) };
      } else if (!node.split && !isSeparator(s)) {
        // (The empty segment of a trailing slash is never a value, nor a separator such as `-`.)
        const { suffix } = splitSuffix(s);
        const candidates = [suffix !== '' ? node.p?.[suffix] : undefined, node.p?.['']];
        for (const p of candidates) {
          if (
            p?.u &&
            this.canRoute(p, rest) &&
            !(rest.length === 0 && isActionOf(p, method)) &&
            !lowerAmongUpper(p, s) &&
            !(rest.length > 0 && !p.d && rest[0] !== s && keyedByOwnValue(p, rest[0] as string))
          ) {
            // (Not a word followed by one of the parameter's own values: `/schema-registry/config/{subject}`.)
            next = { node: p, suffix: node.p?.[suffix] === p ? suffix : '' };
            addKind(p, 'slug');
            remember(hs, s);
            sample(p, s);
            break;
          }
        }
      }
      if (next) {
        // Literals left beside a parameter that takes words are re-judged as values keep arriving
        // through it (a word routed there creates no literal, so would never trigger a judgement).
        if (info.kind === 'word' && next.node.u && (next.node.h & 7) === 7 && unpinned(node).length > 0) judgeLater(i);
        const kind: ParamKind = info.kind === 'word' ? 'slug' : info.kind;
        steps.push({
          node: next.node,
          text: paramText(next.node, next.suffix),
          param: { index: i, name: next.node.name, kind },
        });
        names.push(next.node.name);
        above = node;
        node = next.node;
        grandText = undefined;
        parentText = undefined;
        parentIsParam = true;
        continue;
      }
      // A new literal.
      if (hs.nodes >= this.limits.maxNodesPerHost) return { steps, complete: false, stoppedAt: i };
      const count = node.l ? Object.keys(node.l).length : 0;
      if (count >= this.limits.maxLiteralsPerNode) {
        // Memory bound: fold this position's literals into a parameter, then route through it.
        if (node.split || unpinned(node).length === 0) return { steps, complete: false, stoppedAt: i };
        this.mergeAt(hs, this.hostNameOf(hs), node, i, parentIsParam ? undefined : parentText, unpinned(node), 'cap');
        i--;
        continue;
      }
      const fresh: TNode = { h: 0 };
      node.l = node.l ?? {};
      node.l[`=${s}`] = fresh;
      hs.nodes++;
      judgeLater(i);
      enterLiteral(fresh, s);
    }
    return { steps, complete: true, stoppedAt: segs.length };
  }

  /**
   * Slash-spanning parameters (`…/raw/{filepath}`, `…/proxy/{path}`): when file-like names arrive
   * both directly below a position and deeper below it, the position takes a greedy `{path+}`.
   */
  private noteFile(hs: HostState, host: string, steps: RouteStep[], file: string): void {
    const last = steps.length - 1;
    let chosen: { node: TNode; index: number } | undefined;
    /** Whether the file is reached from the current ancestor through a parameter (not directory names only). */
    let viaParam = false;
    for (let k = 1; k <= Math.min(6, last); k++) {
      const a = steps[last - k]?.node;
      if (!a || a.p?.['+']) return;
      if (k >= 2 && steps[last - k + 1]?.param) viaParam = true;
      a.fd = (a.fd ?? 0) | (1 << k);
      if (k === 1) {
        const names = a.fn ?? [];
        const name = file.slice(0, 64);
        if (names.length < 3 && !names.includes(name)) names.push(name);
        a.fn = names;
      } else {
        a.fc = (a.fc ?? 0) + 1;
        if (!viaParam) a.fl = (a.fl ?? 0) + 1;
      }
      if (a.split) continue;
      const direct = a.fn?.length ?? 0;
      // Several distinct files directly below, and files deeper below too; or fewer (four in all,
      // two of them direct files of distinct stems) when the deeper files are reached through
      // literal segments only (`editorconfig/docs/x.txt` beside `editorconfig/y.go`): file names at
      // several depths below words are a path that spans `/`, whichever depth skewed traffic shows
      // first. (One stem in two extensions, `signing-key.gpg` and `signing-key.pub`, is one resource
      // in two representations, not a directory's files; and files reached through a parameter say
      // nothing about the position.)
      const stems = new Set((a.fn ?? []).map((name) => splitSuffix(name).stem)).size;
      const fileTree = stems >= 2 && (a.fl ?? 0) >= 1 && direct + (a.fl ?? 0) >= MIN_GREEDY_FILES;
      if ((direct >= 3 && (a.fc ?? 0) >= 3) || fileTree) chosen = { node: a, index: last - k };
    }
    if (!chosen) return;
    const a = chosen.node;
    const before = snapshotTemplates(hs.root, a);
    a.p = a.p ?? {};
    const g: PNode = a.p['+'] ?? { h: 0, name: 'path', kinds: ['any'], u: 1, auto: 1 };
    a.p['+'] = g;
    let distinct = 0;
    const fold = (n: TNode) => {
      g.h += n.h;
      for (const [method, count] of Object.entries(n.m ?? {})) {
        g.m = g.m ?? {};
        g.m[method] = (g.m[method] ?? 0) + count;
      }
      hs.nodes--;
      for (const c of Object.values(n.l ?? {})) fold(c);
      for (const c of Object.values(n.p ?? {})) fold(c);
    };
    for (const [key, child] of Object.entries(a.l ?? {})) {
      if (child.pin) continue;
      distinct++;
      fold(child);
      delete a.l?.[key];
    }
    for (const [suffix, child] of Object.entries(a.p)) {
      if (suffix === '+') continue;
      distinct++;
      fold(child);
      delete a.p[suffix];
    }
    hs.nodes++;
    this.emitMerges(hs, host, before, {
      segmentIndex: chosen.index + 1,
      distinctValues: distinct,
      requests: g.h,
      kinds: ['any'],
      reason: 'greedy',
    });
  }

  private hostNameOf(hs: HostState): string {
    for (const [k, v] of Object.entries(this.state.hosts)) if (v === hs) return k.slice(1);
    return OTHER_HOST;
  }

  /** Whether `rest` can be routed below `node` through existing structure (any method). */
  private canRoute(node: TNode, rest: readonly string[]): boolean {
    // A value followed by a sub-path below a parameter that has sub-paths (a new sub-resource of
    // a known value), or a value alone where the parameter ends an endpoint: the parameter.
    if (rest.length === 0 ? mayEnd(node) : hasChildren(node)) return true;
    return this.lookupFrom(node, rest, 0, undefined, [], []);
  }

  /**
   * Decides whether the untyped literals below `node` (children at `depth`) are values, and merges
   * them into a parameter if so. `parentText` is the literal segment `node` stands for (undefined at
   * the root or for a parameter).
   */
  private evaluate(
    hs: HostState,
    host: string,
    node: TNode,
    depth: number,
    parentText: string | undefined,
    nodeIsParam: boolean,
    grandText?: string,
    above?: TNode,
  ): void {
    if (node.split || !node.l) return;
    const all = unpinned(node);
    if (all.length === 0 || (all.length < 2 && !Object.values(node.p ?? {}).some((p) => p.u))) return;
    // Literals carrying an extension (`Calls.json`) are judged with their own kind.
    const groups = new Map<string, Array<[string, TNode]>>();
    for (const entry of all) {
      const { suffix } = splitSuffix(entry[0]);
      const key = suffix;
      const g = groups.get(key);
      if (g) g.push(entry);
      else groups.set(key, [entry]);
    }
    for (const [suffix, group] of groups) {
      const decision = this.decide(node, group, depth, parentText, nodeIsParam, suffix, hs.vocab, grandText, above);
      if (decision) this.mergeAt(hs, host, node, depth, parentText, decision.values, decision.reason, suffix);
    }
  }

  private decide(
    node: TNode,
    group: Array<[string, TNode]>,
    depth: number,
    parentText: string | undefined,
    nodeIsParam: boolean,
    suffix: string,
    vocab: Record<string, 1> | undefined,
    grandText?: string,
    above?: TNode,
  ): { values: Array<[string, TNode]>; reason: MergeReason } | undefined {
    const existing = node.p?.[suffix];
    const reference = existing?.u ? existing : undefined;
    // Shape protection: a few leaf endpoints among positions that are otherwise inner nodes
    // (`/repos/search` beside `/repos/{owner}/{repo}/...`) are names. Many such leaves are values.
    const isLeaf = (n: TNode) => hasTerminal(n) && !hasChildren(n);
    const leafCount = group.filter(([, n]) => isLeaf(n)).length;
    const mostlyInner = reference
      ? hasChildren(reference) && !hasTerminal(reference)
      : group.length - leafCount >= 0.8 * group.length;
    const leavesAreValues = leafCount >= 6 && hapaxOf(group.filter(([, n]) => isLeaf(n))) >= 0.5;
    // Versions (`v1`, `2.0`) are never values.
    let candidates = group.filter(
      ([text, n]) => !isSeparator(text) && !isVersionSegment(text) && !(mostlyInner && isLeaf(n) && !leavesAreValues),
    );
    // Sub-collection protection: a word whose children are the values of its own position
    // (`/schema-registry/config/{subject}` beside `/schema-registry/{subject}`) is a collection name,
    // not a value: a value's children are sub-resource names, never its own peers.
    const peers = new Set([...group.map(([text]) => text), ...(reference?.vs ?? [])]);
    // Only a few such words: when many values are keyed by their peers, it is a pair of parameters
    // of one kind (`/conversion/{from}/{to}` with currencies), not sub-collections.
    const keyed = candidates.filter(([text, c]) => keyedByPeers(text, c, peers));
    const withChildren = candidates.filter(([, c]) => hasChildren(c)).length;
    if (keyed.length > 0 && keyed.length <= Math.max(1, 0.2 * withChildren))
      candidates = candidates.filter((entry) => !keyed.includes(entry));
    // Likewise a word whose children are many distinct leaves while its peers have at most one child
    // (a collection of values beside values that have a sub-resource or none).
    if (candidates.length >= 5) {
      const kids = candidates.map(([, c]) => literalEntries(c).length).sort((a, b) => a - b);
      const median = kids[Math.floor(kids.length / 2)] as number;
      if (median <= 1)
        candidates = candidates.filter(([text, c]) => {
          const children = literalEntries(c);
          return (
            !(children.length >= 5 && children.filter(([, n]) => !hasChildren(n)).length >= 0.8 * children.length) ||
            // (Unless the parameter beside it takes those leaves: a value whose keys were not merged yet.)
            (reference !== undefined && this.fitsBelow(reference, text, c))
          );
        });
    }
    // Action protection: a leaf answering only POST where no value answers POST
    // (`POST /runners/registration-token` beside `GET|DELETE /runners/{runner}`) is an action name:
    // by REST convention an item is read, replaced, patched or deleted, and POST goes to collections
    // and actions.
    // (A heavy hitter neither vouches for the others' methods nor is vouched for, as it is no member
    // of a collection either: `validate-name`, a popular action written with POST, stays a name
    // beside `subscription` written with POST too.)
    const heavy = Math.max(20, 0.1 * candidates.reduce((a, [, c]) => a + c.h, 0));
    const answered = (except: TNode) => {
      const methods = new Set(Object.keys(reference?.m ?? {}));
      let members = reference && hasTerminal(reference) ? 3 : 0;
      for (const [, c] of candidates) {
        if (c === except || !hasTerminal(c)) continue;
        members++;
        if (c.h < heavy && except.h < heavy) for (const k of Object.keys(c.m ?? {})) methods.add(k);
      }
      return members >= 3 ? methods : undefined;
    };
    // (POST among other methods too: `GET|POST /registries/subscription` is a singleton resource,
    // written in place; were it an item, its peers would answer POST as well. Only POST: PUT and
    // PATCH are item methods, and skewed traffic writes one item long before its peers.)
    candidates = candidates.filter(([, c]) => {
      if (!isLeaf(c) || c.m?.POST === undefined) return true;
      const methods = answered(c);
      return methods === undefined || methods.has('POST');
    });
    // Case protection: among ALL-CAPS values (tickers, codes), a lower-case word is a name (`/tickers/types`).
    const upper = candidates.filter(([t]) => caseClass(t) === 'upper').length;
    if (candidates.length >= 5 && upper >= 0.8 * candidates.length)
      candidates = candidates.filter(([t]) => caseClass(t) !== 'lower');
    // Beside a parameter that already holds values, one literal is enough to judge (it may join it).
    if (candidates.length < (reference ? 1 : 2)) return undefined;

    // Heavy hitters (a popular account, `/users/me`) do not dilute the evidence about the others:
    // the hapax ratio is computed without them (they are merged with the rest all the same).
    const total = candidates.reduce((a, [, c]) => a + c.h, 0);
    const d = candidates.length;
    let n = 0;
    let singles = 0;
    /** Candidates that are not heavy hitters: the long tail values show. */
    let tail = 0;
    const valueLike: Array<[string, TNode]> = [];
    let leaves = 0;
    let known = 0;
    for (const entry of candidates) {
      const [text, c] = entry;
      if (!(c.h >= Math.max(20, 0.1 * total))) {
        tail++;
        n += c.h;
        if (c.h <= 1) singles++;
      }
      if (isValueLike(splitSuffix(text).stem)) valueLike.push(entry);
      if (!hasChildren(c)) leaves++;
      // (A representation of a value is as known as the value: `CA.json` after `CA` was merged.)
      if (vocab?.[`=${text}`] || (suffix !== '' && vocab?.[`=${splitSuffix(text).stem}`])) known++;
    }
    const hapax = n > 0 ? singles / n : 0;
    // A typed parameter at this position (`/accounts/{id}` beside `/accounts/search`): REST
    // convention says the words beside it are names (actions, sub-collections).
    const typedSibling = existing !== undefined && !existing.u;
    // A word in a value slot (right below a plural collection name: `/realms/master/…`,
    // `/namespaces/default/…`) may itself be a value not yet merged: by REST convention, what follows
    // it is a sub-resource name, exactly as after a parameter.
    // (Leaves there are judged as usual: `/timelines/tag/{hashtag}`.)
    const inValueSlot =
      parentText !== undefined &&
      grandText !== undefined &&
      isValueSlot(grandText, parentText) &&
      group.length - leafCount >= 0.5 * group.length;
    // Words in a naming convention (`frontend_cpu_utilization`, `ThisMonth`) are designed names.
    const designed = candidates.filter(([t]) => isDesignedName(splitSuffix(t).stem)).length >= 0.8 * d;
    // A singular word beside its own plural (`/user/…` beside `/users/{username}`): the plural holds
    // the values, the singular is one resource (the caller's own), whose children are its sub-resources.
    // (Only when the plural visibly holds values: `/wiki/page/{name}` beside the list `/wiki/pages`
    // is a collection under another name.)
    const plural =
      parentText === undefined || isPlural(parentText) || above === undefined
        ? undefined
        : (lit(above, `${parentText}s`) ?? lit(above, `${parentText}es`));
    const singularBeside = Object.keys(plural?.p ?? {}).length > 0;
    const strictByPlace =
      depth === 0 ||
      singularBeside ||
      nodeIsParam ||
      inValueSlot ||
      designed ||
      (parentText !== undefined && isVersionSegment(parentText));
    const strict = strictByPlace || typedSibling;
    if (reference) {
      // Beside a parameter that already holds values: a literal whose children are mostly the
      // parameter's children is one more value; several leaves where the parameter ends endpoints too.
      const refNames = new Set(literalEntries(reference).map(([name]) => name));
      const inner = candidates.filter(([, c]) => {
        const names = literalEntries(c).map(([name]) => name);
        return names.length >= 2 && names.filter((x) => refNames.has(x)).length >= 0.5 * names.length;
      });
      // (Leaves answering only methods the parameter answers, or that three leaves or more answer:
      // one word written with a method no value answers, `PATCH /notifications/policy` beside
      // `GET /notifications/{key}`, is a singleton resource; several written alike are items.)
      const leaves = hasTerminal(reference) ? candidates.filter(([, c]) => !hasChildren(c)) : [];
      const writers = new Map<string, number>();
      for (const [, c] of leaves) for (const m of Object.keys(c.m ?? {})) writers.set(m, (writers.get(m) ?? 0) + 1);
      // (Nor a leaf requested ten times more than the parameter's values on average, and over 20 times:
      // a name carrying its own operation's traffic, left beside the values when they merged.)
      const perValue = reference.h / Math.max(1, reference.vs?.length ?? 1);
      const leafJoin = leaves.filter(
        ([, c]) =>
          c.h <= Math.max(20, 10 * perValue) &&
          Object.keys(c.m ?? {}).every((m) => reference.m?.[m] !== undefined || (writers.get(m) ?? 0) >= 3),
      );
      // A word keyed below by the parameter's own parameters, with no other sub-resource (`/localization/fi/{key}`).
      const refSuffixes = Object.keys(reference.p ?? {});
      const shapeJoin = candidates.filter(
        ([text, c]) =>
          !isPlural(text) &&
          c.p !== undefined &&
          Object.keys(c.p).length > 0 &&
          Object.keys(c.p).every((k) => refSuffixes.includes(k)) &&
          literalEntries(c).every(([name]) => refNames.has(name)) &&
          // …no deeper than the parameter's own (`/open-close/crypto/{from}/{to}/{date}` beside
          // `/open-close/{ticker}/{date}` is another resource).
          reaches(reference, subtreeHeight(c)) &&
          !inner.some(([t]) => t === text),
      );
      // A word answering only what the parameter answers, whose children (two or more) are all leaves
      // the parameter's own subtree takes (`/localization/pt-BR/<key>` beside
      // `/localization/{locale}/{key}`): arriving after the merge, it would have been routed there.
      const routeJoin = candidates.filter(
        ([text, c]) =>
          !inner.some(([t]) => t === text) &&
          !shapeJoin.some(([t]) => t === text) &&
          this.fitsBelow(reference, text, c),
      );
      const joiners = [...inner, ...shapeJoin, ...routeJoin, ...(leafJoin.length >= 3 ? leafJoin : [])];
      if (joiners.length > 0) return { values: joiners, reason: 'joins-parameter' };
    }
    // Beside a typed id, the names REST puts there (`search`, `count`, `me`) are a handful of actions;
    // twenty distinct leaf words, most of them seen once, are a second kind of key for the same items
    // (`/images/{id}` and `/images/{slug}`), not names. Other strict positions keep forty.
    const minDistinct = reference
      ? 3
      : !strictByPlace && typedSibling && leaves === d && hapax >= 0.5
        ? MIN_KEYS_BESIDE_TYPED
        : strict
          ? 40
          : 12;
    if (d >= minDistinct && hapax >= 0.4) return { values: candidates, reason: 'cardinality' };
    // Cousins: the same question asked below each sibling of this word (`/localization/de/<key>`,
    // `/localization/fr/<key>`): leaves pooled over the siblings' children are the evidence.
    if (!strict && !reference && above && d >= 2 && leaves === d && parentText !== undefined) {
      const cousins = pooledLeaves(above, node, suffix);
      if (cousins.distinct >= minDistinct && cousins.hapax >= 0.4) return { values: candidates, reason: 'cardinality' };
    }
    // Words already merged as values elsewhere on this host (`/apis/batch/v1/namespaces/team-a`
    // after `/api/v1/namespaces/{namespace}` absorbed `team-a`).
    if (!typedSibling && known >= 3 && known >= 0.5 * d) return { values: candidates, reason: 'known-values' };
    if (valueLike.length >= 3 && valueLike.length >= 0.5 * d) {
      // The other words join them only if they go on the same way (`/open-close/crypto/{from}/{to}`
      // beside `/open-close/I:NDX/{date}` is a name: a value's path goes on like its peers').
      // (Nor a word requested ten times more than the busiest value: values share one operation's
      // traffic, a name carries its own. `/pulls/{index}/commits` beside the head branches of
      // `/pulls/{base}/{head}`.)
      const others = reference || typedSibling ? [] : candidates.filter((e) => !valueLike.includes(e));
      const busiest = Math.max(...valueLike.map(([, c]) => c.h));
      return {
        values: [...valueLike, ...others.filter(([, c]) => c.h <= 10 * busiest && continuesLike(c, valueLike))],
        reason: 'value-like',
      };
    }
    // Members of a plural collection (`/branches/main`, `/capabilities/transfers`): leaves, several,
    // mostly seen rarely, and no typed id beside them. Heavy hitters do not count toward the five:
    // two popular words and three rare ones are a small set of names (`/timelines/{home,public,…}`),
    // values show as a long tail.
    if (
      !strict &&
      !reference &&
      parentText !== undefined &&
      isPlural(parentText) &&
      d >= 5 &&
      tail >= 5 &&
      leaves >= 0.8 * d &&
      hapax >= 0.25 &&
      // A member followed directly by a parameter (`/timelines/tag/{hashtag}`, `/timelines/list/{id}`)
      // is a qualifier, not an item: its siblings are names too.
      !candidates.some(([, c]) => c.p !== undefined && Object.keys(c.p).length > 0)
    ) {
      return { values: candidates, reason: 'plural-collection' };
    }
    // Words each followed by the same chain of parameters (`/range/{n}/day/{from}/{to}`, `/hour/{from}/{to}`).
    if (d >= 3) {
      const sig = paramChainSignature(candidates[0]?.[1]);
      if (sig !== undefined && candidates.every(([, c]) => paramChainSignature(c) === sig)) {
        return { values: candidates, reason: 'similar-subtrees' };
      }
      // …or the same single path of names and parameters (`/billing/{urn}/insights/{from}/{to}`), where
      // the position is not strict.
      const named = strict ? undefined : paramChainSignature(candidates[0]?.[1], true);
      if (named !== undefined && candidates.every(([, c]) => paramChainSignature(c, true) === named)) {
        return { values: candidates, reason: 'similar-subtrees' };
      }
    }
    // Same-shape twins: words that are not collection names, each keyed below by the same parameters
    // answering the same methods (`/localization/ja/{key}` and `/localization/de/{key}`;
    // `/metadata/global/{key}` and `/metadata/enterprise/{key}`): one resource addressed by a value,
    // not distinct resources. Three such words (methods may differ: traffic is skewed), or two with
    // the same methods (or one's among the other's) on a shape of at least three endpoints. Not below a plural collection
    // name: there, a few same-shaped words are members the designer enumerated one by one
    // (`/indicators/sma/{ticker}`, `/indicators/ema/{ticker}`); values there are judged by number.
    if (!strict && parentText !== undefined && !isPlural(parentText)) {
      const byShape = new Map<string, Array<[string, TNode]>>();
      const byFull = new Map<string, Array<[string, TNode]>>();
      let best: Array<[string, TNode]> = [];
      const wide: Array<{ entry: [string, TNode]; structure: string; ends: Set<string> }> = [];
      for (const entry of candidates) {
        const [text, c] = entry;
        if (isPlural(text) || isDesignedName(splitSuffix(text).stem)) continue;
        const shape = paramShape(c);
        if (shape === undefined) continue;
        const loose = byShape.get(shape.structure) ?? [];
        loose.push(entry);
        byShape.set(shape.structure, loose);
        if (loose.length >= 3 && loose.length > best.length) best = loose;
        if (shape.endpoints >= 3) {
          const full = byFull.get(shape.sig) ?? [];
          full.push(entry);
          byFull.set(shape.sig, full);
          if (full.length >= 2 && best.length < 2) best = full;
          wide.push({ entry, structure: shape.structure, ends: new Set(shape.ends) });
        }
      }
      // (Two twins whose endpoints, three or more, are all among the other's: the rarer one has not
      // shown every method yet, as skewed traffic goes: `/metadata/global/{key}` answering
      // GET|PUT|DELETE beside `/metadata/enterprise/{key}` answering those and POST.)
      if (best.length < 2) {
        for (const a of wide)
          for (const b of wide)
            if (a !== b && best.length < 2 && a.structure === b.structure && [...a.ends].every((e) => b.ends.has(e)))
              best = [a.entry, b.entry];
      }
      if (best.length >= 2) return { values: best, reason: 'similar-subtrees' };
    }
    // Similar subtrees: most candidates have the same static children.
    const withKids = candidates.filter(([, c]) => c.l !== undefined && Object.keys(c.l).length > 0);
    if (!strict && withKids.length >= 3) {
      const freq = new Map<string, number>();
      for (const [, c] of withKids) {
        for (const [name] of literalEntries(c)) {
          if (isVersionSegment(name)) continue;
          freq.set(name, (freq.get(name) ?? 0) + 1);
        }
      }
      const threshold = Math.max(2, Math.ceil(0.3 * withKids.length));
      const common = new Set([...freq].filter(([, k]) => k >= threshold).map(([name]) => name));
      if (common.size >= (parentText !== undefined && isPlural(parentText) ? 1 : 2)) {
        const members = withKids.filter(([, c]) => literalEntries(c).some(([name]) => common.has(name)));
        if (members.length >= Math.max(3, 0.6 * withKids.length))
          return { values: members, reason: 'similar-subtrees' };
      }
    }
    return undefined;
  }

  /**
   * Whether literal `text` (node `c`) beside untyped parameter `p` has only leaf children (at least
   * one), all of which `p`'s subtree takes with their methods, and answers only methods `p` answers:
   * had it arrived after the merge, it would have been routed into `p`.
   */
  private fitsBelow(p: PNode, text: string, c: TNode): boolean {
    if (!hasChildren(c)) return false;
    if (isPlural(text) || isDesignedName(splitSuffix(text).stem)) return false;
    // Its sub-paths, with their methods, all have a place below `p`.
    if (!this.subtreeFits(p, { h: c.h, l: c.l, p: c.p }, 0)) return false;
    // Its own methods are `p`'s; or two endpoints or more below it show the value (`/packages/alice`
    // with `/packages/alice/npm/left-pad`, before `/packages/{owner}` answered GET itself).
    return Object.keys(c.m ?? {}).every((m) => p.m?.[m] !== undefined) || endpointsBelow(c) >= 2;
  }

  /**
   * Whether every endpoint below `c` (sub-path and method) has a place below `p`: the same literal,
   * or an untyped parameter that would take the word, or a parameter of the same suffix.
   */
  private subtreeFits(p: TNode, c: TNode, level: number): boolean {
    if (level > 8) return false;
    if (!Object.keys(c.m ?? {}).every((m) => p.m?.[m] !== undefined)) return false;
    for (const [suffix, q] of Object.entries(c.p ?? {})) {
      const mine = p.p?.[suffix] ?? (suffix.startsWith('.') ? p.p?.[ANY_EXTENSION] : undefined);
      if (!mine || !this.subtreeFits(mine, q, level + 1)) return false;
    }
    const greedy = p.p?.['+'];
    return literalEntries(c).every(([name, k]) => {
      const same = lit(p, name);
      if (same && this.subtreeFits(same, k, level + 1)) return true;
      // (A leaf a greedy parameter takes with its methods: `{path+}`.)
      if (greedy && !hasChildren(k) && Object.keys(k.m ?? {}).every((m) => greedy.m?.[m] !== undefined)) return true;
      if (isSeparator(name) || isVersionSegment(name)) return false;
      const { suffix } = splitSuffix(name);
      const q = (suffix !== '' ? p.p?.[suffix] : undefined) ?? p.p?.[''];
      return q?.u === 1 && !lowerAmongUpper(q, name) && this.subtreeFits(q, k, level + 1);
    });
  }

  /** Merges literal children `values` of `node` into its parameter child (created if needed). */
  private mergeAt(
    hs: HostState,
    host: string,
    node: TNode,
    depth: number,
    parentText: string | undefined,
    values: Array<[string, TNode]>,
    reason: MergeReason,
    suffix = '',
  ): void {
    if (values.length === 0) return;
    const before = snapshotTemplates(hs.root, node);
    node.p = node.p ?? {};
    let target = node.p[suffix];
    const ownBelow = ownValuesBelow(values, target);
    /** Words already below the parameter: the merged values' other words arrive with the merge. */
    const hadBelow = new Set(target ? literalEntries(target).map(([w]) => w) : []);
    if (!target) {
      target = {
        h: 0,
        name: uniqueName(paramNameFor(parentText, 'slug'), ancestorNames(hs.root, node)),
        kinds: [],
        auto: 1,
      };
      node.p[suffix] = target;
      hs.nodes++;
    }
    target.u = 1;
    const methodsBefore = Object.keys(target.m ?? {}).length;
    let requests = 0;
    for (const [text, child] of values) {
      remember(hs, text);
      sample(target, text);
      requests += child.h;
      const kind = segmentInfo(text, depth).kind;
      addKind(target, kind === 'word' ? 'slug' : kind);
      delete node.l?.[`=${text}`];
      hs.nodes -= mergeNodes(target, child);
    }
    if (node.l && Object.keys(node.l).length === 0) delete node.l;
    // Names derived from a merged literal (`/ODZHU/{oDZHUDate}`) no longer mean anything.
    const taken = [...ancestorNames(hs.root, node), target.name];
    for (const child of Object.values(target.p ?? {})) {
      if (child.auto && !taken.includes(child.name) && child.name !== 'id') {
        child.name = uniqueName(paramNameFor(undefined, child.kinds[0] ?? 'any'), taken);
      }
    }
    // Words below the values, each under one value only and with no name beside them, are values of
    // their own (`/packages/{owner}/{type}`): merge them now, before the strict rule below a
    // parameter asks for 40 of them.
    if (ownBelow) {
      const below = target;
      const entries = ownBelow.flatMap((w): Array<[string, TNode]> => {
        const n = lit(below, w);
        return n && !n.pin ? [[w, n]] : [];
      });
      if (!below.split) this.mergeAt(hs, host, below, depth + 1, undefined, entries, 'own-values');
    }
    // Words the merge carried below the parameter go where they would have gone had they arrived
    // after it: into the untyped parameter there, when the rest of their path fits it.
    const carried = target;
    const fits = literalEntries(carried).filter(
      ([w, n]) => !hadBelow.has(w) && !ownBelow?.includes(w) && carriedFits(carried, w, n),
    );
    if (fits.length > 0 && !carried.split)
      this.mergeAt(hs, host, carried, depth + 1, undefined, fits, 'joins-parameter');
    // Pooled values below the parameter may now be values too.
    this.evaluateSubtree(hs, host, target, depth + 1, 0);
    this.emitMerges(hs, host, before, {
      segmentIndex: depth,
      distinctValues: values.length,
      requests,
      kinds: [...target.kinds],
      reason,
    });
    // The word above may now look like its peers (`/localization/ja/{key}` beside `/localization/de/{key}`):
    // judge its position again, now that the position below it is settled.
    this.reevaluateAbove(hs, host, node, depth - 1);
    // The parameter answers a method it did not: the leaves left beside it may fit it now.
    if (Object.keys(target.m ?? {}).length > methodsBefore && reason !== 'declared' && unpinned(node).length > 0)
      this.rejudgeAt(hs, host, node, depth);
  }

  /**
   * One typed value in several extensions (`/pulls/{index}.diff`, `/pulls/{index}.patch`): parameters of
   * a common kind at this position, one per extension, each ending endpoints with no path below and
   * answering a common method, become one parameter with an extension (`{index}.{extension}`).
   */
  private evaluateExtensions(hs: HostState, host: string, node: TNode, depth: number): void {
    if (node.split) return;
    const exts = Object.entries(node.p ?? {}).filter(
      ([suffix, p]) =>
        suffix.startsWith('.') && suffix !== ANY_EXTENSION && !p.d && !p.u && hasTerminal(p) && !hasChildren(p),
    );
    const first = exts[0]?.[1];
    if (!first) return;
    const methods = Object.keys(first.m ?? {});
    const same = exts.filter(
      ([, p]) =>
        p.kinds.some((k) => first.kinds.includes(k)) && Object.keys(p.m ?? {}).some((m) => methods.includes(m)),
    );
    if (same.length < 2) return;
    const before = snapshotTemplates(hs.root, node);
    node.p = node.p ?? {};
    let target = node.p[ANY_EXTENSION];
    if (!target) {
      target = { h: 0, name: first.name, kinds: [], auto: 1 };
      node.p[ANY_EXTENSION] = target;
      hs.nodes++;
    }
    let requests = 0;
    for (const [suffix, p] of same) {
      requests += p.h;
      for (const k of p.kinds) addKind(target, k);
      delete node.p[suffix];
      hs.nodes -= mergeNodes(target, p);
    }
    this.emitMerges(hs, host, before, {
      segmentIndex: depth,
      distinctValues: same.length,
      requests,
      kinds: [...target.kinds],
      reason: 'extension',
    });
  }

  /**
   * Judges again the position below `node` (children at segment `depth`), its context found from the
   * root: the parameter there now ends an endpoint of a method it did not, so the leaves beside it
   * answering that method fit it now (they would be routed there had they arrived after it).
   */
  private rejudgeAt(hs: HostState, host: string, node: TNode, depth: number): void {
    const chain = pathTo(hs.root, node);
    if (!chain || !node.l) return;
    const self = chain[chain.length - 1];
    const up = chain[chain.length - 2];
    const parentText = self && !self.isParam ? self.text : undefined;
    const grandText = parentText !== undefined && up && !up.isParam ? up.text : undefined;
    const above = self ? (up?.node ?? hs.root) : undefined;
    this.evaluate(hs, host, node, depth, parentText, self?.isParam ?? false, grandText, above);
  }

  /** Judges again the position holding `node` (a literal at segment `index`). */
  private reevaluateAbove(hs: HostState, host: string, node: TNode, index: number): void {
    if (index < 0) return;
    const chain = pathTo(hs.root, node);
    if (!chain || chain.length === 0) return;
    const self = chain[chain.length - 1];
    if (!self || self.isParam || node.pin) return;
    const up = chain[chain.length - 2];
    const grand = chain[chain.length - 3];
    const upNode = up?.node ?? hs.root;
    const upText = up && !up.isParam ? up.text : undefined;
    const grandText = up && !up.isParam && grand && !grand.isParam ? grand.text : undefined;
    this.evaluate(hs, host, upNode, index, upText, up?.isParam ?? false, grandText);
  }

  private evaluateSubtree(hs: HostState, host: string, node: TNode, depth: number, level: number): void {
    if (level > this.limits.maxDepth) return;
    const nodeIsParam = (node as PNode).name !== undefined;
    this.evaluate(hs, host, node, depth, undefined, nodeIsParam);
    for (const [text, child] of literalEntries(node)) {
      this.evaluateSubtreeWithText(hs, host, child, depth + 1, level + 1, text, undefined);
    }
    for (const p of Object.values(node.p ?? {})) this.evaluateSubtree(hs, host, p, depth + 1, level + 1);
  }

  private evaluateSubtreeWithText(
    hs: HostState,
    host: string,
    node: TNode,
    depth: number,
    level: number,
    text: string,
    before: string | undefined,
  ): void {
    if (level > this.limits.maxDepth) return;
    this.evaluate(hs, host, node, depth, text, false, before);
    for (const [t, child] of literalEntries(node))
      this.evaluateSubtreeWithText(hs, host, child, depth + 1, level + 1, t, text);
    for (const p of Object.values(node.p ?? {})) this.evaluateSubtree(hs, host, p, depth + 1, level + 1);
  }

  private emitMerges(
    hs: HostState,
    host: string,
    before: Array<{ method: string; template: string }>,
    why: MergeExplanation,
  ): void {
    const byInto = new Map<string, MergeEvent>();
    for (const { method, template } of before) {
      const steps: RouteStep[] = [];
      const segs = templateSegments(template);
      const ok = resolveTemplate(hs.root, segs, 0, method, steps);
      if (!ok) continue;
      const into = `/${steps.map((s) => s.text).join('/')}`;
      if (into === template) continue;
      const key = `${method} ${into}`;
      let ev = byInto.get(key);
      if (!ev) {
        ev = { host, method, from: [], into, explanation: why };
        byInto.set(key, ev);
      }
      if (!ev.from.includes(template)) ev.from.push(template);
    }
    // A template can be renamed through several merges in one request: chain them in order.
    this.pendingMerges.push(...byInto.values());
  }

  // -------------------------------------------------------------------------------------------
  // Declared templates: overrides and gateway routes

  private observeDeclaredRoute(
    hs: HostState,
    host: string,
    method: string,
    segs: readonly string[],
    route: string[],
  ): ObserveResult | undefined {
    const greedyLast = route.length > 0 && isGreedySegment(route[route.length - 1] as string);
    if (greedyLast) {
      // `/api/{proxy+}`: the prefix is authoritative, the rest is learnt from the raw path.
      const prefix = route.slice(0, -1);
      if (segs.length < prefix.length + 1) return undefined;
      this.insertDeclared(hs, host, prefix, undefined, true);
      return undefined;
    }
    const end = this.insertDeclared(hs, host, route, method, true);
    if (!end) return undefined;
    end.m = end.m ?? {};
    end.m[method] = (end.m[method] ?? 0) + 1;
    const params: TemplateParam[] = [];
    route.forEach((seg, index) => {
      if (!isParamSegment(seg)) return;
      const raw = segs.length === route.length ? (segs[index] as string) : '';
      const kind = raw === '' ? 'any' : segmentInfo(raw, index).kind;
      params.push({
        index,
        name: (/\{([^{}+]*)\+?\}/.exec(seg)?.[1] ?? 'id') as string,
        kind: kind === 'word' ? 'slug' : kind,
      });
    });
    const template = `/${route.join('/')}`;
    const merges = this.pendingMerges;
    return { host, method, template, class: 'api', params, merges };
  }

  /**
   * Inserts a declared template into the tree: literals pinned, parameters declared (accepting any
   * value). Literals already learnt at a declared parameter's position are merged into it.
   * Returns the node the template ends at.
   */
  private insertDeclared(
    hs: HostState,
    host: string,
    segs: readonly string[],
    method: string | undefined,
    pinLiterals: boolean,
    endsTemplate = false,
  ): TNode | undefined {
    let node = hs.root;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] as string;
      if (isParamSegment(seg)) {
        const greedy = isGreedySegment(seg);
        const close = seg.lastIndexOf('}');
        const suffix = greedy ? '+' : seg.startsWith('{') && seg.indexOf('}') === close ? seg.slice(close + 1) : '';
        const name = /\{([^{}+]*)\+?\}/.exec(seg)?.[1] || 'id';
        node.p = node.p ?? {};
        let p = node.p[suffix];
        if (!p) {
          p = { h: 0, name, kinds: ['any'] };
          node.p[suffix] = p;
          hs.nodes++;
        }
        const wasDeclared = p.d === 1;
        p.u = 1;
        p.d = 1;
        if (!p.kinds.includes('any')) p.kinds.push('any');
        if (!wasDeclared) {
          p.name = name;
          const values = unpinned(node).filter(([text]) => suffix === '' || text.endsWith(suffix));
          if (values.length > 0) this.mergeAt(hs, host, node, i, undefined, values, 'declared', suffix);
        }
        node = p;
        if (greedy) break;
        continue;
      }
      let l = lit(node, seg);
      if (!l) {
        l = { h: 0 };
        node.l = node.l ?? {};
        node.l[`=${seg}`] = l;
        hs.nodes++;
      }
      if (pinLiterals) l.pin = 1;
      node = l;
    }
    if (method !== undefined) node.m = node.m ?? {};
    else if (endsTemplate) node.dt = 1;
    return node;
  }

  private applyOverride(hs: HostState, host: string, o: DiscoveryOverride): void {
    switch (o.kind) {
      case 'declare': {
        const segs = templateSegments(o.template);
        const end = this.insertDeclared(hs, host, segs, o.method?.toUpperCase(), true, true);
        if (end && o.method) {
          end.m = end.m ?? {};
          end.m[o.method.toUpperCase()] = end.m[o.method.toUpperCase()] ?? 0;
        }
        return;
      }
      case 'pin-static': {
        let node = hs.root;
        for (const seg of templateSegments(o.path)) {
          if (isParamSegment(seg)) {
            node.p = node.p ?? {};
            let p = node.p[''];
            if (!p) {
              p = { h: 0, name: /\{([^{}+]*)\}/.exec(seg)?.[1] || 'id', kinds: ['any'], u: 1, d: 1 };
              node.p[''] = p;
              hs.nodes++;
            }
            node = p;
            continue;
          }
          let l = lit(node, seg);
          if (!l) {
            l = { h: 0 };
            node.l = node.l ?? {};
            node.l[`=${seg}`] = l;
            hs.nodes++;
          }
          l.pin = 1;
          node = l;
        }
        return;
      }
      case 'split': {
        const segs = templateSegments(o.template).slice(0, Math.max(0, o.segmentIndex));
        const node = this.insertDeclared(hs, host, segs, undefined, false);
        if (node) node.split = 1;
        return;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Tree utilities

const MAX_VOCAB = 4096;
/** Files below a position, directly (distinct names) and deeper through directory names, that make it a `{path+}`. */
const MIN_GREEDY_FILES = 4;
/** Distinct leaf words (mostly seen once) beside a typed id that make them a second key, not names. */
const MIN_KEYS_BESIDE_TYPED = 20;
const MAX_SAMPLE = 128;

function sample(p: PNode, word: string): void {
  const vs = p.vs ?? [];
  if (vs.length >= MAX_SAMPLE || word.length > 64 || vs.includes(word)) return;
  vs.push(word);
  p.vs = vs;
}

/** Fewest values (each with words below) and words below them for {@link ownValuesBelow}. */
const MIN_OWN_VALUES = 8;

/**
 * The words below `values` (about to be merged into `target`) when each of them sits below one value
 * only, at least {@link MIN_OWN_VALUES} values have such words, and nothing else is there: no word
 * below two values, none already below `target` (separators and versions aside). A sub-resource name
 * recurs below many items (`/repos/a/issues`, `/repos/b/issues`); a word found below a single value
 * is that value's own item (`/packages/alice/npm`, `/packages/bob/maven`). Undefined otherwise.
 */
function ownValuesBelow(values: ReadonlyArray<[string, TNode]>, target: PNode | undefined): string[] | undefined {
  const parents = new Map<string, number>();
  let withWords = 0;
  for (const [, child] of values) {
    const words = literalEntries(child).filter(([w]) => !isSeparator(w) && !isVersionSegment(w));
    if (words.length > 0) withWords++;
    for (const [w] of words) parents.set(w, (parents.get(w) ?? 0) + 1);
  }
  if (withWords < MIN_OWN_VALUES || parents.size < MIN_OWN_VALUES) return undefined;
  for (const count of parents.values()) if (count > 1) return undefined;
  if (target && literalEntries(target).some(([w]) => !isSeparator(w) && !isVersionSegment(w))) return undefined;
  return [...parents.keys()];
}

/**
 * Whether word `w` (node `n`), carried below `node` by a merge, would have been routed into the
 * untyped parameter beside it: not pinned nor a separator or version; a word with a sub-path where
 * the parameter has sub-paths (and none of its children is one of the parameter's own values), or a
 * leaf answering only methods the parameter answers.
 */
function carriedFits(node: TNode, w: string, n: TNode): boolean {
  const p = node.p?.[''];
  if (!p?.u || n.pin || isSeparator(w) || isVersionSegment(w) || lowerAmongUpper(p, w)) return false;
  if (hasChildren(n)) return hasChildren(p) && !literalEntries(n).some(([k]) => k !== w && keyedByOwnValue(p, k));
  return hasTerminal(n) && Object.keys(n.m ?? {}).every((m) => p.m?.[m] !== undefined);
}

/** Endpoints strictly below `node` (bounded: only compared with small numbers). */
function endpointsBelow(node: TNode, level = 0): number {
  if (level >= 8) return 0;
  let n = 0;
  for (const c of [...Object.values(node.l ?? {}), ...Object.values(node.p ?? {})]) {
    n += Object.keys(c.m ?? {}).length + endpointsBelow(c, level + 1);
    if (n >= 16) return n;
  }
  return n;
}

/** Extensions of API representations (`/Calls.json`): not files. */
const FORMAT_EXTENSIONS = new Set(['json', 'xml', 'csv', 'html', 'htm']);

function isFileLike(segment: string | undefined): boolean {
  if (segment === undefined) return false;
  const m = /\.([A-Za-z][A-Za-z0-9]{0,5})$/.exec(segment);
  return (
    m !== null && !FORMAT_EXTENSIONS.has((m[1] as string).toLowerCase()) && segment.length > (m[0] as string).length
  );
}

function remember(hs: HostState, word: string): void {
  const vocab = hs.vocab ?? {};
  hs.vocab = vocab;
  if (word.length > 64 || vocab[`=${word}`] || (hs.vocabSize ?? 0) >= MAX_VOCAB) return;
  vocab[`=${word}`] = 1;
  hs.vocabSize = (hs.vocabSize ?? 0) + 1;
}

function hapaxOf(entries: ReadonlyArray<[string, TNode]>): number {
  let n = 0;
  let singles = 0;
  for (const [, c] of entries) {
    n += c.h;
    if (c.h <= 1) singles++;
  }
  return n > 0 ? singles / n : 0;
}

function caseClass(word: string): 'upper' | 'lower' | 'mixed' | 'none' {
  const letters = word.replace(/[^A-Za-z]/g, '');
  if (letters === '') return 'none';
  if (letters === letters.toUpperCase()) return 'upper';
  if (letters === letters.toLowerCase()) return 'lower';
  return 'mixed';
}

/**
 * `word` sits where a collection's item goes: right below a plural collection name, and not itself
 * a collection, a version or an action-like file name (`/realms/master`, `/namespaces/default`).
 */
function isValueSlot(collection: string, word: string): boolean {
  return isPlural(collection) && !isPlural(word) && !isVersionSegment(word) && splitSuffix(word).suffix === '';
}

/**
 * A POST ending at untyped parameter `p` that never answered POST, though it has answered enough
 * requests (at least 5) of other methods: an action name, not a value
 * (`POST /runners/registration-token` beside `GET|DELETE /runners/{runner}`). A few such words are
 * enough to judge: values written with POST by mistake kept apart join the parameter again once three
 * leaves are written alike (the singleton rule of `decide()`), and the position is judged again.
 */
function isActionOf(p: PNode, method: string | undefined): boolean {
  if (method !== 'POST' || p.d || !hasTerminal(p) || p.m?.[method] !== undefined) return false;
  let total = 0;
  for (const v of Object.values(p.m ?? {})) total += v;
  return total >= 5;
}

/**
 * Leaves below `node` and below its literal siblings linked to it through shared leaf words, directly
 * or through other siblings (the same values seen from several places: `/localization/de/<key>`,
 * `/localization/fr/<key>`), pooled by word: how many distinct words, and the hapax ratio. Nothing
 * unless three siblings take part (`transfer/accept` and `reparent/accept` are two).
 */
function pooledLeaves(above: TNode, node: TNode, suffix: string): { distinct: number; hapax: number } {
  // A sibling whose leaves already became a parameter shows the words it absorbed (seen once each).
  const leavesOf = (n: TNode): Array<[string, { h: number }]> => [
    ...literalEntries(n).filter(([text, c]) => !c.pin && !hasChildren(c) && splitSuffix(text).suffix === suffix),
    ...(n.p?.[suffix]?.u && !n.p[suffix]?.d
      ? (n.p[suffix]?.vs ?? []).map((w): [string, { h: number }] => [w, { h: 1 }])
      : []),
  ];
  const siblings = literalEntries(above)
    .filter(([, sibling]) => !sibling.pin)
    .map(([, sibling]) => ({ node: sibling, leaves: leavesOf(sibling) }));
  // Siblings asked the same question: linked to `node` through shared leaf words (transitively).
  const words = new Set(leavesOf(node).map(([text]) => text));
  const taken = new Set<TNode>([node]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const sibling of siblings) {
      if (taken.has(sibling.node) || !sibling.leaves.some(([text]) => words.has(text))) continue;
      taken.add(sibling.node);
      for (const [text] of sibling.leaves) words.add(text);
      grew = true;
    }
  }
  if (taken.size < 3) return { distinct: 0, hapax: 0 };
  const counts = new Map<string, number>();
  for (const sibling of siblings) {
    if (!taken.has(sibling.node)) continue;
    for (const [text, c] of sibling.leaves) counts.set(text, (counts.get(text) ?? 0) + c.h);
  }
  let n = 0;
  let singles = 0;
  for (const h of counts.values()) {
    n += h;
    if (h <= 1) singles++;
  }
  return { distinct: counts.size, hapax: n > 0 ? singles / n : 0 };
}

/**
 * `next` follows a word about to be routed into `p`, and `next` is one of `p`'s own values, while the
 * position below `p` is not itself a parameter taking words (a pair of one kind,
 * `/conversion/{from}/{to}` with currencies, is).
 */
function keyedByOwnValue(p: PNode, next: string): boolean {
  if (!p.vs?.includes(next)) return false;
  if (lit(p, next)) return false;
  // Below `p`, a parameter that takes words: the pair case (its sample may be full).
  return !Object.values(p.p ?? {}).some((child) => child.u);
}

/**
 * Whether the literal `text` (node `c`) is keyed by its peers: among its literal children, at least
 * two are words seen at its own position, or one is and its children are mostly leaves (at least 3).
 */
function keyedByPeers(text: string, c: TNode, peers: ReadonlySet<string>): boolean {
  const children = literalEntries(c);
  // (Children already merged into a parameter show in its sample: `config/{subject}` formed before
  // `config` was judged beside the subjects.)
  const absorbed = Object.values(c.p ?? {}).flatMap((q) => (q.u && !q.d ? (q.vs ?? []) : []));
  if (children.length === 0 && absorbed.length === 0) return false;
  let shared = absorbed.filter((w) => w !== text && peers.has(w)).length;
  let leaves = 0;
  for (const [name, n] of children) {
    if (name !== text && peers.has(name)) shared++;
    if (!hasChildren(n)) leaves++;
  }
  return shared >= 2 || (shared >= 1 && children.length >= 3 && leaves >= 0.8 * children.length);
}

/**
 * A lower-case word about to be routed into a parameter whose values are ALL-CAPS (tickers, codes):
 * a name, as the case protection of `decide()` says for words judged together (`/open-close/crypto`
 * beside `/open-close/{AAPL}`).
 */
function lowerAmongUpper(p: PNode, word: string): boolean {
  const vs = p.vs ?? [];
  if (vs.length < 3 || caseClass(word) !== 'lower') return false;
  return vs.filter((v) => caseClass(v) === 'upper').length >= 0.8 * vs.length;
}

/**
 * Whether the path below `c` goes on like the path below at least one of `peers`: both end there, or
 * both go on with literal names (sub-resources), or with a parameter of a common kind. A word going
 * on where its peers take a value (or the reverse) is a name beside them.
 */
function continuesLike(c: TNode, peers: ReadonlyArray<[string, TNode]>): boolean {
  if (!hasChildren(c)) return peers.some(([, n]) => hasTerminal(n) || !hasChildren(n));
  const names = new Set(literalEntries(c).map(([name]) => name));
  const params = Object.entries(c.p ?? {});
  return peers.some(
    ([, n]) =>
      (names.size > 0 && literalEntries(n).length > 0) ||
      params.some(([suffix, p]) => {
        const q = n.p?.[suffix];
        return q !== undefined && (p.u === 1 || q.u === 1 || p.kinds.some((k) => q.kinds.includes(k)));
      }),
  );
}

/**
 * The empty segment of a trailing slash, or a segment without a letter or digit (`-` in
 * `/packages/{owner}/{name}/-/latest`, `~`, `_`): a separator the designer put there, never a value.
 */
function isSeparator(segment: string): boolean {
  return !/[A-Za-z0-9]/.test(segment);
}

/** `branches`, `capabilities`, `IncomingPhoneNumbers`, `flows.json`: a plural collection name. */
function isPlural(word: string): boolean {
  const w = splitSuffix(word).stem;
  // (A noun and an `s`: a stem of one letter is no noun, `cs` and `es` are language codes.)
  return /[a-z]{2}s$/i.test(w) && !/(ss|us|is)$/i.test(w) && classifySegment(w) === 'word';
}

/**
 * The methods of a node and, recursively, of its parameter children (literal children ignored):
 * `GET,POST|{}(DELETE,GET,PUT)`. Undefined without a parameter child that ends an endpoint.
 */
function paramShape(
  node: TNode,
  level = 0,
): { sig: string; structure: string; endpoints: number; ends: string[] } | undefined {
  const methods = Object.keys(node.m ?? {}).sort();
  let endpoints = level === 0 ? 0 : methods.length;
  const parts: string[] = [];
  const structure: string[] = [];
  /** Each endpoint as `path method`, the path in parameter suffixes (`{}/{.json} GET`). */
  const ends = methods.map((m) => ` ${m}`);
  for (const suffix of Object.keys(node.p ?? {}).sort()) {
    if (level >= 4) break;
    const sub = paramShape(node.p?.[suffix] as PNode, level + 1);
    if (sub === undefined) continue;
    parts.push(`{${suffix}}(${sub.sig})`);
    structure.push(`{${suffix}}(${sub.structure})`);
    endpoints += sub.endpoints;
    for (const e of sub.ends) ends.push(`/{${suffix}}${e}`);
  }
  if (level === 0 && (parts.length === 0 || endpoints === 0)) return undefined;
  if (level > 0 && methods.length === 0 && parts.length === 0) return undefined;
  return {
    sig: `${methods.join(',')}|${parts.join(';')}`,
    structure: structure.join(';'),
    endpoints: level === 0 ? endpoints + methods.length : endpoints,
    ends,
  };
}

/** How many segments the longest path below `node` has (bounded: only compared, never exact). */
function subtreeHeight(node: TNode, level = 0): number {
  if (level >= 8) return 0;
  let height = 0;
  for (const c of Object.values(node.p ?? {})) height = Math.max(height, 1 + subtreeHeight(c, level + 1));
  for (const c of Object.values(node.l ?? {})) height = Math.max(height, 1 + subtreeHeight(c, level + 1));
  return height;
}

/** Whether some path below `node` has at least `n` segments (stops at the first one found). */
function reaches(node: TNode, n: number): boolean {
  if (n <= 0) return true;
  for (const c of Object.values(node.p ?? {})) if (reaches(c, n - 1)) return true;
  for (const c of Object.values(node.l ?? {})) if (reaches(c, n - 1)) return true;
  return false;
}

/**
 * The shape below a node when it is only parameters down to a single endpoint
 * (`{date}/{date}` + GET), else undefined. At least two parameters. With `names`, the chain may also
 * go through single literal names (`insights/{date}/{date}`).
 */
function paramChainSignature(node: TNode | undefined, names = false): string | undefined {
  let current = node;
  let depth = 0;
  let sig = '';
  while (current) {
    const lits = literalEntries(current);
    if (lits.length > 0) {
      const only = lits[0] as [string, TNode];
      if (!names || lits.length > 1 || hasTerminal(current) || Object.keys(current.p ?? {}).length > 0)
        return undefined;
      sig += `/${only[0]}`;
      current = only[1];
      continue;
    }
    const ps = Object.entries(current.p ?? {});
    if (ps.length === 0) {
      if (!hasTerminal(current) || depth < 2) return undefined;
      return `${sig}|${Object.keys(current.m ?? {})
        .sort()
        .join(',')}`;
    }
    if (ps.length > 1 || hasTerminal(current)) return undefined;
    const [suffix, p] = ps[0] as [string, PNode];
    sig += `/{${[...p.kinds].sort().join(',')}}${suffix}`;
    current = p;
    depth++;
  }
  return undefined;
}

function unpinned(node: TNode): Array<[string, TNode]> {
  return literalEntries(node).filter(([, n]) => !n.pin);
}

/** Folds `src` into `dst`; returns how many nodes disappeared. */
function mergeNodes(dst: TNode, src: TNode): number {
  let removed = 1;
  dst.h += src.h;
  if (src.pin) dst.pin = 1;
  if (src.dt) dst.dt = 1;
  for (const [method, count] of Object.entries(src.m ?? {})) {
    dst.m = dst.m ?? {};
    dst.m[method] = (dst.m[method] ?? 0) + count;
  }
  for (const [key, child] of Object.entries(src.l ?? {})) {
    const existing = dst.l?.[key];
    if (existing) removed += mergeNodes(existing, child);
    else {
      dst.l = dst.l ?? {};
      dst.l[key] = child;
    }
  }
  for (const [suffix, child] of Object.entries(src.p ?? {})) {
    const existing = dst.p?.[suffix];
    if (existing) {
      removed += mergeNodes(existing, child);
      for (const k of child.kinds) addKind(existing, k);
      if (child.u) existing.u = 1;
      if (child.d) existing.d = 1;
    } else {
      dst.p = dst.p ?? {};
      dst.p[suffix] = child;
    }
  }
  return removed;
}

function walk(
  node: TNode,
  texts: string[],
  params: TemplateParam[],
  visit: (node: TNode, texts: string[], params: TemplateParam[]) => void,
): void {
  visit(node, texts, params);
  for (const [text, child] of literalEntries(node)) walk(child, [...texts, escapeLiteral(text)], params, visit);
  for (const [suffix, p] of Object.entries(node.p ?? {})) {
    const kind: ParamKind = p.kinds.length === 1 ? (p.kinds[0] as ParamKind) : 'any';
    walk(p, [...texts, paramText(p, suffix)], [...params, { index: texts.length, name: p.name, kind }], visit);
  }
}

/** Templates of every endpoint at or below `node` (whose template prefix is found from the root). */
function snapshotTemplates(root: TNode, node: TNode): Array<{ method: string; template: string }> {
  const prefix = findPrefix(root, node, []);
  if (!prefix) return [];
  const out: Array<{ method: string; template: string }> = [];
  walk(node, prefix, [], (n, texts) => {
    for (const method of Object.keys(n.m ?? {})) out.push({ method, template: `/${texts.join('/')}` });
  });
  return out;
}

function findPrefix(current: TNode, target: TNode, texts: string[]): string[] | undefined {
  if (current === target) return texts;
  for (const [text, child] of literalEntries(current)) {
    const r = findPrefix(child, target, [...texts, escapeLiteral(text)]);
    if (r) return r;
  }
  for (const [suffix, p] of Object.entries(current.p ?? {})) {
    const r = findPrefix(p, target, [...texts, paramText(p, suffix)]);
    if (r) return r;
  }
  return undefined;
}

/** The nodes from the root (exclusive) down to `target` (inclusive), with their raw texts. */
function pathTo(root: TNode, target: TNode): Array<{ node: TNode; text: string; isParam: boolean }> | undefined {
  const chain: Array<{ node: TNode; text: string; isParam: boolean }> = [];
  const visit = (node: TNode): boolean => {
    if (node === target) return true;
    for (const [text, child] of literalEntries(node)) {
      chain.push({ node: child, text, isParam: false });
      if (visit(child)) return true;
      chain.pop();
    }
    for (const [suffix, p] of Object.entries(node.p ?? {})) {
      chain.push({ node: p, text: suffix, isParam: true });
      if (visit(p)) return true;
      chain.pop();
    }
    return false;
  };
  return visit(root) ? chain : undefined;
}

function ancestorNames(root: TNode, target: TNode): string[] {
  const names: string[] = [];
  const visit = (node: TNode): boolean => {
    if (node === target) return true;
    for (const child of Object.values(node.l ?? {})) if (visit(child)) return true;
    for (const p of Object.values(node.p ?? {})) {
      names.push(p.name);
      if (visit(p)) return true;
      names.pop();
    }
    return false;
  };
  visit(root);
  return names;
}

/** Routes the segments of an old template through the current tree (after a merge). */
function resolveTemplate(node: TNode, segs: readonly string[], i: number, method: string, steps: RouteStep[]): boolean {
  if (i === segs.length) return node.m?.[method] !== undefined;
  const seg = segs[i] as string;
  const mark = steps.length;
  const options: Array<{ node: TNode; text: string }> = [];
  if (isParamSegment(seg)) {
    const close = seg.lastIndexOf('}');
    const anyExtension = /^\{[^{}]*\}\.\{[^{}]*\}$/.test(seg);
    const suffix = isGreedySegment(seg) ? '+' : anyExtension ? ANY_EXTENSION : seg.slice(close + 1);
    const p = node.p?.[suffix] ?? (suffix !== '' ? node.p?.[ANY_EXTENSION] : undefined) ?? node.p?.[''];
    if (p) options.push({ node: p, text: paramText(p, suffixOf(node, p)) });
  } else {
    const raw = seg.replace(/%7B/g, '{').replace(/%7D/g, '}');
    const l = lit(node, raw);
    if (l) options.push({ node: l, text: seg });
    const { suffix } = splitSuffix(raw);
    for (const key of suffix !== '' ? [suffix, ''] : ['']) {
      const p = node.p?.[key];
      if (p) options.push({ node: p, text: paramText(p, key) });
    }
  }
  const greedy = node.p?.['+'];
  if (greedy) options.push({ node: greedy, text: paramText(greedy, '+') });
  for (const o of options) {
    steps.push({ node: o.node, text: o.text });
    if (o.node === greedy) {
      if (greedy.m?.[method] !== undefined) return true;
    } else if (resolveTemplate(o.node, segs, i + 1, method, steps)) return true;
    steps.length = mark;
  }
  return false;
}

/** `GET /users/{id}` or `/users/{id}` -> segments; `$default` and empty -> undefined. */
export function parseRouteTemplate(route: string | undefined): string[] | undefined {
  if (route === undefined) return undefined;
  let r = route.trim();
  const space = r.indexOf(' ');
  if (space > 0 && !r.startsWith('/')) r = r.slice(space + 1).trim();
  if (!r.startsWith('/')) return undefined;
  return templateSegments(r);
}

/** A template for a request that never succeeded: typed values abstracted, at most 6 segments. */
export function probeTemplate(segs: readonly string[]): string {
  const out = segs.slice(0, 6).map((s, i) => {
    const k = segmentInfo(s, i).kind;
    return k === 'word' ? escapeLiteral(s.length > 64 ? `${s.slice(0, 61)}...` : s) : `{${k}}`;
  });
  if (segs.length > 6) out.push('{rest+}');
  return `/${out.join('/')}`;
}

function assetTemplate(segs: readonly string[]): string {
  const last = segs[segs.length - 1] ?? '';
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  const dir = segs.length > 1 ? `/${escapeLiteral(segs[0] as string)}` : '';
  return `${dir}/{asset}.${ext}`;
}

function countUnconfirmed(hs: HostState, template: string, max: number): void {
  hs.unconfirmed.total++;
  const top = hs.unconfirmed.top;
  const current = top[template];
  if (current !== undefined) {
    top[template] = current + 1;
    return;
  }
  const keys = Object.keys(top);
  if (keys.length < max) {
    top[template] = 1;
    return;
  }
  let minKey = keys[0] as string;
  let min = top[minKey] as number;
  for (const k of keys) {
    const v = top[k] as number;
    if (v < min) {
      min = v;
      minKey = k;
    }
  }
  delete top[minKey];
  top[template] = min + 1;
}
