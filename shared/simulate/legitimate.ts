import type { Client, Emitter } from './emitter.js';
import { Random } from './prng.js';
import {
  addressIn,
  BINGBOT,
  BROWSER_AGENTS,
  diurnal,
  FIRST_ORDER,
  FIRST_PRODUCT,
  GOOGLEBOT,
  HOME_WEIGHTS,
  homeNetwork,
  MOBILE_AGENTS,
  type Network,
  networksOf,
  PARTNER_AGENTS,
} from './world.js';

/**
 * The legitimate population: web visitors (some of whom log in), mobile app users who roam between networks,
 * partner integrations polling around the clock, verified and unverified crawlers, an uptime monitor.
 * Arrivals follow the diurnal curve with bursty 5-minute swings.
 */

export interface User {
  principal: string;
  userId: number;
  orders: number[];
  mobile: boolean;
  /** Where the customer lives: every visit of theirs comes from there. */
  country: string;
  /** The customer's home broadband and mobile carrier (addresses change, networks do not). */
  home: Network;
  carrier: Network;
}

export interface Partner {
  apiKeyId: string;
  clients: Client[];
  skus: number[];
}

export interface World {
  users: User[];
  partners: Partner[];
  products: number;
  /** Highest order id issued. */
  lastOrder: number;
}

export interface PopulationOptions {
  seed: number;
  /** Multiplies every legitimate arrival rate. */
  volume: number;
}

const MINUTE = 60_000;

export function buildWorld(options: PopulationOptions): World {
  const random = new Random(options.seed, 1);
  const userCount = Math.round(4000 * options.volume);
  const users: User[] = [];
  let order = FIRST_ORDER;
  for (let i = 0; i < userCount; i++) {
    const orders: number[] = [];
    const n = random.int(1, 8);
    for (let k = 0; k < n; k++) {
      order += random.int(1, 3);
      orders.push(order);
    }
    const country = random.weighted(HOME_WEIGHTS);
    users.push({
      principal: `${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`,
      userId: 100_000 + i,
      orders,
      mobile: random.chance(0.45),
      country,
      home: homeNetwork(random, 'isp', country),
      carrier: homeNetwork(random, 'mobile', country),
    });
  }
  const cloud = networksOf((n) => n.kind === 'cloud');
  const partners: Partner[] = [];
  for (let i = 0; i < 4; i++) {
    const network = random.pick(cloud);
    const clients: Client[] = [];
    const agent = random.pick(PARTNER_AGENTS);
    const apiKeyId = `pk${random.hex(10)}`;
    for (let k = random.int(2, 4); k > 0; k--) clients.push({ ip: addressIn(random, network), network, userAgent: agent, apiKeyId });
    const skus: number[] = [];
    for (let k = 0; k < 300; k++) skus.push(FIRST_PRODUCT + random.int(0, 4999));
    partners.push({ apiKeyId, clients, skus });
  }
  return { users, partners, products: 5000, lastOrder: order };
}

function product(random: Random, world: World): number {
  // Popular products are viewed more: a skewed draw over the catalogue.
  return FIRST_PRODUCT + Math.floor(world.products * random.next() ** 2);
}

function browse(emitter: Emitter, random: Random, world: World, client: Client, t: number, user: User | undefined): number {
  const kind = random.weighted<string>([
    ['list', 0.22],
    ['product', 0.45],
    ['search', 0.15],
    ['account', client.principal && user ? 0.18 : 0],
  ]);
  const at = () => t + random.int(0, 1500);
  switch (kind) {
    case 'list':
      emitter.request(random, at(), client, { method: 'GET', path: '/v2/products', query: `page=${random.int(1, 20)}`, status: 200 });
      break;
    case 'product': {
      const id = product(random, world);
      const missing = random.chance(0.01);
      emitter.request(random, at(), client, { method: 'GET', path: `/v2/products/${id}`, template: '/v2/products/{id}', status: missing ? 404 : 200 });
      if (!missing && random.chance(0.6)) {
        emitter.request(random, at(), client, { method: 'GET', path: `/v2/products/${id}/reviews`, template: '/v2/products/{id}/reviews', status: 200 });
      }
      break;
    }
    case 'search':
      emitter.request(random, at(), client, { method: 'GET', path: '/v2/search', query: `q=item${random.int(1, 500)}`, status: 200 });
      break;
    default: {
      if (!user) break;
      const page = random.weighted<string>([
        ['me', 0.25],
        ['orders', 0.3],
        ['order', 0.25],
        ['addresses', 0.1],
        ['invoice', 0.07],
        ['checkout', 0.03],
      ]);
      const own = random.pick(user.orders);
      if (page === 'me') emitter.request(random, at(), client, { method: 'GET', path: '/v2/me', status: 200 });
      else if (page === 'orders') emitter.request(random, at(), client, { method: 'GET', path: '/v2/orders', status: 200 });
      else if (page === 'order') emitter.request(random, at(), client, { method: 'GET', path: `/v2/orders/${own}`, template: '/v2/orders/{id}', status: 200 });
      else if (page === 'addresses') {
        emitter.request(random, at(), client, { method: 'GET', path: `/v2/users/${user.userId}/addresses`, template: '/v2/users/{id}/addresses', status: 200 });
      } else if (page === 'invoice') {
        emitter.request(random, at(), client, { method: 'GET', path: `/v2/orders/${own}/invoice`, template: '/v2/orders/{id}/invoice', status: 200 });
      } else emitter.request(random, at(), client, { method: 'POST', path: '/v2/orders', status: 201 });
    }
  }
  return t + 2_000 + random.exponential(18_000);
}

/** A web visit: browsing with a session cookie, perhaps a login (with the occasional typo), then account pages. */
function webVisit(emitter: Emitter, random: Random, world: World, start: number): void {
  const user = random.chance(0.35) ? random.pick(world.users) : undefined;
  // Customers browse from home; anonymous visitors from anywhere in the shop's markets.
  const network = user ? user.home : homeNetwork(random, 'isp');
  const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(BROWSER_AGENTS), session: `s${random.hex(20)}` };
  const pages = 2 + random.poisson(8);
  const loginAt = user ? random.int(0, Math.min(2, pages - 1)) : -1;
  let t = start;
  for (let i = 0; i < pages && t < emitter.end; i++) {
    if (i === loginAt && user) {
      let attempts = 0;
      let success = false;
      while (!success && attempts < 3) {
        attempts++;
        success = random.chance(attempts === 1 ? 0.92 : 0.8);
        emitter.request(random, t, client, { method: 'POST', path: '/v2/auth/login', status: success ? 200 : 401 });
        t += 4_000 + random.exponential(8_000);
        if (!success && random.chance(0.15)) break;
      }
      if (!success) return;
      client.principal = user.principal;
    }
    t = browse(emitter, random, world, client, t, user);
  }
}

/** A mobile app session: config, token refresh, browsing and account pages; sometimes moves from cellular to Wi-Fi. */
function mobileSession(emitter: Emitter, random: Random, world: World, start: number, user: User): void {
  let network: Network = user.carrier;
  const device = `d${random.hex(16)}`;
  const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(MOBILE_AGENTS), session: device };
  let t = start;
  emitter.request(random, t, client, { method: 'GET', path: '/v2/config', status: 200 });
  t += random.int(200, 1500);
  client.principal = user.principal;
  emitter.request(random, t, client, { method: 'POST', path: '/v2/auth/refresh', status: 200 });
  const actions = 3 + random.poisson(9);
  const switchAt = random.chance(0.3) ? random.int(1, actions) : -1;
  for (let i = 0; i < actions && t < emitter.end; i++) {
    if (i === switchAt) {
      network = user.home;
      client.network = network;
      client.ip = addressIn(random, network);
    }
    t = browse(emitter, random, world, client, t, user) - 6_000;
  }
}

function partnerTraffic(emitter: Emitter, random: Random, partner: Partner): void {
  let t = emitter.start + random.int(0, 5_000);
  let nextExport = emitter.start + random.int(0, 30 * MINUTE);
  while (t < emitter.end) {
    const client = random.pick(partner.clients);
    const sku = random.pick(partner.skus);
    const put = random.chance(0.1);
    emitter.request(random, t, client, {
      method: put ? 'PUT' : 'GET',
      path: `/v2/partner/inventory/${sku}`,
      template: '/v2/partner/inventory/{id}',
      status: put ? 204 : 200,
      ...(put ? { bytes: 0 } : {}),
    });
    if (t >= nextExport) {
      emitter.request(random, t + 100, client, { method: 'GET', path: '/v2/reports/export', query: 'format=csv', status: 200 });
      nextExport += 25 * MINUTE + random.int(0, 10 * MINUTE);
    }
    t += 500 + random.exponential(3_500);
  }
}

function crawler(emitter: Emitter, random: Random, world: World, clients: Client[], meanGapMs: number): void {
  let t = emitter.start + random.int(0, 10_000);
  while (t < emitter.end) {
    const client = random.pick(clients);
    if (random.chance(0.01)) emitter.request(random, t, client, { method: 'GET', path: '/robots.txt', status: 200 });
    else {
      const id = FIRST_PRODUCT + random.int(0, Math.round(world.products * 1.03));
      const exists = id < FIRST_PRODUCT + world.products;
      emitter.request(random, t, client, { method: 'GET', path: `/v2/products/${id}`, template: '/v2/products/{id}', status: exists ? 200 : 404 });
    }
    t += 300 + random.exponential(meanGapMs);
  }
}

/** Generates the legitimate traffic into the emitter. */
export function legitimateTraffic(emitter: Emitter, world: World, options: PopulationOptions): void {
  const arrivals = new Random(options.seed, 2);
  const minutes = Math.ceil((emitter.end - emitter.start) / MINUTE);
  let burst = 1;
  let visitor = 0;
  for (let m = 0; m < minutes; m++) {
    const t0 = emitter.start + m * MINUTE;
    if (m % 5 === 0) burst = Math.exp(0.35 * arrivals.normal());
    const rate = options.volume * diurnal(t0) * burst;
    for (let k = arrivals.poisson(11 * rate); k > 0; k--) {
      webVisit(emitter, new Random(options.seed, 3, visitor++), world, t0 + arrivals.next() * MINUTE);
    }
    for (let k = arrivals.poisson(7 * rate); k > 0; k--) {
      const random = new Random(options.seed, 4, visitor++);
      let user = random.pick(world.users);
      while (!user.mobile) user = random.pick(world.users);
      mobileSession(emitter, random, world, t0 + arrivals.next() * MINUTE, user);
    }
  }
  world.partners.forEach((partner, i) => {
    partnerTraffic(emitter, new Random(options.seed, 5, i), partner);
  });
  const crawlers = new Random(options.seed, 6);
  const google = networksOf((n) => n.asn === '15169')[0] as Network;
  const bing = networksOf((n) => n.asn === '8075')[0] as Network;
  const hosting = networksOf((n) => n.kind === 'hosting')[0] as Network;
  crawler(emitter, new Random(options.seed, 7, 1), world, [0, 1].map(() => ({ ip: addressIn(crawlers, google), network: google, userAgent: GOOGLEBOT })), 2_500);
  crawler(emitter, new Random(options.seed, 7, 2), world, [{ ip: addressIn(crawlers, bing), network: bing, userAgent: BINGBOT }], 5_000);
  crawler(emitter, new Random(options.seed, 7, 3), world, [{ ip: addressIn(crawlers, hosting), network: hosting, userAgent: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)' }], 12_000);
  const monitorNet = networksOf((n) => n.kind === 'cloud')[0] as Network;
  const monitorRandom = new Random(options.seed, 8);
  const monitor: Client = { ip: addressIn(monitorRandom, monitorNet), network: monitorNet, userAgent: 'Pingdom.com_bot_version_1.4' };
  for (let t = emitter.start; t < emitter.end; t += 30_000) emitter.request(monitorRandom, t, monitor, { method: 'GET', path: '/v2/health', status: 200 });
}
