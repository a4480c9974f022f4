import type { EntityRef } from '../baselines/entity.js';

/** The kinds of abuse Lantern reports. Names are part of the report contract: never rename one. */
export const FINDING_TYPES = [
  'bola-enumeration',
  'credential-stuffing',
  'volumetric-abuse',
  'scraping',
  'data-exfiltration',
  'scanning',
  'token-sharing',
  'unauthenticated-access',
  'shadow-api-traffic',
  'zombie-api-traffic',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type FindingStatus = 'open' | 'acknowledged' | 'resolved';

/** Where an endpoint is named in a finding. */
export interface EndpointRef {
  host: string;
  method: string;
  path: string;
}

/** The observed figure next to the baseline it was judged against. */
export interface Evidence {
  [measure: string]:
    | { observed: number | string; baseline?: number | string; threshold?: number | string }
    | string
    | number;
}

export interface Finding {
  /** Stable: one open finding per (type, entity, endpoint). */
  id: string;
  type: FindingType;
  severity: Severity;
  /** 0..1 */
  confidence: number;
  entity: EntityRef;
  endpoint?: EndpointRef;
  firstSeen: number;
  lastSeen: number;
  evidence: Evidence;
  /** One sentence a person can act on. */
  summary: string;
  status: FindingStatus;
  /** Bumped each time the finding is escalated (severity rises); the responder acts on new revisions. */
  revision: number;
}

export function findingId(type: FindingType, entity: EntityRef, endpoint?: EndpointRef): string {
  const where = endpoint ? ` ${endpoint.host} ${endpoint.method} ${endpoint.path}` : '';
  return `${type} ${entity.type}:${entity.id}${where}`;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
