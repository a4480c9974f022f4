import type { Alert } from '../../../shared/ports/notifier.js';
import { T0 } from './factories.js';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'credential-stuffing ip:45.33.32.156 api.example.com POST /login#1',
    findingId: 'credential-stuffing ip:45.33.32.156 api.example.com POST /login',
    revision: 1,
    type: 'credential-stuffing',
    severity: 'critical',
    confidence: 0.93,
    who: 'ip 45.33.32.156',
    endpoint: { host: 'api.example.com', method: 'POST', path: '/login' },
    summary:
      'ip 45.33.32.156 failed 240 logins on POST api.example.com/login in 10 minutes (98 % of its attempts): it is trying stolen credentials.',
    evidence: { failedLoginsPer10Min: { observed: 240, threshold: 20 }, successfulLogins: 0 },
    actionTaken: 'Done: block in AWS WAF address 45.33.32.156 until 2026-11-24T13:00:00Z.',
    mode: 'enforce',
    at: T0,
    consoleUrl: 'https://lantern.example.com/findings/x',
    ...overrides,
  };
}
