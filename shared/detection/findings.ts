import type { Candidate } from './detectors.js';
import { type Finding, findingId, type Severity, severityRank } from './finding.js';

/** How much one open finding weighs in its entity's risk: its severity scaled by its confidence. */
const SEVERITY_WEIGHT: Record<Severity, number> = { low: 0.15, medium: 0.35, high: 0.6, critical: 0.85 };
/** Open findings older than this (by their last evidence) no longer count towards risk. */
export const RISK_MEMORY_MS = 24 * 60 * 60_000;
/** A finding is rewritten when its evidence moves on by this much time even without escalation. */
const REFRESH_MS = 60_000;

export function findingWeight(finding: Pick<Finding, 'severity' | 'confidence'>): number {
  return SEVERITY_WEIGHT[finding.severity] * Math.max(0, Math.min(1, finding.confidence));
}

/** Entity risk 0..100: the chance that at least one of its open findings is right, each weighed by severity. */
export function riskOf(open: Record<string, { weight: number; lastSeen: number }>, now: number): number {
  let clean = 1;
  for (const entry of Object.values(open)) {
    if (entry.lastSeen < now - RISK_MEMORY_MS) continue;
    clean *= 1 - Math.max(0, Math.min(1, entry.weight));
  }
  return Math.round(100 * (1 - clean));
}

/** At most this many open findings are remembered on an entity for its risk (the heaviest, then the most recent). */
export const MAX_OPEN_REMEMBERED = 16;

/**
 * Keeps an entity's remembered open findings bounded: those past the risk memory no longer count and are forgotten,
 * and beyond MAX_OPEN_REMEMBERED the lightest go (with 16 findings of any weight the risk has long saturated).
 * A scanner answered on hundreds of retired paths would otherwise grow its entity document without bound.
 */
export function boundOpen(open: Record<string, { weight: number; lastSeen: number }>, now: number): void {
  for (const [id, entry] of Object.entries(open)) if (entry.lastSeen < now - RISK_MEMORY_MS) delete open[id];
  const ids = Object.keys(open);
  if (ids.length <= MAX_OPEN_REMEMBERED) return;
  const ranked = ids.sort((a, b) => {
    const x = open[a] as { weight: number; lastSeen: number };
    const y = open[b] as { weight: number; lastSeen: number };
    return y.weight - x.weight || y.lastSeen - x.lastSeen || (a < b ? -1 : 1);
  });
  for (const id of ranked.slice(MAX_OPEN_REMEMBERED)) delete open[id];
}

export interface Merged {
  finding: Finding;
  /** Worth writing back. */
  changed: boolean;
  /** Opened, reopened or escalated: the responder acts on it. */
  escalated: boolean;
}

/** Folds a detector's candidate into the stored finding of the same (type, entity, endpoint), if any. */
export function mergeCandidate(existing: Finding | undefined, candidate: Candidate): Merged {
  const id = findingId(candidate.type, candidate.entity, candidate.endpoint);
  if (!existing) {
    return {
      finding: {
        id,
        type: candidate.type,
        severity: candidate.severity,
        confidence: candidate.confidence,
        entity: candidate.entity,
        ...(candidate.endpoint ? { endpoint: candidate.endpoint } : {}),
        firstSeen: candidate.firstSeen,
        lastSeen: candidate.lastSeen,
        evidence: candidate.evidence,
        summary: candidate.summary,
        status: 'open',
        revision: 1,
      },
      changed: true,
      escalated: true,
    };
  }
  const reopened = existing.status === 'resolved';
  const escalated = reopened || severityRank(candidate.severity) > severityRank(existing.severity);
  const severity = reopened || escalated ? candidate.severity : existing.severity;
  const finding: Finding = {
    ...existing,
    severity,
    confidence: Math.max(existing.confidence, candidate.confidence),
    firstSeen: Math.min(existing.firstSeen, candidate.firstSeen),
    lastSeen: Math.max(existing.lastSeen, candidate.lastSeen),
    evidence: candidate.evidence,
    summary: candidate.summary,
    status: reopened ? 'open' : existing.status,
    revision: escalated ? existing.revision + 1 : existing.revision,
  };
  const changed =
    escalated ||
    finding.confidence - existing.confidence >= 0.01 ||
    finding.lastSeen - existing.lastSeen >= REFRESH_MS ||
    finding.firstSeen !== existing.firstSeen;
  return { finding, changed, escalated };
}

/** Keeps the stronger of two candidates for the same finding id within one batch. */
export function stronger(a: Candidate, b: Candidate): Candidate {
  const rank = severityRank(b.severity) - severityRank(a.severity);
  if (rank !== 0) return rank > 0 ? b : a;
  return b.confidence > a.confidence ? b : a;
}
