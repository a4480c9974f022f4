import { ENDPOINT_BASELINE_PREFIX, type EndpointBaseline, peerStats } from '../baselines/endpoint-baseline.js';
import { type Store, typed } from '../ports/store.js';

/**
 * Per-endpoint rate-limit recommendations: from each identity's peak request count in a 10-minute window
 * (the AWS WAF rate-based rule evaluation window), the limit that leaves the legitimate population untouched
 * with room for its spread, and how much that recommendation rests on.
 */

export const RECOMMENDATION_WINDOW_SECONDS = 600;
/** AWS WAF's smallest rate-based limit. */
export const MIN_LIMIT = 10;
/** Identity-hours and hours of history at which a recommendation is fully trusted. */
const FULL_SAMPLES = 200;
const FULL_HOURS = 24;

export interface RateRecommendation {
  host: string;
  method: string;
  path: string;
  windowSeconds: number;
  /** Identity-hours the distribution rests on (an identity active in three hours counts three times). */
  identities: number;
  hours: number;
  /** Distribution over identities of their peak requests per 10 minutes. */
  peakPer10Min: { p50: number; p90: number; p99: number };
  /** Requests per identity per 10 minutes above which to throttle. */
  recommendedLimit: number;
  /** 0..1, from how many identities and how many hours of history it rests on. */
  confidence: number;
  /** One sentence on how the limit was derived. */
  basis: string;
}

/** Two significant digits, rounded up: limits people can read. */
function niceCeil(value: number): number {
  if (value <= 10) return Math.ceil(value);
  const magnitude = 10 ** (Math.floor(Math.log10(value)) - 1);
  return Math.ceil(value / magnitude) * magnitude;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Below this many identity-hours an endpoint gets no recommendation (a probed path, a rarely used route). */
export const MIN_IDENTITIES = 5;

export function rateRecommendation(baseline: EndpointBaseline): RateRecommendation | undefined {
  const peers = peerStats(baseline);
  if (peers.samples < MIN_IDENTITIES) return undefined;
  const { p50, p90, p99, high } = peers.requests;
  // `high` ignores the top few identities, so a handful of abusers cannot raise the limit meant to stop them.
  const legitimateTop = Math.min(p99, high);
  const spread = Math.max(0, p90 - p50);
  const limit = niceCeil(Math.max(MIN_LIMIT, 1.5 * legitimateTop, legitimateTop + 2 * spread));
  const confidence =
    Math.round(
      Math.sqrt(Math.min(1, peers.samples / FULL_SAMPLES)) * Math.sqrt(Math.min(1, peers.hours / FULL_HOURS)) * 100,
    ) / 100;
  return {
    host: baseline.host,
    method: baseline.method,
    path: baseline.path,
    windowSeconds: RECOMMENDATION_WINDOW_SECONDS,
    identities: peers.samples,
    hours: peers.hours,
    peakPer10Min: { p50: round(p50), p90: round(p90), p99: round(p99) },
    recommendedLimit: limit,
    confidence,
    basis: `${limit} requests per 10 minutes per identity: the larger of 1.5× the legitimate top (${round(legitimateTop)}) and that top plus twice the p50–p90 spread (${round(spread)}), over ${peers.samples} identity-hours in ${peers.hours} h.`,
  };
}

export function rateRecommendations(baselines: Iterable<EndpointBaseline>): RateRecommendation[] {
  const out: RateRecommendation[] = [];
  for (const baseline of baselines) {
    const recommendation = rateRecommendation(baseline);
    if (recommendation) out.push(recommendation);
  }
  return out.sort(
    (a, b) => b.identities - a.identities || a.path.localeCompare(b.path) || a.method.localeCompare(b.method),
  );
}

/** Reads detection's endpoint baselines from the store and recommends a limit for each. */
export async function loadRateRecommendations(store: Store): Promise<RateRecommendation[]> {
  const meta = typed<EndpointBaseline>(store.meta);
  const baselines: EndpointBaseline[] = [];
  let cursor: string | undefined;
  do {
    const page = await meta.list({ prefix: ENDPOINT_BASELINE_PREFIX, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) baselines.push(item.value);
    cursor = page.cursor;
  } while (cursor);
  return rateRecommendations(baselines);
}
