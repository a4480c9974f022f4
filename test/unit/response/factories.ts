/** Factories for response tests: findings and compiled configs. */
import type { Finding } from '../../../shared/detection/finding.js';
import { findingId } from '../../../shared/detection/finding.js';
import {
  compileResponseConfig,
  DEFAULT_RESPONSE_CONFIG,
  type ResponseConfig,
} from '../../../shared/response/config.js';

export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
export const HOUR = 3_600_000;

/** A public address (not in any reserved range). */
export const ATTACKER = '45.33.32.156';
export const ATTACKER_V6 = '2a03:2880:f12f:83:face:b00c:0:25de';

export function makeFinding(overrides: Partial<Finding> = {}): Finding {
  const type = overrides.type ?? 'credential-stuffing';
  const entity = overrides.entity ?? { type: 'ip' as const, id: ATTACKER };
  const endpoint = overrides.endpoint ?? { host: 'api.example.com', method: 'POST', path: '/login' };
  return {
    id: findingId(type, entity, endpoint),
    type,
    severity: 'high',
    confidence: 0.9,
    entity,
    endpoint,
    firstSeen: T0 - 600_000,
    lastSeen: T0,
    evidence: {
      failedLoginsPer10Min: { observed: 240, threshold: 20 },
      failureShare: { observed: 0.98, threshold: 0.8 },
    },
    summary: `ip ${entity.id} failed 240 logins on POST api.example.com/login in 10 minutes (98 % of its attempts): it is trying stolen credentials.`,
    status: 'open',
    revision: 1,
    ...overrides,
  };
}

export function config(overrides: Partial<ResponseConfig> = {}) {
  return compileResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, mode: 'enforce', ...overrides });
}
