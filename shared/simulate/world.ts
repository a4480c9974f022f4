import type { Random } from './prng.js';

/**
 * The small API business the simulator serves: a shop API with a catalogue, customer accounts and orders,
 * partner integrations, one deprecated version still answering (/v1) and one undocumented internal route.
 */

export const HOST = 'api.shop.example';

export interface Network {
  asn: string;
  country: string;
  /** First two octets of its addresses. */
  prefix: string;
  kind: 'isp' | 'mobile' | 'cloud' | 'hosting' | 'crawler';
}

export const NETWORKS: readonly Network[] = [
  { asn: '7922', country: 'US', prefix: '73.12', kind: 'isp' },
  { asn: '7018', country: 'US', prefix: '99.34', kind: 'isp' },
  { asn: '701', country: 'US', prefix: '71.181', kind: 'isp' },
  { asn: '21928', country: 'US', prefix: '172.56', kind: 'mobile' },
  { asn: '22394', country: 'US', prefix: '174.205', kind: 'mobile' },
  { asn: '812', country: 'CA', prefix: '99.230', kind: 'isp' },
  { asn: '577', country: 'CA', prefix: '142.114', kind: 'mobile' },
  { asn: '2856', country: 'GB', prefix: '86.140', kind: 'isp' },
  { asn: '5089', country: 'GB', prefix: '82.13', kind: 'isp' },
  { asn: '3320', country: 'DE', prefix: '91.56', kind: 'isp' },
  { asn: '3215', country: 'FR', prefix: '90.112', kind: 'isp' },
  { asn: '16509', country: 'US', prefix: '52.23', kind: 'cloud' },
  { asn: '16509', country: 'IE', prefix: '54.217', kind: 'cloud' },
  { asn: '15169', country: 'US', prefix: '66.249', kind: 'crawler' },
  { asn: '8075', country: 'US', prefix: '157.55', kind: 'crawler' },
  { asn: '14061', country: 'NL', prefix: '167.99', kind: 'hosting' },
  { asn: '16276', country: 'FR', prefix: '51.75', kind: 'hosting' },
  { asn: '24940', country: 'DE', prefix: '95.216', kind: 'hosting' },
  { asn: '9009', country: 'RO', prefix: '185.220', kind: 'hosting' },
  { asn: '4134', country: 'CN', prefix: '116.22', kind: 'isp' },
  { asn: '12389', country: 'RU', prefix: '95.24', kind: 'isp' },
  { asn: '28573', country: 'BR', prefix: '177.92', kind: 'isp' },
  { asn: '9829', country: 'IN', prefix: '117.200', kind: 'isp' },
  { asn: '45899', country: 'VN', prefix: '113.172', kind: 'isp' },
  { asn: '8452', country: 'EG', prefix: '156.210', kind: 'isp' },
];

/** Where the shop's own customers come from. */
export const HOME_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['US', 0.6],
  ['CA', 0.12],
  ['GB', 0.14],
  ['DE', 0.08],
  ['FR', 0.06],
];

export function networksOf(filter: (n: Network) => boolean): Network[] {
  return NETWORKS.filter(filter);
}

export function homeNetwork(random: Random, kind: 'isp' | 'mobile', home?: string): Network {
  const country = home ?? random.weighted(HOME_WEIGHTS);
  const options = NETWORKS.filter((n) => n.country === country && n.kind === kind);
  const fallback = NETWORKS.filter((n) => n.country === country && n.kind === 'isp');
  return random.pick(options.length > 0 ? options : fallback);
}

/** A fresh address in a network. Addresses are drawn from a large space: collisions between actors are negligible. */
export function addressIn(random: Random, network: Network): string {
  return `${network.prefix}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

export const BROWSER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];
export const MOBILE_AGENTS = ['ShopApp/5.12.0 (iOS 18.1; iPhone15,2)', 'ShopApp/5.12.0 (Android 14; Pixel 8)', 'ShopApp/5.11.3 (Android 13; SM-S911B)'];
export const PARTNER_AGENTS = ['partner-sync/2.4 (+https://partner.example)', 'Apache-HttpClient/4.5.14 (Java/17.0.9)', 'okhttp/4.12.0'];
export const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
export const BINGBOT = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';
export const TOOL_AGENTS = ['python-requests/2.32.3', 'curl/8.9.1', 'Go-http-client/1.1', 'Mozilla/5.0 zgrab/0.x'];

/** Catalogue: product ids. */
export const FIRST_PRODUCT = 10_000;
export const FIRST_ORDER = 500_000;

/** Typical response sizes (bytes) by endpoint template. */
export const RESPONSE_BYTES: Record<string, number> = {
  '/v2/products': 8_000,
  '/v2/products/{id}': 3_200,
  '/v2/products/{id}/reviews': 5_000,
  '/v2/search': 6_000,
  '/v2/auth/login': 600,
  '/v2/auth/refresh': 500,
  '/v2/me': 900,
  '/v2/orders': 4_000,
  '/v2/orders/{id}': 2_000,
  '/v2/orders/{id}/invoice': 60_000,
  '/v2/users/{id}/addresses': 1_100,
  '/v2/config': 1_500,
  '/v2/partner/inventory/{id}': 700,
  '/v2/reports/export': 800_000,
  '/v2/health': 60,
  '/robots.txt': 300,
  '/internal/admin/users/{id}': 2_500,
  '/v1/orders/{id}': 1_800,
};

/** What discovery would say: `/internal/*` is undocumented (shadow), `/v1/*` is deprecated (zombie). */
export function classifySimulatedEndpoint(endpoint: { path: string }): string | undefined {
  if (endpoint.path.startsWith('/internal/')) return 'shadow';
  if (endpoint.path.startsWith('/v1/')) return 'zombie';
  return undefined;
}

/** The diurnal shape of the shop's traffic: lowest around 03:00 UTC, highest around 15:00 UTC. */
export function diurnal(time: number): number {
  const hour = (time / 3_600_000) % 24;
  return 0.55 + 0.45 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}
