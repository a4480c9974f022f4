import type { Watermarked } from '../engine/watermark.js';
import { addDistinct, type DistinctCounter, distinctEstimate, emptyDistinct } from './distinct.js';
import { HOUR_MS, sliding, WINDOW_MS, windowStart } from './windows.js';

/**
 * What detection remembers about one caller (stored on its entity document): windowed counts per endpoint it used,
 * distinct object ids and unanswered paths (bounded counters), the addresses, networks and countries it came from
 * in the last hour, and its open findings. Bounded: at most MAX_ENDPOINTS endpoints, MAX_PLACES places each.
 */

export const MAX_ENDPOINTS = 16;
export const MAX_PLACES = 32;

/** Counts over one fixed 10-minute window. */
export interface WindowCounts {
  requests: number;
  bytes: number;
  /** 2xx answers. */
  ok: number;
  /** 401 and 403 answers. */
  denied: number;
  /** 404 and 405 answers. */
  notFound: number;
  /** 2xx answers to requests that carried no credential. */
  unauthenticatedOk: number;
  /** Requests that carried a credential (of any kind, whether or not the log names it). */
  authenticated: number;
  /** Distinct object ids (template parameter values) asked for. */
  objects: number;
}

export interface EntityEndpointState {
  firstSeen: number;
  lastSeen: number;
  /** Start of the current window. */
  window: number;
  current: WindowCounts;
  objectIds: DistinctCounter;
  /** The window before `window`, when it was the immediately preceding one. */
  previous?: WindowCounts;
  /** Highest window figures of this caller on this endpoint, learnt one window late (an attack's first window is not learnt before it is judged). */
  own: { requests: number; bytes: number; objects: number; windows: number };
  total: { requests: number; ok: number; denied: number; notFound: number; unauthenticatedOk: number };
  /** This caller's sample in the endpoint's hourly peer distributions (moved as it grows within the hour). */
  sample?: { hour: number; requests: number; bytes: number; objects: number };
}

export interface EntityBaseline extends Watermarked {
  /** Entity-wide window (all endpoints), for scanning. */
  window: number;
  current: { requests: number; notFound: number; paths: DistinctCounter };
  previous?: { requests: number; notFound: number; paths: number };
  /** Address / network / country -> last seen (epoch ms), last hour only. */
  ips: Record<string, number>;
  asns: Record<string, number>;
  countries: Record<string, number>;
  /** Times the country changed between consecutive requests, last hour. */
  countrySwitches: number[];
  lastCountry?: string;
  endpoints: Record<string, EntityEndpointState>;
  /** Login outcomes on authentication endpoints, ever. */
  logins: { ok: number; failed: number };
  /** Open findings of this entity -> weight (severity × confidence) and when last seen; `risk` is derived from them. */
  open: Record<string, { weight: number; lastSeen: number }>;
}

export function newEntityBaseline(time: number): EntityBaseline {
  return {
    window: windowStart(time),
    current: { requests: 0, notFound: 0, paths: emptyDistinct() },
    ips: {},
    asns: {},
    countries: {},
    countrySwitches: [],
    endpoints: {},
    logins: { ok: 0, failed: 0 },
    open: {},
  };
}

function emptyCounts(): WindowCounts {
  return { requests: 0, bytes: 0, ok: 0, denied: 0, notFound: 0, unauthenticatedOk: 0, authenticated: 0, objects: 0 };
}

/** What the baselines need of one request (computed once per request by detection). */
export interface RequestFacts {
  time: number;
  /** Detection's endpoint key (the template's). */
  endpointKey: string;
  rawPath: string;
  /** The object id asked for (template parameter values joined), when the endpoint is parameterised. */
  objectId?: string;
  status: number;
  bytesOut: number;
  authenticated: boolean;
  authEndpoint: boolean;
  /** False for a request to a path no endpoint answers (a probe): it counts for the entity, not per endpoint. */
  trackEndpoint: boolean;
  ip?: string;
  asn?: string;
  country?: string;
}

export const isOk = (status: number) => status >= 200 && status < 300;
export const isDenied = (status: number) => status === 401 || status === 403;
export const isNotFound = (status: number) => status === 404 || status === 405;

function newEndpointState(time: number): EntityEndpointState {
  return {
    firstSeen: time,
    lastSeen: time,
    window: windowStart(time),
    current: emptyCounts(),
    objectIds: emptyDistinct(),
    own: { requests: 0, bytes: 0, objects: 0, windows: 0 },
    total: { requests: 0, ok: 0, denied: 0, notFound: 0, unauthenticatedOk: 0 },
  };
}

function rollEndpoint(state: EntityEndpointState, time: number): void {
  const start = windowStart(time);
  if (start <= state.window) return;
  // The window leaving `previous` is learnt now: one window late, so a burst is judged before it is learnt.
  if (state.previous) {
    state.own.requests = Math.max(state.own.requests, state.previous.requests);
    state.own.bytes = Math.max(state.own.bytes, state.previous.bytes);
    state.own.objects = Math.max(state.own.objects, state.previous.objects);
    state.own.windows++;
  }
  if (start === state.window + WINDOW_MS) {
    state.previous = state.current;
  } else {
    if (state.current.requests > 0) {
      state.own.requests = Math.max(state.own.requests, state.current.requests);
      state.own.bytes = Math.max(state.own.bytes, state.current.bytes);
      state.own.objects = Math.max(state.own.objects, state.current.objects);
      state.own.windows++;
    }
    delete state.previous;
  }
  state.window = start;
  state.current = emptyCounts();
  state.objectIds = emptyDistinct();
}

function rollEntity(baseline: EntityBaseline, time: number): void {
  const start = windowStart(time);
  if (start <= baseline.window) return;
  if (start === baseline.window + WINDOW_MS) {
    baseline.previous = {
      requests: baseline.current.requests,
      notFound: baseline.current.notFound,
      paths: distinctEstimate(baseline.current.paths),
    };
  } else {
    delete baseline.previous;
  }
  baseline.window = start;
  baseline.current = { requests: 0, notFound: 0, paths: emptyDistinct() };
}

function remember(places: Record<string, number>, key: string | undefined, time: number): void {
  if (!key) return;
  if (places[key] !== undefined || Object.keys(places).length < MAX_PLACES) {
    places[key] = Math.max(places[key] ?? 0, time);
  }
}

function forgetOlderThan(places: Record<string, number>, cutoff: number): void {
  for (const [key, seen] of Object.entries(places)) if (seen < cutoff) delete places[key];
}

/** Folds one request into the caller's baseline. */
export function observeEntityRequest(baseline: EntityBaseline, facts: RequestFacts): EntityEndpointState | undefined {
  const { time } = facts;
  rollEntity(baseline, time);
  if (windowStart(time) === baseline.window) {
    baseline.current.requests++;
    if (isNotFound(facts.status)) {
      baseline.current.notFound++;
      addDistinct(baseline.current.paths, facts.rawPath);
    }
  }

  const cutoff = time - HOUR_MS;
  forgetOlderThan(baseline.ips, cutoff);
  forgetOlderThan(baseline.asns, cutoff);
  forgetOlderThan(baseline.countries, cutoff);
  remember(baseline.ips, facts.ip, time);
  remember(baseline.asns, facts.asn, time);
  remember(baseline.countries, facts.country, time);
  if (facts.country) {
    if (baseline.lastCountry && baseline.lastCountry !== facts.country) baseline.countrySwitches.push(time);
    baseline.lastCountry = facts.country;
  }
  while ((baseline.countrySwitches[0] ?? Number.POSITIVE_INFINITY) < cutoff) baseline.countrySwitches.shift();
  if (baseline.countrySwitches.length > 64) baseline.countrySwitches.splice(0, baseline.countrySwitches.length - 64);

  if (facts.authEndpoint) {
    if (isOk(facts.status)) baseline.logins.ok++;
    else if (isDenied(facts.status)) baseline.logins.failed++;
  }

  if (!facts.trackEndpoint) return undefined;
  let state = baseline.endpoints[facts.endpointKey];
  if (!state) {
    evictEndpoints(baseline);
    state = newEndpointState(time);
    baseline.endpoints[facts.endpointKey] = state;
  }
  rollEndpoint(state, time);
  if (time > state.lastSeen) state.lastSeen = time;
  if (time < state.firstSeen) state.firstSeen = time;
  const ok = isOk(facts.status);
  const denied = isDenied(facts.status);
  const notFound = isNotFound(facts.status);
  const unauthenticatedOk = ok && !facts.authenticated;
  state.total.requests++;
  if (ok) state.total.ok++;
  if (denied) state.total.denied++;
  if (notFound) state.total.notFound++;
  if (unauthenticatedOk) state.total.unauthenticatedOk++;
  // A late request (older than the current window) counts in totals only.
  if (windowStart(time) === state.window) {
    const c = state.current;
    c.requests++;
    c.bytes += facts.bytesOut;
    if (ok) c.ok++;
    if (denied) c.denied++;
    if (notFound) c.notFound++;
    if (unauthenticatedOk) c.unauthenticatedOk++;
    if (facts.authenticated) c.authenticated = (c.authenticated ?? 0) + 1;
    if (facts.objectId !== undefined && addDistinct(state.objectIds, facts.objectId)) {
      c.objects = distinctEstimate(state.objectIds);
    }
  }
  return state;
}

function evictEndpoints(baseline: EntityBaseline): void {
  const keys = Object.keys(baseline.endpoints);
  if (keys.length < MAX_ENDPOINTS) return;
  let oldest = keys[0] as string;
  for (const key of keys) {
    if ((baseline.endpoints[key]?.lastSeen ?? 0) < (baseline.endpoints[oldest]?.lastSeen ?? 0)) oldest = key;
  }
  delete baseline.endpoints[oldest];
}

/** The caller's figures on one endpoint over the 10 minutes ending at `now`. */
export function endpointWindow(state: EntityEndpointState, now: number): WindowCounts {
  const p = state.previous;
  const c = state.current;
  const s = (cur: number, prev: number | undefined) => sliding(cur, prev, state.window, now);
  return {
    requests: s(c.requests, p?.requests),
    bytes: s(c.bytes, p?.bytes),
    ok: s(c.ok, p?.ok),
    denied: s(c.denied, p?.denied),
    notFound: s(c.notFound, p?.notFound),
    unauthenticatedOk: s(c.unauthenticatedOk, p?.unauthenticatedOk),
    authenticated: s(c.authenticated ?? 0, p ? (p.authenticated ?? 0) : undefined),
    // Distinct ids do not add across windows: the larger of the two is a lower bound of the union.
    objects: Math.max(c.objects, p ? Math.round(p.objects * (1 - Math.min(1, (now - state.window) / WINDOW_MS))) : 0),
  };
}

/** Entity-wide figures over the last 10 minutes. */
export function entityWindow(
  baseline: EntityBaseline,
  now: number,
): { requests: number; notFound: number; paths: number } {
  const p = baseline.previous;
  const c = baseline.current;
  const paths = distinctEstimate(c.paths);
  return {
    requests: sliding(c.requests, p?.requests, baseline.window, now),
    notFound: sliding(c.notFound, p?.notFound, baseline.window, now),
    paths: Math.max(paths, p ? Math.round(p.paths * (1 - Math.min(1, (now - baseline.window) / WINDOW_MS))) : 0),
  };
}
