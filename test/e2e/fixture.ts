/**
 * A store filled by the real engine (analyzeBatch) and the real responder (respond) from simulated traffic:
 * ordinary authenticated callers, a shadow endpoint, a path and a user agent carrying HTML, and a scanner that the
 * responder blocks (enforce mode, through a recording enforcer).
 *
 * Classification is discovery's own: the public API is declared (an OpenAPI document, as `--declared` would load
 * it) and the debug endpoint is not, so the engine classifies it shadow.
 */
import { createMemoryStore } from '../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../shared/detection/finding.js';
import { parseDeclaredSpec } from '../../shared/discovery/declared.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import { saveDeclared } from '../../shared/engine/discovery-state.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { fixedClock } from '../../shared/ports/clock.js';
import type { EnforcementChange, Enforcer } from '../../shared/ports/enforcer.js';
import type { Store } from '../../shared/ports/store.js';
import { compileResponseConfig, DEFAULT_RESPONSE_CONFIG } from '../../shared/response/config.js';
import { respond } from '../../shared/response/respond.js';

export const MALICIOUS_UA = '<img src=x onerror=alert(1)>';
export const MALICIOUS_PATH = '/v1/items/"><img src=x onerror=alert(2)>';
export const SHADOW_PATH = '/internal/debug/export';
export const SCANNER_IP = '45.133.1.66';
export const HOST = 'api.example.com';
export const START = Date.UTC(2026, 10, 24, 6, 0, 0);

export interface Fixture {
  store: Store;
  clock: ReturnType<typeof fixedClock>;
  enforced: EnforcementChange[];
  enforcer: Enforcer;
  responseConfig: ReturnType<typeof compileResponseConfig>;
  findings: Finding[];
}

function event(time: number, overrides: Partial<ApiEvent>): ApiEvent {
  return {
    time,
    source: 'apigw',
    requestId: `r-${time}-${Math.random().toString(36).slice(2, 8)}`,
    host: HOST,
    method: 'GET',
    path: '/v1/orders',
    status: 200,
    bytesIn: 300,
    bytesOut: 1800,
    latencyMs: 40,
    clientIp: '198.51.100.10',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ShopApp/4.2',
    authenticated: true,
    ...overrides,
  };
}

/** Four hours of ordinary traffic, then a scanner and a caller of the shadow endpoint. */
export function simulatedTraffic(): ApiEvent[][] {
  const batches: ApiEvent[][] = [];
  const paths = ['/v1/orders', '/v1/products', '/v1/me', '/v1/cart', '/v1/checkout'];
  for (let minute = 0; minute < 240; minute += 5) {
    const batch: ApiEvent[] = [];
    const busy = 1 + Math.round(Math.sin((minute / 240) * Math.PI) * 3);
    for (let user = 0; user < 30; user++) {
      for (let i = 0; i < busy; i++) {
        const path = paths[(user + i + minute) % paths.length] as string;
        batch.push(
          event(START + minute * 60_000 + user * 1500 + i * 200, {
            path,
            method: path === '/v1/checkout' ? 'POST' : 'GET',
            principal: `user-${user}`,
            clientIp: `198.51.100.${user + 10}`,
            status: (user + minute) % 41 === 0 ? 500 : (user + i) % 23 === 0 ? 404 : 200,
            latencyMs: 20 + ((user * 7 + i * 13) % 90),
          }),
        );
      }
    }
    // An unauthenticated endpoint, with an email in its URL (sensitive data), and one whose path carries HTML.
    batch.push(
      event(START + minute * 60_000 + 45_000, {
        path: '/v1/newsletter/unsubscribe',
        query: `email=reader${minute}%40example.com`,
        authenticated: false,
        clientIp: '198.51.100.200',
      }),
    );
    if (minute % 30 === 0)
      batch.push(
        event(START + minute * 60_000 + 50_000, {
          path: MALICIOUS_PATH,
          principal: 'user-3',
          clientIp: '198.51.100.13',
        }),
      );
    batches.push(batch);
  }
  const t = START + 241 * 60_000;
  const attack: ApiEvent[] = [];
  // The shadow endpoint, called by a client whose user agent is HTML.
  for (let i = 0; i < 12; i++) {
    attack.push(
      event(t + i * 4000, {
        path: SHADOW_PATH,
        authenticated: false,
        clientIp: '45.133.1.99',
        userAgent: MALICIOUS_UA,
      }),
    );
  }
  // A scanner: 40 paths that do not exist in two minutes.
  for (let i = 0; i < 40; i++) {
    attack.push(
      event(t + i * 3000, {
        path: `/${['.env', 'admin', 'wp-login.php', '.git/config', 'backup.zip'][i % 5]}${i}`,
        status: 404,
        authenticated: false,
        clientIp: SCANNER_IP,
        userAgent: 'masscan/1.3',
      }),
    );
  }
  batches.push(attack);
  return batches;
}

/** The API as its owners declare it: everything but the debug export. */
const DECLARED_API = {
  openapi: '3.0.3',
  info: { title: 'Shop', version: '4.2' },
  servers: [{ url: `https://${HOST}` }],
  paths: {
    '/v1/orders': { get: { responses: { 200: { description: 'ok' } } } },
    '/v1/products': { get: { responses: { 200: { description: 'ok' } } } },
    '/v1/me': { get: { responses: { 200: { description: 'ok' } } } },
    '/v1/cart': { get: { responses: { 200: { description: 'ok' } } } },
    '/v1/checkout': { post: { responses: { 200: { description: 'ok' } } } },
    '/v1/newsletter/unsubscribe': { get: { responses: { 200: { description: 'ok' } } } },
    '/v1/items/{item}': {
      get: {
        parameters: [{ name: 'item', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'ok' } },
      },
    },
    '/v1/legacy/export': { get: { deprecated: true, responses: { 200: { description: 'ok' } } } },
  },
};

function recordingEnforcer(log: EnforcementChange[]): Enforcer {
  return {
    async apply(changes) {
      log.push(...changes);
      return { outcomes: changes.map((change) => ({ ok: true as const, change })), evicted: [] };
    },
  };
}

export async function buildFixture(): Promise<Fixture> {
  const clock = fixedClock(START);
  // Stored expiries (response decisions, detection state) are judged against the fixture's clock, not the wall clock.
  const store = createMemoryStore({ clock });
  await saveDeclared(store, parseDeclaredSpec(JSON.stringify(DECLARED_API)).operations);
  const enforced: EnforcementChange[] = [];
  const enforcer = recordingEnforcer(enforced);
  const responseConfig = compileResponseConfig({
    ...DEFAULT_RESPONSE_CONFIG,
    mode: 'enforce',
    rules: { ...DEFAULT_RESPONSE_CONFIG.rules, scanning: { block: { minSeverity: 'low', minConfidence: 0 } } },
  });
  const findings: Finding[] = [];
  for (const events of simulatedTraffic()) {
    const last = events.reduce((m, e) => Math.max(m, e.time), 0);
    clock.set(last);
    const effects = await analyzeBatch({ events, rejections: [] }, { store, clock });
    findings.push(...effects.findings);
    if (effects.findings.length > 0)
      await respond(effects.findings, { store, clock, config: responseConfig, enforcer });
  }
  return { store, clock, enforced, enforcer, responseConfig, findings };
}
