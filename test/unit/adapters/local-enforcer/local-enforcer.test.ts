import { describe, expect, it } from 'vitest';
import { createLocalEnforcer } from '../../../../shared/adapters/local-enforcer/local-enforcer.js';
import { routeEnforcer } from '../../../../shared/response/route-enforcer.js';

describe('local enforcer', () => {
  it('records what it would do, idempotently', async () => {
    const local = createLocalEnforcer({ now: () => 1, originalPlans: () => ['gold'] });
    await local.apply([
      { op: 'block-ip', address: '45.33.32.156', rank: 1 },
      { op: 'block-ip', address: '45.33.32.156', rank: 1 },
      { op: 'throttle-key', apiKeyId: 'k1' },
    ]);
    expect([...local.blockedIps]).toEqual(['45.33.32.156']);
    expect(local.history.map((h) => h.changed)).toEqual([true, false, true]);
    expect(local.throttledKeys.get('k1')).toEqual(['gold']);
    await local.apply([{ op: 'unblock-ip', address: '45.33.32.156' }]);
    expect(local.blockedIps.size).toBe(0);
  });

  it('is routed by change kind, and an unconfigured route is reported unsupported', async () => {
    const waf = createLocalEnforcer();
    const plans = createLocalEnforcer();
    const routed = routeEnforcer({ addresses: waf, keyThrottles: plans });
    const report = await routed.apply([
      { op: 'throttle-key', apiKeyId: 'k1' },
      { op: 'block-ip', address: '45.33.32.156', rank: 1 },
      { op: 'block-key', apiKeyId: 'k1', rank: 1 },
    ]);
    expect(report.outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'ok', 'unsupported']);
    expect(waf.blockedIps.has('45.33.32.156')).toBe(true);
    expect(plans.throttledKeys.has('k1')).toBe(true);
  });
});
