import type { DiscoveryOverride } from './templater.js';

export class OverridesError extends Error {
  override name = 'OverridesError';
}

/**
 * Validates user-supplied discovery overrides (a JSON array), so that a typo is an error naming the entry,
 * never a silently ignored override:
 * `[{"kind":"split","host":"api.example.com","template":"/users/{userId}","segmentIndex":1},
 *   {"kind":"pin-static","host":"api.example.com","path":"/users/me"},
 *   {"kind":"declare","host":"api.example.com","template":"/files/{path+}","method":"GET"}]`
 */
export function parseOverrides(value: unknown, where = 'overrides'): DiscoveryOverride[] {
  if (!Array.isArray(value)) throw new OverridesError(`${where}: expected a JSON array of overrides`);
  return value.map((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof item !== 'object' || item === null) throw new OverridesError(`${at}: expected an object`);
    const o = item as Record<string, unknown>;
    const text = (key: string) => {
      const v = o[key];
      if (typeof v !== 'string' || v.length === 0) throw new OverridesError(`${at}: "${key}" must be a non-empty string`);
      return v;
    };
    const host = text('host').toLowerCase();
    switch (o.kind) {
      case 'split': {
        const index = o.segmentIndex;
        if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
          throw new OverridesError(`${at}: "segmentIndex" must be a whole number ≥ 0`);
        }
        return { kind: 'split', host, template: pathText(text('template'), at), segmentIndex: index };
      }
      case 'pin-static':
        return { kind: 'pin-static', host, path: pathText(text('path'), at) };
      case 'declare': {
        const method = o.method === undefined ? undefined : text('method').toUpperCase();
        return { kind: 'declare', host, template: pathText(text('template'), at), ...(method ? { method } : {}) };
      }
      default:
        throw new OverridesError(`${at}: "kind" must be split, pin-static or declare`);
    }
  });
}

function pathText(path: string, at: string): string {
  if (!path.startsWith('/')) throw new OverridesError(`${at}: a path or template starts with /`);
  return path;
}
