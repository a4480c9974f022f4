import type { Watermarked } from '../engine/watermark.js';
import { addDistinct, type DistinctCounter, distinctEstimate, emptyDistinct } from './distinct.js';
import { emptySketch, mergeSketch, type QuantileSketch, sketchQuantile } from './sketch.js';
import { HOUR_MS, hourStart } from './windows.js';

/**
 * What detection remembers about one endpoint (a template), as a `store.meta` document: per hour, the distribution
 * over identities of each identity's peak 10-minute figures (requests, response bytes, distinct object ids), so that
 * "unusual" means unusual for this endpoint's peers; kept for HOURS_KEPT hours, then forgotten.
 */

export const HOURS_KEPT = 24;
export const ENDPOINT_BASELINE_PREFIX = 'detection:endpoint:';

export interface HourlyPeers {
  hour: number;
  /** One sample per identity active in the hour: its peak sliding 10-minute figure. */
  requests: QuantileSketch;
  bytes: QuantileSketch;
  objects: QuantileSketch;
}

export interface EndpointBaseline extends Watermarked {
  host: string;
  method: string;
  path: string;
  parameterised: boolean;
  authEndpoint: boolean;
  requests: number;
  firstSeen: number;
  lastSeen: number;
  hours: HourlyPeers[];
  /** Distinct object ids ever asked for (the size of the catalogue, as callers see it). */
  objectIds: DistinctCounter;
  /** Identities whose first success here was authenticated / unauthenticated. */
  okIdentities: { authenticated: number; unauthenticated: number };
}

export function endpointBaselineId(key: string): string {
  return `${ENDPOINT_BASELINE_PREFIX}${key}`;
}

export function newEndpointBaseline(
  ref: { host: string; method: string; path: string },
  time: number,
  flags: { parameterised: boolean; authEndpoint: boolean },
): EndpointBaseline {
  return {
    host: ref.host,
    method: ref.method,
    path: ref.path,
    parameterised: flags.parameterised,
    authEndpoint: flags.authEndpoint,
    requests: 0,
    firstSeen: time,
    lastSeen: time,
    hours: [],
    objectIds: emptyDistinct(),
    okIdentities: { authenticated: 0, unauthenticated: 0 },
  };
}

export function observeEndpointRequest(baseline: EndpointBaseline, time: number, objectId: string | undefined): void {
  baseline.requests++;
  if (time < baseline.firstSeen) baseline.firstSeen = time;
  if (time > baseline.lastSeen) baseline.lastSeen = time;
  if (objectId !== undefined) addDistinct(baseline.objectIds, objectId);
}

/** The hour bucket for `time`, created (and the expired ones dropped) as needed. */
export function hourOf(baseline: EndpointBaseline, time: number): HourlyPeers {
  const hour = hourStart(time);
  let bucket = baseline.hours.find((h) => h.hour === hour);
  if (!bucket) {
    bucket = { hour, requests: emptySketch(), bytes: emptySketch(), objects: emptySketch() };
    baseline.hours.push(bucket);
    baseline.hours.sort((a, b) => a.hour - b.hour);
  }
  const newest = baseline.hours.at(-1)?.hour ?? hour;
  baseline.hours = baseline.hours.filter((h) => h.hour > newest - HOURS_KEPT * HOUR_MS);
  return bucket;
}

/** Peer figures of an endpoint over its kept hours. */
export interface PeerStats {
  /** Identity-hours the figures rest on. */
  samples: number;
  hours: number;
  requests: Quantiles;
  bytes: Quantiles;
  objects: Quantiles;
  catalogue: number;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  /** A high quantile that ignores the top few samples (at least 5), so that a handful of abusers cannot set it. */
  high: number;
}

function quantiles(sketch: QuantileSketch): Quantiles {
  const q = (p: number) => sketchQuantile(sketch, p) ?? 0;
  const highQ = sketch.n > 0 ? Math.max(0.5, Math.min(0.99, 1 - 5 / sketch.n)) : 0.99;
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), high: q(highQ) };
}

export function peerStats(baseline: EndpointBaseline): PeerStats {
  const requests = emptySketch();
  const bytes = emptySketch();
  const objects = emptySketch();
  for (const hour of baseline.hours) {
    mergeSketch(requests, hour.requests);
    mergeSketch(bytes, hour.bytes);
    mergeSketch(objects, hour.objects);
  }
  return {
    samples: requests.n,
    hours: baseline.hours.length,
    requests: quantiles(requests),
    bytes: quantiles(bytes),
    objects: quantiles(objects),
    catalogue: distinctEstimate(baseline.objectIds),
  };
}
