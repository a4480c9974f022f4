import type { EndpointBaseline, PeerStats } from '../baselines/endpoint-baseline.js';
import type { EntityRef } from '../baselines/entity.js';
import {
  type EntityBaseline,
  type EntityEndpointState,
  endpointWindow,
  entityWindow,
  type WindowCounts,
} from '../baselines/entity-baseline.js';
import { WINDOW_MS } from '../baselines/windows.js';
import type { CompiledDetectionConfig } from './config.js';
import type { EndpointRef, Evidence, FindingType, Severity } from './finding.js';

/**
 * The detectors: pure functions from a caller's baseline, its endpoint's peer baseline and the configuration to a
 * finding candidate, or nothing. Each one is described in docs/detections.md (signal, threshold, blind spots).
 */

export interface Candidate {
  type: FindingType;
  entity: EntityRef;
  endpoint?: EndpointRef;
  severity: Severity;
  confidence: number;
  evidence: Evidence;
  summary: string;
  firstSeen: number;
  lastSeen: number;
}

export interface EndpointView {
  ref: EndpointRef;
  baseline: EndpointBaseline;
  peers: PeerStats;
  /** From discovery or configuration: `shadow`, `zombie`, … */
  classification?: string;
}

export interface PairView {
  entity: EntityRef;
  state: EntityEndpointState;
  endpoint: EndpointView;
  /** The moment judged: one of the caller's requests (detect.ts judges a pair at each of them). */
  now: number;
  /** The caller's figures on the endpoint over the 10 minutes up to `now`. */
  window: WindowCounts;
  /** Its own earlier peak as it stood at `now`. */
  own: EntityEndpointState['own'];
  /** A verified crawler (user agent and network both match a trusted bot). */
  trustedBot: boolean;
}

/**
 * A pair judged at one moment. The 10-minute figures peak at a request and decay after it: judged only where a batch
 * happens to end, a caller's findings would depend on how its records were cut into batches (a Lambda's batch size,
 * a bisected retry, `lantern analyze`'s chunks). detect.ts takes a moment at each request.
 */
export function pairAt(
  entity: EntityRef,
  state: EntityEndpointState,
  endpoint: EndpointView,
  now: number,
  trustedBot = false,
): PairView {
  return { entity, state, endpoint, trustedBot, ...momentOf(state, now) };
}

/** What of a pair belongs to one moment (the rest, its endpoint's peers included, is judged as the batch ends). */
export type Moment = Pick<PairView, 'now' | 'window' | 'own'>;

export function momentOf(state: EntityEndpointState, now: number): Moment {
  return { now, window: endpointWindow(state, now), own: { ...state.own } };
}

export interface EntityView {
  entity: EntityRef;
  baseline: EntityBaseline;
  now: number;
  trustedBot: boolean;
  firstSeen: number;
}

const round = (value: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** 0.55 at the threshold, rising with the log of how far past it the observation is, 0.99 at most. */
export function confidenceFor(observed: number, threshold: number, base = 0.55): number {
  if (threshold <= 0) return base;
  const ratio = Math.max(1, observed / threshold);
  return round(Math.min(0.99, base + (0.4 * Math.log(ratio)) / Math.log(10)), 2);
}

function peersWarm(view: EndpointView, config: CompiledDetectionConfig): boolean {
  return view.peers.samples >= config.thresholds.minPeerIdentities;
}

function ownWarm(pair: PairView, config: CompiledDetectionConfig): boolean {
  return pair.now - pair.state.firstSeen >= config.thresholds.entityWarmupMs && pair.own.windows >= 1;
}

function spanStart(pair: PairView): number {
  return Math.max(pair.state.firstSeen, pair.state.window - WINDOW_MS);
}

function describe(endpoint: EndpointRef): string {
  return `${endpoint.method} ${endpoint.path}`;
}

function who(entity: EntityRef): string {
  return `${entity.type} ${entity.id}`;
}

interface Limit {
  threshold: number;
  peer?: number;
  own?: number;
}

/** The threshold a figure must reach: a floor, a multiple of the peers' high when peers are known, a multiple of the caller's own past. */
function limit(
  pair: PairView,
  config: CompiledDetectionConfig,
  floor: number,
  peerMultiple: number,
  peerHigh: number,
  ownValue: number,
): Limit {
  const warm = peersWarm(pair.endpoint, config);
  let threshold = warm ? Math.max(floor, peerMultiple * peerHigh) : 2 * floor;
  const result: Limit = { threshold };
  if (warm) result.peer = round(peerHigh);
  if (ownWarm(pair, config)) {
    threshold = Math.max(threshold, config.thresholds.ownMultiple * ownValue);
    result.own = ownValue;
  }
  result.threshold = Math.ceil(threshold);
  return result;
}

/** The observed figure with the peer baseline and the threshold it was judged against (and the caller's own past). */
function measure(observed: number, l: Limit): Evidence[string] {
  return {
    observed: round(observed),
    ...(l.peer !== undefined ? { baseline: l.peer } : {}),
    threshold: l.threshold,
  };
}

function ownEvidence(l: Limit): Evidence {
  return l.own !== undefined ? { ownEarlierPeak: l.own } : {};
}

export function detectVolumetric(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  if (pair.trustedBot) return undefined;
  const t = config.thresholds.volumetric;
  const w = pair.window;
  const l = limit(pair, config, t.minRequests, t.peerMultiple, pair.endpoint.peers.requests.high, pair.own.requests);
  if (w.requests < l.threshold) return undefined;
  const ratio = w.requests / l.threshold;
  return {
    type: 'volumetric-abuse',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity: ratio >= 10 ? 'critical' : ratio >= 3 ? 'high' : 'medium',
    confidence: confidenceFor(w.requests, l.threshold),
    evidence: {
      requestsPer10Min: measure(w.requests, l),
      peerP99: round(pair.endpoint.peers.requests.p99),
      ...ownEvidence(l),
      successfulRequests: Math.round(w.ok),
      otherAnswers: Math.round(w.requests - w.ok - w.denied - w.notFound),
    },
    summary: `${who(pair.entity)} sent ${Math.round(w.requests)} requests in 10 minutes to ${describe(pair.endpoint.ref)}, ${round(ratio)}× the limit learnt from its peers.`,
    firstSeen: spanStart(pair),
    lastSeen: pair.state.lastSeen,
  };
}

function failureShare(w: WindowCounts): number {
  return w.requests > 0 ? (w.denied + w.notFound) / w.requests : 0;
}

/** Share of an address's requests that carried a credential, above which it is judged like the account it stands for. */
const CREDENTIALED_ADDRESS_SHARE = 0.8;

export function detectBola(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  if (!pair.endpoint.baseline.parameterised) return undefined;
  const t = config.thresholds.bola;
  const w = pair.window;
  // Without a credential there is no authorisation to bypass. An address counts when its requests carried one the
  // log does not name (CloudFront logs an Authorization header, not whose it is).
  if (pair.entity.type === 'ip' && (w.requests === 0 || w.authenticated / w.requests < CREDENTIALED_ADDRESS_SHARE))
    return undefined;
  const peers = pair.endpoint.peers;
  const l = limit(pair, config, t.minObjects, t.peerMultiple, peers.objects.high, pair.own.objects);
  if (w.objects < l.threshold) return undefined;
  const owned = peersWarm(pair.endpoint, config) && peers.objects.p90 <= t.ownedMaxObjects;
  const failures = failureShare(w);
  if (!owned && failures < t.minFailureShare) return undefined;
  const severity: Severity = w.ok >= 100 ? 'critical' : w.ok >= 5 ? 'high' : 'medium';
  return {
    type: 'bola-enumeration',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity,
    confidence: confidenceFor(w.objects, l.threshold, owned && failures >= t.minFailureShare ? 0.7 : 0.55),
    evidence: {
      distinctObjectsPer10Min: measure(w.objects, l),
      peerObjectsP90: { observed: round(peers.objects.p90), threshold: t.ownedMaxObjects },
      failureShare: { observed: round(failures, 2), threshold: t.minFailureShare },
      successfulReads: Math.round(w.ok),
      ...ownEvidence(l),
    },
    summary: `${who(pair.entity)} asked ${describe(pair.endpoint.ref)} for ${Math.round(w.objects)} different objects in 10 minutes where its peers use at most ${Math.ceil(peers.objects.high)}${failures >= t.minFailureShare ? `, ${Math.round(failures * 100)} % of them refused` : ''}: it is walking other users' ids.`,
    firstSeen: spanStart(pair),
    lastSeen: pair.state.lastSeen,
  };
}

export function detectScraping(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  if (pair.trustedBot || pair.endpoint.ref.method !== 'GET' || !pair.endpoint.baseline.parameterised) return undefined;
  const t = config.thresholds.scraping;
  const w = pair.window;
  const peers = pair.endpoint.peers;
  const l = limit(pair, config, t.minObjects, t.peerMultiple, peers.objects.high, pair.own.objects);
  if (w.objects < l.threshold) return undefined;
  const success = w.requests > 0 ? w.ok / w.requests : 0;
  if (success < t.minSuccessShare) return undefined;
  const coverage = peers.catalogue > 0 ? Math.min(1, w.objects / peers.catalogue) : 0;
  return {
    type: 'scraping',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity: coverage >= 0.25 || w.objects >= 1000 ? 'high' : 'medium',
    confidence: confidenceFor(w.objects, l.threshold),
    evidence: {
      distinctObjectsPer10Min: measure(w.objects, l),
      successShare: { observed: round(success, 2), threshold: t.minSuccessShare },
      catalogueCoverage: round(coverage, 3),
      knownObjects: peers.catalogue,
      ...ownEvidence(l),
    },
    summary: `${who(pair.entity)} read ${Math.round(w.objects)} different objects of ${describe(pair.endpoint.ref)} in 10 minutes (${Math.round(coverage * 100)} % of all seen), ${round(w.objects / Math.max(1, peers.objects.high))}× what its peers read.`,
    firstSeen: spanStart(pair),
    lastSeen: pair.state.lastSeen,
  };
}

export function detectExfiltration(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  const t = config.thresholds.exfiltration;
  const w = pair.window;
  if (w.bytes <= 0) return undefined;
  const l = limit(pair, config, t.minBytes, t.peerMultiple, pair.endpoint.peers.bytes.high, pair.own.bytes);
  if (w.bytes < l.threshold) return undefined;
  const ratio = w.bytes / l.threshold;
  return {
    type: 'data-exfiltration',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity: ratio >= 10 ? 'critical' : 'high',
    confidence: confidenceFor(w.bytes, l.threshold),
    evidence: {
      bytesOutPer10Min: measure(w.bytes, l),
      requestsPer10Min: Math.round(w.requests),
      meanResponseBytes: round(w.requests > 0 ? w.bytes / w.requests : 0, 0),
      ...ownEvidence(l),
    },
    summary: `${who(pair.entity)} downloaded ${round(w.bytes / 1e6)} MB from ${describe(pair.endpoint.ref)} in 10 minutes, ${round(w.bytes / Math.max(1, pair.endpoint.peers.bytes.high))}× the most its peers take.`,
    firstSeen: spanStart(pair),
    lastSeen: pair.state.lastSeen,
  };
}

export function detectUnauthenticated(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  if (pair.entity.type !== 'ip' && pair.entity.type !== 'session') return undefined;
  const t = config.thresholds.unauthenticated;
  const own = pair.state.total.unauthenticatedOk;
  if (own < t.minRequests) return undefined;
  const ids = pair.endpoint.baseline.okIdentities;
  const others = Math.max(0, ids.unauthenticated - 1);
  if (ids.authenticated < t.minIdentities) return undefined;
  const share = ids.authenticated / (ids.authenticated + others);
  if (share < t.minAuthenticatedShare) return undefined;
  return {
    type: 'unauthenticated-access',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity: own >= 50 ? 'critical' : 'high',
    confidence: confidenceFor(own, t.minRequests, 0.6),
    evidence: {
      unauthenticatedSuccesses: { observed: own, threshold: t.minRequests },
      authenticatedCallerShare: { observed: round(share, 3), threshold: t.minAuthenticatedShare },
      authenticatedCallers: ids.authenticated,
    },
    summary: `${who(pair.entity)} got ${own} successful answers from ${describe(pair.endpoint.ref)} without any credential, where ${Math.round(share * 1000) / 10} % of its ${ids.authenticated + others} other callers authenticate.`,
    firstSeen: pair.state.firstSeen,
    lastSeen: pair.state.lastSeen,
  };
}

export function detectClassifiedEndpoint(pair: PairView): Candidate | undefined {
  const classification = pair.endpoint.classification;
  if (classification !== 'shadow' && classification !== 'zombie') return undefined;
  const total = pair.state.total;
  const answered = total.ok + total.denied;
  if (answered === 0) return undefined;
  const type: FindingType = classification === 'shadow' ? 'shadow-api-traffic' : 'zombie-api-traffic';
  const severity: Severity = total.unauthenticatedOk > 0 ? 'high' : total.ok > 0 ? 'medium' : 'low';
  const what = classification === 'shadow' ? 'an undocumented (shadow) endpoint' : 'a deprecated (zombie) endpoint';
  return {
    type,
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity,
    confidence: total.ok > 0 ? 0.9 : 0.7,
    evidence: {
      classification,
      requests: total.requests,
      successful: total.ok,
      unauthenticatedSuccesses: total.unauthenticatedOk,
    },
    summary: `${who(pair.entity)} called ${what}, ${describe(pair.endpoint.ref)}, ${total.requests} times (${total.ok} answered successfully).`,
    firstSeen: pair.state.firstSeen,
    lastSeen: pair.state.lastSeen,
  };
}

export function detectCredentialStuffing(pair: PairView, config: CompiledDetectionConfig): Candidate | undefined {
  if (!pair.endpoint.baseline.authEndpoint) return undefined;
  const t = config.thresholds.credentialStuffing;
  const w = pair.window;
  const share = w.requests > 0 ? w.denied / w.requests : 0;
  if (w.denied < t.minFailures || share < t.minFailureShare) return undefined;
  return {
    type: 'credential-stuffing',
    entity: pair.entity,
    endpoint: pair.endpoint.ref,
    severity: w.denied >= 10 * t.minFailures || w.ok > 0 ? 'critical' : 'high',
    confidence: confidenceFor(w.denied, t.minFailures, 0.6),
    evidence: {
      failedLoginsPer10Min: { observed: Math.round(w.denied), threshold: t.minFailures },
      failureShare: { observed: round(share, 2), threshold: t.minFailureShare },
      successfulLogins: Math.round(w.ok),
    },
    summary: `${who(pair.entity)} failed ${Math.round(w.denied)} logins on ${describe(pair.endpoint.ref)} in 10 minutes (${Math.round(share * 100)} % of its attempts): it is trying stolen credentials.`,
    firstSeen: spanStart(pair),
    lastSeen: pair.state.lastSeen,
  };
}

export function detectScanning(view: EntityView, config: CompiledDetectionConfig): Candidate | undefined {
  if (view.trustedBot) return undefined;
  const t = config.thresholds.scanning;
  const w = entityWindow(view.baseline, view.now);
  const share = w.requests > 0 ? w.notFound / w.requests : 0;
  if (w.paths < t.minPaths || share < t.minNotFoundShare) return undefined;
  return {
    type: 'scanning',
    entity: view.entity,
    severity: w.paths >= 5 * t.minPaths ? 'high' : 'medium',
    confidence: confidenceFor(w.paths, t.minPaths),
    evidence: {
      unansweredPathsPer10Min: { observed: w.paths, threshold: t.minPaths },
      notFoundShare: { observed: round(share, 2), threshold: t.minNotFoundShare },
    },
    summary: `${who(view.entity)} probed ${w.paths} paths that do not exist in 10 minutes (${Math.round(share * 100)} % of its requests answered 404): it is scanning for undeclared endpoints.`,
    firstSeen: Math.max(view.firstSeen, view.baseline.window - WINDOW_MS),
    lastSeen: view.now,
  };
}

export function detectTokenSharing(view: EntityView, config: CompiledDetectionConfig): Candidate | undefined {
  if (view.entity.type === 'ip') return undefined;
  const t = config.thresholds.tokenSharing;
  const b = view.baseline;
  const countries = Object.keys(b.countries).length;
  const asns = Object.keys(b.asns).length;
  const ips = Object.keys(b.ips).length;
  const switches = b.countrySwitches.length;
  const reasons: string[] = [];
  let strength = 0;
  if (countries > t.maxCountries) {
    reasons.push(`${countries} countries`);
    strength = Math.max(strength, countries / (t.maxCountries + 1));
  }
  if (countries >= 2 && switches >= t.minSwitches) {
    reasons.push(`${switches} jumps between countries (impossible travel)`);
    strength = Math.max(strength, switches / t.minSwitches);
  }
  if (asns > t.maxAsns && ips > t.maxAsns) {
    reasons.push(`${asns} networks`);
    strength = Math.max(strength, asns / (t.maxAsns + 1));
  }
  if (ips > t.maxIps) {
    reasons.push(`${ips} addresses`);
    strength = Math.max(strength, ips / (t.maxIps + 1));
  }
  if (reasons.length === 0) return undefined;
  const travel = countries >= 2 && switches >= t.minSwitches;
  return {
    type: 'token-sharing',
    entity: view.entity,
    severity: travel || countries >= 2 * (t.maxCountries + 1) ? 'high' : 'medium',
    confidence: round(Math.min(0.99, 0.55 + 0.2 * (reasons.length - 1) + 0.4 * Math.log10(Math.max(1, strength))), 2),
    evidence: {
      countriesPerHour: { observed: countries, threshold: t.maxCountries + 1 },
      asnsPerHour: { observed: asns, threshold: t.maxAsns + 1 },
      addressesPerHour: { observed: ips, threshold: t.maxIps + 1 },
      countrySwitchesPerHour: { observed: switches, threshold: t.minSwitches },
    },
    summary: `The credential ${who(view.entity)} was used from ${reasons.join(', ')} within an hour: it is shared or stolen.`,
    firstSeen: Math.max(view.firstSeen, view.now - 60 * 60_000),
    lastSeen: view.now,
  };
}

/** The endpoint-scoped detectors, in the order they are run for each caller and endpoint it touched. */
export const PAIR_DETECTORS: ReadonlyArray<(pair: PairView, config: CompiledDetectionConfig) => Candidate | undefined> =
  [
    detectCredentialStuffing,
    detectBola,
    detectScraping,
    detectVolumetric,
    detectExfiltration,
    detectUnauthenticated,
    (pair) => detectClassifiedEndpoint(pair),
  ];

export const ENTITY_DETECTORS: ReadonlyArray<
  (view: EntityView, config: CompiledDetectionConfig) => Candidate | undefined
> = [detectScanning, detectTokenSharing];
