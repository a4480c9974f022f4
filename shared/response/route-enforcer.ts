/**
 * One Enforcer over several: address and key blocks to WAF, key throttles to usage plans. Pure routing.
 */
import type { EnforcementChange, EnforcementOutcome, EnforcementReport, Enforcer } from '../ports/enforcer.js';

export interface EnforcerRoutes {
  /** block-ip / unblock-ip */
  addresses?: Enforcer;
  /** block-key / unblock-key */
  keyBlocks?: Enforcer;
  /** throttle-key / unthrottle-key */
  keyThrottles?: Enforcer;
}

function routeOf(change: EnforcementChange): keyof EnforcerRoutes {
  switch (change.op) {
    case 'block-ip':
    case 'unblock-ip':
      return 'addresses';
    case 'block-key':
    case 'unblock-key':
      return 'keyBlocks';
    default:
      return 'keyThrottles';
  }
}

export function routeEnforcer(routes: EnforcerRoutes): Enforcer {
  return {
    async apply(changes, context) {
      const outcomes: EnforcementOutcome[] = new Array(changes.length);
      const evicted: EnforcementReport['evicted'] = [];
      const groups = new Map<Enforcer | undefined, number[]>();
      changes.forEach((change, index) => {
        const target = routes[routeOf(change)];
        const list = groups.get(target) ?? [];
        list.push(index);
        groups.set(target, list);
      });
      for (const [enforcer, indexes] of groups) {
        if (!enforcer) {
          for (const i of indexes) {
            const change = changes[i] as EnforcementChange;
            outcomes[i] = {
              ok: false,
              change,
              reason: 'unsupported',
              detail: `no enforcer is configured for ${change.op}`,
            };
          }
          continue;
        }
        const report = await enforcer.apply(
          indexes.map((i) => changes[i] as EnforcementChange),
          context,
        );
        indexes.forEach((i, k) => {
          outcomes[i] = report.outcomes[k] as EnforcementOutcome;
        });
        evicted.push(...report.evicted);
      }
      return { outcomes, evicted };
    },
  };
}
