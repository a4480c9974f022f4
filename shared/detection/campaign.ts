import type { EntityRef } from '../baselines/entity.js';
import type { EntityBaseline } from '../baselines/entity-baseline.js';
import {
  failureBaseline,
  type Participant,
  type PopulationBaseline,
  prunePending,
  recentFailures,
} from '../baselines/population.js';
import { WINDOW_MS, windowStart } from '../baselines/windows.js';
import type { CompiledDetectionConfig } from './config.js';
import { isAuthEndpoint } from './config.js';
import { confidenceFor, type Candidate } from './detectors.js';
import type { EndpointRef } from './finding.js';

/**
 * Distributed, low-and-slow credential stuffing: no caller fails often enough to be judged alone, but the login
 * endpoint's failures rise far above their own history. While such a campaign is declared, every caller whose only
 * activity was failed logins (no success, no other endpoint) and which has then been quiet for a while is a participant.
 */

/** Windows of history needed before the baseline is trusted; before that the floor is tripled. */
const WARM_WINDOWS = 3;

export interface CampaignState {
  active: boolean;
  failures: number;
  threshold: number;
  baseline: number;
}

export function updateCampaign(population: PopulationBaseline, now: number, config: CompiledDetectionConfig): CampaignState {
  const t = config.thresholds.credentialStuffing.population;
  prunePending(population, now);
  const failures = recentFailures(population, now);
  const base = failureBaseline(population, now);
  const spread = Math.max(base.mad, Math.sqrt(base.median), 1);
  const threshold =
    base.windows >= WARM_WINDOWS ? Math.max(t.minFailures, base.median + t.madMultiple * spread) : 3 * t.minFailures;
  if (failures >= threshold) {
    if (!population.campaign) {
      population.campaign = { since: now - WINDOW_MS, lastOver: now, peakFailures: failures, baselineFailures: base.median };
    }
    population.campaign.lastOver = now;
    population.campaign.peakFailures = Math.max(population.campaign.peakFailures, failures);
  } else if (population.campaign && now - population.campaign.lastOver > t.latchMs) {
    delete population.campaign;
  }
  if (population.campaign) {
    const current = population.windows.find((w) => w.window === windowStart(now));
    if (current) current.campaign = true;
  }
  return { active: population.campaign !== undefined, failures, threshold: Math.ceil(threshold), baseline: base.median };
}

/** Participants ready to be judged (quiet long enough, within the campaign); they leave the pending list. */
export function readyParticipants(
  population: PopulationBaseline,
  now: number,
  config: CompiledDetectionConfig,
): Array<{ entity: string; participant: Participant }> {
  const campaign = population.campaign;
  if (!campaign) return [];
  const quiet = config.thresholds.credentialStuffing.population.quietMs;
  const ready: Array<{ entity: string; participant: Participant }> = [];
  for (const [entity, participant] of Object.entries(population.pending)) {
    if (participant.last > now - quiet) continue;
    if (participant.last < campaign.since - WINDOW_MS) continue;
    ready.push({ entity, participant });
    delete population.pending[entity];
  }
  return ready;
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

export function participantCandidate(
  entity: EntityRef,
  participant: Participant,
  population: PopulationBaseline,
  state: CampaignState,
  endpoint: EndpointRef,
): Candidate {
  return {
    type: 'credential-stuffing',
    entity,
    endpoint,
    severity: 'medium',
    confidence: Math.min(0.9, confidenceFor(state.failures, state.threshold, 0.5)),
    evidence: {
      campaignFailedLoginsPer10Min: { observed: state.failures, baseline: state.baseline, threshold: state.threshold },
      ownFailedLogins: participant.failures,
      ownSuccessfulLogins: 0,
      campaignSince: new Date(population.campaign?.since ?? participant.first).toISOString(),
    },
    summary: `${entity.type} ${entity.id} only ever failed logins on ${endpoint.method} ${endpoint.path} (${participant.failures}) during a distributed credential-stuffing campaign of ${state.failures} failures per 10 minutes against a usual ${state.baseline}.`,
    firstSeen: participant.first,
    lastSeen: participant.last,
  };
}
