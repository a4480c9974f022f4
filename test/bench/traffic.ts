import type { ApiEvent } from '../../shared/events/api-event.js';
import { Random } from '../../shared/simulate/prng.js';

/**
 * A deterministic stream of plausible API requests for throughput benchmarks: a few hosts, a hundred endpoint
 * templates with id parameters, tens of thousands of callers, skewed popularity. Not a behavioural simulation
 * (that is shared/simulate): only shapes and sizes that match real logs.
 */
/** A version-4-shaped UUID from the seeded generator, so that the same seed gives the same file. */
function uuidOf(prng: Random): string {
  const hex = prng.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export function* benchTraffic(count: number, seed = 1): Generator<ApiEvent> {
  const prng = new Random(seed);
  const random = () => prng.next();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const skewed = (n: number) => Math.floor(n * random() ** 3);
  const hosts = ['api.example.com', 'partner.example.com', 'mobile.example.com'];
  const resources = [
    'users',
    'orders',
    'products',
    'carts',
    'invoices',
    'payments',
    'shipments',
    'reviews',
    'sessions',
  ];
  const subs = ['items', 'events', 'notes', 'refunds', 'history'];
  const agents = [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    'okhttp/4.12.0',
    'MyShop/7.4.1 (iPhone; iOS 17.5; Scale/3.00)',
    'python-requests/2.32.3',
  ];
  const methods = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
  const start = Date.UTC(2026, 10, 1);
  for (let i = 0; i < count; i++) {
    const resource = resources[skewed(resources.length)] as string;
    const id = 1000 + skewed(500_000);
    const shape = random();
    const path =
      shape < 0.3
        ? `/v1/${resource}`
        : shape < 0.8
          ? `/v1/${resource}/${id}`
          : `/v1/${resource}/${id}/${pick(subs)}/${uuidOf(prng)}`;
    const caller = skewed(50_000);
    const statusRoll = random();
    yield {
      time: start + i * 7,
      source: 'cloudfront-realtime',
      requestId: `bench${i.toString(36)}${caller.toString(36)}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==`,
      host: pick(hosts),
      method: pick(methods),
      path,
      ...(random() < 0.3 ? { query: `page=${skewed(50)}&limit=50` } : {}),
      status: statusRoll < 0.9 ? 200 : statusRoll < 0.95 ? 404 : statusRoll < 0.98 ? 401 : 500,
      bytesIn: 200 + skewed(2000),
      bytesOut: 300 + skewed(200_000),
      latencyMs: 5 + skewed(900),
      clientIp: `${10 + (caller % 200)}.${(caller >> 8) % 256}.${caller % 256}.${(caller * 7) % 256}`,
      userAgent: pick(agents),
      country: pick(['US', 'DE', 'FR', 'BR', 'IN', 'JP']),
      edgeLocation: pick(['IAD89-C1', 'FRA56-P2', 'NRT57-C3']),
      ...(random() < 0.7 ? { apiKeyId: `key${caller % 3000}` } : {}),
      authenticated: true,
    };
  }
}
