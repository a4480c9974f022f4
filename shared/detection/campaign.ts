import type { EntityRef } from '../baselines/entity.js';
import type { EntityBaseline } from '../baselines/entity-baseline.js';
import {
  confirmParticipants,
  failureBaseline,
  type Participant,
  type ParticipantRelease,
  type PopulationBaseline,
  prunePending,
  recentFailures,
  recentSum,
  windowBaseline,
} from '../baselines/population.js';
import { HOUR_MS, WINDOW_MS, windowStart } from '../baselines/windows.js';
import type { CompiledDetectionConfig } from './config.js';
import { isAuthEndpoint } from './config.js';
import { type Candidate, confidenceFor } from './detectors.js';
import type { EndpointRef } from './finding.js';

/**
 * Distributed, low-and-slow credential stuffing: no caller fails often enough to be judged alone, but the login
 * endpoint sees far more *fail-only callers* than usual — callers that did nothing but fail logins (no success, no
 * other endpoint) and then went quiet or kept failing. Two rules compare them with the endpoint's own history: over
 * the last 10 minutes (fast campaigns) and over the last hour (slow ones, each address trying once in a long while).
 * While a campaign is declared, every confirmed fail-only caller of its period is a participant.
 */

/** Windows of history needed before the baseline is trusted; before that the floors are tripled. */
const WARM_WINDOWS = 3;

export interface CampaignState {
  active: boolean;
  /** Failed logins over the last 10 minutes, and their usual count per window (evidence). */
  failures: number;
  baseline: number;
  /** Failed logins over the last hour and the share of logins that failed then, against the usual share. */
  failuresPerHour: number;
  failureShare: number;
  usualFailureShare: number;
  /** The rule that holds (or would come closest): fail-only callers over its span, what is usual, the threshold. */
  rule: '10min' | 'hour';
  callers: number;
  expectedCallers: number;
  threshold: number;
}

interface RuleFigures {
  rule: '10min' | 'hour';
  span: number;
  callers: number;
  expected: number;
  threshold: number;
}

/** How far the login endpoint's activity may move its expected fail-only callers, either way. */
const MAX_ACTIVITY = 4;

/**
 * Successful logins over `span` against their usual count (the median window, as many windows): fail-only callers
 * follow the traffic up and down the day, and so does what is expected of them. Clamped to [1/4, 4]; 1 without history.
 */
export function loginActivity(population: PopulationBaseline, now: number, span: number): number {
  const usual = windowBaseline(population, 'ok', now).median * (span / WINDOW_MS);
  if (usual <= 0) return 1;
  return Math.min(MAX_ACTIVITY, Math.max(1 / MAX_ACTIVITY, recentSum(population, 'ok', now, span) / usual));
}

/**
 * The fail-only-caller thresholds over 10 minutes and over an hour, from the endpoint's own history: per window,
 * the usual count (median) and its spread (MAD, at least √median and 1, since these are counts of rare events), both
 * scaled by the login activity of the span; over n windows, n × the usual count + the multiple × √n × the spread.
 */
export function callerRules(
  population: PopulationBaseline,
  now: number,
  config: CompiledDetectionConfig,
): RuleFigures[] {
  const t = config.thresholds.credentialStuffing.population;
  const base = windowBaseline(population, 'callers', now);
  const warm = base.windows >= WARM_WINDOWS;
  const rule = (name: '10min' | 'hour', span: number, floor: number): RuleFigures => {
    const n = span / WINDOW_MS;
    const activity = loginActivity(population, now, span);
    const usual = activity * base.median;
    const spread = Math.max(activity * base.mad, Math.sqrt(usual), 1);
    return {
      rule: name,
      span,
      callers: recentSum(population, 'callers', now, span),
      expected: n * usual,
      threshold: warm ? Math.max(floor, n * usual + t.madMultiple * Math.sqrt(n) * spread) : 3 * floor,
    };
  };
  return [rule('10min', WINDOW_MS, t.minCallers), rule('hour', HOUR_MS, t.minCallersPerHour)];
}

/** Above this many fail-only callers a window is out of the ordinary (the usual count plus one spread). */
function usualCallers(population: PopulationBaseline, now: number): number {
  const base = windowBaseline(population, 'callers', now);
  return base.median + Math.max(base.mad, Math.sqrt(base.median), 1);
}

/** Start of the oldest window within `span` before `now` whose fail-only callers were out of the ordinary (the current window when none was). */
export function elevatedSince(population: PopulationBaseline, now: number, span: number): number {
  const usual = usualCallers(population, now);
  const current = windowStart(now);
  const oldest = current - span;
  let since = current;
  for (const w of population.windows) {
    if (w.window >= oldest && w.window < since && (w.callers ?? 0) > usual) since = w.window;
  }
  return since;
}

export function updateCampaign(
  population: PopulationBaseline,
  now: number,
  config: CompiledDetectionConfig,
): CampaignState {
  const t = config.thresholds.credentialStuffing.population;
  prunePending(population, now);
  confirmParticipants(population, now, t.quietMs);
  const rules = callerRules(population, now, config);
  const over = rules.filter((r) => r.callers >= r.threshold);
  const strongest = [...rules].sort((a, b) => b.callers / b.threshold - a.callers / a.threshold)[0] as RuleFigures;
  const failures = recentFailures(population, now);
  const failureBase = failureBaseline(population, now);
  if (over.length > 0) {
    // The campaign reaches back to the first window, within the span of the longest rule that holds, whose fail-only
    // callers rose above the usual spread (less the quiet time a caller needs to be confirmed): a user who gave up
    // before the campaign began is not one of its participants.
    const span = Math.max(...over.map((r) => r.span));
    const from = elevatedSince(population, now, span) - t.quietMs;
    if (!population.campaign) {
      population.campaign = {
        since: now - span,
        lastOver: now,
        peakFailures: failures,
        baselineFailures: failureBase.median,
        from,
        rule: strongest.rule,
      };
    }
    const campaign = population.campaign;
    campaign.lastOver = now;
    campaign.peakFailures = Math.max(campaign.peakFailures, failures);
    campaign.from = Math.min(campaign.from ?? from, from);
    campaign.since = Math.min(campaign.since, now - span);
    campaign.rule = strongest.rule;
  } else if (population.campaign && now - population.campaign.lastOver > t.latchMs) {
    delete population.campaign;
  }
  if (population.campaign) {
    // The campaign's windows are not learnt from: a slow campaign must not become the baseline it is judged against.
    // The current window always; earlier ones of its period when their fail-only callers were above the usual spread.
    const usual = usualCallers(population, now);
    const first = windowStart(population.campaign.from ?? population.campaign.since);
    const current = windowStart(now);
    for (const w of population.windows) {
      if (w.window === current || (w.window >= first && (w.callers ?? 0) > usual)) w.campaign = true;
    }
  }
  const failed = recentSum(population, 'failed', now, HOUR_MS);
  const ok = recentSum(population, 'ok', now, HOUR_MS);
  const usualFailed = windowBaseline(population, 'failed', now).median;
  const usualOk = windowBaseline(population, 'ok', now).median;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    active: population.campaign !== undefined,
    failures,
    baseline: failureBase.median,
    failuresPerHour: Math.round(failed),
    failureShare: failed + ok > 0 ? round2(failed / (failed + ok)) : 0,
    usualFailureShare: usualFailed + usualOk > 0 ? round2(usualFailed / (usualFailed + usualOk)) : 0,
    rule: strongest.rule,
    callers: Math.round(strongest.callers),
    expectedCallers: Math.round(strongest.expected * 10) / 10,
    threshold: Math.ceil(strongest.threshold),
  };
}

/** Confirmed fail-only callers of the campaign's period; they leave the pending list (a later failure brings them back). */
export function readyParticipants(population: PopulationBaseline): Array<{ entity: string; participant: Participant }> {
  const campaign = population.campaign;
  if (!campaign) return [];
  const from = campaign.from ?? campaign.since - WINDOW_MS;
  const ready: Array<{ entity: string; participant: Participant }> = [];
  for (const [entity, participant] of Object.entries(population.pending)) {
    if (participant.confirmed === undefined || participant.last < from) continue;
    ready.push({ entity, participant });
    delete population.pending[entity];
  }
  return ready;
}

export type CampaignRelease = ParticipantRelease<CampaignState>;

/**
 * Keeps what one batch of `shard` released (`ready`, judged by `state`) on the population document, in place of the
 * shard's previous release: once the shard's next batch comes, the previous one was processed to the end. `through`
 * is the batch's latest record counted into the population. Nothing is kept without a shard (no redelivery).
 */
export function keepRelease(
  population: PopulationBaseline,
  shard: string | undefined,
  through: string | undefined,
  state: CampaignState,
  ready: ReadonlyArray<{ entity: string; participant: Participant }>,
): void {
  if (shard === undefined) return;
  if (population.released) {
    delete population.released[shard];
    if (Object.keys(population.released).length === 0) delete population.released;
  }
  if (through === undefined || ready.length === 0) return;
  const since = population.campaign?.since;
  population.released ??= {};
  population.released[shard] = {
    through,
    figures: state,
    ...(since !== undefined ? { since } : {}),
    participants: Object.fromEntries(ready.map(({ entity, participant }) => [entity, participant])),
  };
}

/** The participants the batch of `shard` holding the record `sequence` released, if it released any. */
export function releaseThrough(
  population: PopulationBaseline,
  shard: string | undefined,
  sequence: string | undefined,
): CampaignRelease | undefined {
  if (shard === undefined || sequence === undefined) return undefined;
  const release = population.released?.[shard];
  return release?.through === sequence ? (release as CampaignRelease) : undefined;
}

/** True when everything the entity did was failing logins. */
export function onlyFailedLogins(baseline: EntityBaseline, config: CompiledDetectionConfig): boolean {
  if (baseline.logins.ok > 0) return false;
  for (const key of Object.keys(baseline.endpoints)) {
    const [, method = '', ...rest] = key.split(' ');
    if (!isAuthEndpoint(config, method, rest.join(' '))) return false;
  }
  return true;
}

/**
 * Confidence that one fail-only caller is a participant: the campaign's own confidence (how far past its threshold)
 * times the share of fail-only callers in excess of the usual (the chance that one of them is not a user who
 * simply gave up).
 */
export function participantConfidence(state: Pick<CampaignState, 'callers' | 'expectedCallers' | 'threshold'>): number {
  const campaign = Math.min(0.9, confidenceFor(state.callers, state.threshold, 0.5));
  const excess = state.callers > 0 ? Math.max(0, 1 - Math.max(1, state.expectedCallers) / state.callers) : 0;
  return Math.round(campaign * excess * 100) / 100;
}

/** `since`: when the campaign began (the participant's first failure when unknown). */
export function participantCandidate(
  entity: EntityRef,
  participant: Participant,
  since: number | undefined,
  state: CampaignState,
  endpoint: EndpointRef,
): Candidate {
  const span = state.rule === 'hour' ? 'hour' : '10 minutes';
  return {
    type: 'credential-stuffing',
    entity,
    endpoint,
    severity: 'medium',
    confidence: participantConfidence(state),
    evidence: {
      [state.rule === 'hour' ? 'campaignFailOnlyCallersPerHour' : 'campaignFailOnlyCallersPer10Min']: {
        observed: state.callers,
        baseline: state.expectedCallers,
        threshold: state.threshold,
      },
      campaignFailedLoginsPer10Min: { observed: state.failures, baseline: state.baseline },
      campaignFailedLoginsPerHour: state.failuresPerHour,
      campaignFailureShare: { observed: state.failureShare, baseline: state.usualFailureShare },
      ownFailedLogins: participant.failures,
      ownSuccessfulLogins: 0,
      campaignSince: new Date(since ?? participant.first).toISOString(),
    },
    summary: `${entity.type} ${entity.id} only ever failed logins on ${endpoint.method} ${endpoint.path} (${participant.failures}) during a distributed credential-stuffing campaign: ${state.callers} callers did nothing but fail logins in the last ${span}, against a usual ${state.expectedCallers}.`,
    firstSeen: participant.first,
    lastSeen: participant.last,
  };
}
