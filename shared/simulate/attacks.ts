import { entityKey } from '../baselines/entity.js';
import type { FindingType } from '../detection/finding.js';
import type { Client, Emitter, RequestSpec } from './emitter.js';
import type { World } from './legitimate.js';
import { Random } from './prng.js';
import {
  addressIn,
  BROWSER_AGENTS,
  FIRST_PRODUCT,
  GOOGLEBOT,
  homeNetwork,
  type Network,
  networksOf,
  TOOL_AGENTS,
} from './world.js';

/** One malicious entity of the ground truth: who (as Lantern attributes it), what it does, and when. */
export interface MaliciousEntity {
  /** Entity key as attribution makes it (`principal:…`, `api-key:…`, `session:…`, `ip:…`). */
  entity: string;
  /** The finding type that should name it. */
  type: FindingType;
  /** The attack within the scenario. */
  attack: string;
  reason: string;
  firstRequest: number;
  lastRequest: number;
  requests: number;
  /** A fast attack should be found within 2 simulated minutes. */
  fast: boolean;
}

export interface AttackContext {
  emitter: Emitter;
  world: World;
  seed: number;
  /** When the attack begins (epoch ms). */
  start: number;
  speed: number;
}

const MINUTE = 60_000;

/** Records the malicious entities as their requests are emitted. */
export class Truth {
  readonly entities = new Map<string, MaliciousEntity>();

  constructor(private readonly emitter: Emitter) {}

  send(random: Random, time: number, client: Client, spec: RequestSpec, label: Omit<MaliciousEntity, 'entity' | 'firstRequest' | 'lastRequest' | 'requests'>): void {
    if (time < this.emitter.start || time >= this.emitter.end) return;
    this.emitter.request(random, time, client, spec);
    const key = keyOf(client);
    const entry = this.entities.get(key);
    if (entry) {
      entry.firstRequest = Math.min(entry.firstRequest, Math.floor(time));
      entry.lastRequest = Math.max(entry.lastRequest, Math.floor(time));
      entry.requests++;
    } else {
      this.entities.set(key, { entity: key, ...label, firstRequest: Math.floor(time), lastRequest: Math.floor(time), requests: 1 });
    }
  }
}

/** The entity Lantern attributes a client's requests to (the same order as `attributeEntity`). */
export function keyOf(client: Client): string {
  if (client.principal) return entityKey({ type: 'principal', id: client.principal });
  if (client.apiKeyId) return entityKey({ type: 'api-key', id: client.apiKeyId });
  if (client.session) return entityKey({ type: 'session', id: client.session });
  return entityKey({ type: 'ip', id: client.ip });
}

function hosting(random: Random): Network {
  return random.pick(networksOf((n) => n.kind === 'hosting'));
}

function foreign(random: Random): Network {
  return random.pick(networksOf((n) => n.kind === 'hosting' || ['CN', 'RU', 'BR', 'IN', 'VN', 'EG'].includes(n.country)));
}

function principalId(random: Random): string {
  return `${random.hex(8)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}`;
}

/** Requests at `rate` per second (times speed) from `from` until the end, with exponential gaps. */
function* ticks(random: Random, from: number, end: number, perSecond: number): Generator<number> {
  const mean = 1000 / Math.max(1e-6, perSecond);
  for (let t = from + random.exponential(mean); t < end; t += random.exponential(mean)) yield t;
}

/** A short stretch of ordinary browsing, so that an attacker's account does not start with its attack (not counted as the attack). */
function warmUp(random: Random, ctx: AttackContext, client: Client, orders: number[]): void {
  let t = ctx.start - 10 * MINUTE;
  for (let i = 0; i < 6; i++) {
    const own = random.pick(orders);
    ctx.emitter.request(random, t, client, { method: 'GET', path: `/v2/orders/${own}`, template: '/v2/orders/{id}', status: 200 });
    ctx.emitter.request(random, t + 800, client, { method: 'GET', path: '/v2/me', status: 200 });
    t += random.int(40_000, 90_000);
  }
}

export function bola(truth: Truth, ctx: AttackContext, variant = 0): void {
  const random = new Random(ctx.seed, 100, variant);
  const end = ctx.emitter.end;
  // An account of its own that walks other customers' orders (refused) ...
  {
    const network = homeNetwork(random, 'isp');
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(BROWSER_AGENTS), principal: principalId(random) };
    const own = [ctx.world.lastOrder + 10 + variant * 10, ctx.world.lastOrder + 11 + variant * 10];
    const label = { type: 'bola-enumeration' as const, attack: 'orders-walk', reason: 'authenticated user walking other customers\' order ids (403)', fast: ctx.speed >= 1 };
    warmUp(random, ctx, client, own);
    let id = 500_000 + random.int(0, 5_000);
    for (const t of ticks(random, ctx.start, end, 3 * ctx.speed)) {
      id += random.int(1, 2);
      truth.send(random, t, client, { method: 'GET', path: `/v2/orders/${id}`, template: '/v2/orders/{id}', status: random.chance(0.1) ? 404 : 403 }, label);
    }
  }
  if (variant > 0) return;
  // ... and one that finds a route that does not check ownership (200).
  {
    const network = homeNetwork(random, 'mobile');
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(BROWSER_AGENTS), principal: principalId(random) };
    const label = { type: 'bola-enumeration' as const, attack: 'addresses-walk', reason: 'authenticated user reading other users\' addresses through a route without an ownership check (200)', fast: ctx.speed >= 1 };
    warmUp(random, ctx, client, [ctx.world.lastOrder + 50]);
    for (const t of ticks(random, ctx.start, end, 2 * ctx.speed)) {
      const user = 100_000 + random.int(0, ctx.world.users.length - 1);
      truth.send(random, t, client, { method: 'GET', path: `/v2/users/${user}/addresses`, template: '/v2/users/{id}/addresses', status: 200 }, label);
    }
  }
}

export function credentialStuffing(truth: Truth, ctx: AttackContext, ips = 6): void {
  const random = new Random(ctx.seed, 200);
  const label = { type: 'credential-stuffing' as const, attack: 'stuffing-burst', reason: 'a few addresses trying leaked passwords fast', fast: ctx.speed >= 1 };
  for (let i = 0; i < ips; i++) {
    const network = hosting(random);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.chance(0.5) ? random.pick(TOOL_AGENTS) : random.pick(BROWSER_AGENTS) };
    const start = ctx.start + random.int(0, 60_000);
    for (const t of ticks(random, start, ctx.emitter.end, 1.5 * ctx.speed)) {
      truth.send(random, t, client, { method: 'POST', path: '/v2/auth/login', status: random.chance(0.02) ? 200 : 401 }, label);
    }
  }
}

export function credentialStuffingDistributed(truth: Truth, ctx: AttackContext): void {
  const random = new Random(ctx.seed, 300);
  const residential = networksOf((n) => n.kind === 'isp' || n.kind === 'mobile');
  const span = ctx.emitter.end - ctx.start;
  // About one attempt per address per hour: each address alone looks like a user who mistyped a password.
  const addresses = Math.round(((300 * ctx.speed) * span) / (60 * MINUTE));
  const label = { type: 'credential-stuffing' as const, attack: 'stuffing-low-and-slow', reason: 'one of hundreds of residential addresses each trying a password or two per hour', fast: false };
  for (let i = 0; i < addresses; i++) {
    const network = random.pick(residential);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(BROWSER_AGENTS) };
    let t = ctx.start + random.next() * span;
    for (let k = random.chance(0.3) ? 2 : 1; k > 0; k--) {
      truth.send(random, t, client, { method: 'POST', path: '/v2/auth/login', status: random.chance(0.01) ? 200 : 401 }, label);
      t += random.int(20, 60) * MINUTE;
    }
  }
}

/**
 * A slower, differently shaped campaign than `credentialStuffingDistributed` (which the benchmark holds out): a proxy
 * pool of residential and hosting addresses, about 60 an hour, each trying one to three passwords a few minutes
 * apart with a browser or tool user agent. A tuning scenario for the population-level rules.
 */
export function credentialStuffingSlow(truth: Truth, ctx: AttackContext): void {
  const random = new Random(ctx.seed, 310);
  const pool = networksOf((n) => n.kind === 'isp' || n.kind === 'mobile' || n.kind === 'hosting');
  const span = ctx.emitter.end - ctx.start;
  const addresses = Math.round((60 * ctx.speed * span) / (60 * MINUTE));
  const label = { type: 'credential-stuffing' as const, attack: 'stuffing-proxy-pool', reason: 'one of a proxy pool\'s addresses, each trying one to three passwords a few minutes apart', fast: false };
  for (let i = 0; i < addresses; i++) {
    const network = random.pick(pool);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.chance(0.7) ? random.pick(BROWSER_AGENTS) : random.pick(TOOL_AGENTS) };
    let t = ctx.start + random.next() * span;
    for (let k = random.int(1, 3); k > 0; k--) {
      truth.send(random, t, client, { method: 'POST', path: '/v2/auth/login', status: random.chance(0.01) ? 200 : 401 }, label);
      t += random.int(2, 8) * MINUTE;
    }
  }
}

export function volumetric(truth: Truth, ctx: AttackContext): void {
  const random = new Random(ctx.seed, 400);
  {
    const network = homeNetwork(random, 'isp');
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS), principal: principalId(random) };
    const label = { type: 'volumetric-abuse' as const, attack: 'search-flood', reason: 'an account hammering search', fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start, ctx.emitter.end, 12 * ctx.speed)) {
      truth.send(random, t, client, { method: 'GET', path: '/v2/search', query: `q=${random.hex(6)}`, status: random.chance(0.2) ? 429 : 200 }, label);
    }
  }
  {
    const network = hosting(random);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS) };
    const label = { type: 'volumetric-abuse' as const, attack: 'list-flood', reason: 'an address flooding the product list', fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start + 3 * MINUTE, ctx.emitter.end, 8 * ctx.speed)) {
      truth.send(random, t, client, { method: 'GET', path: '/v2/products', query: `page=${random.int(1, 20)}`, status: 200 }, label);
    }
  }
}

export function scraping(truth: Truth, ctx: AttackContext, withPartner = true): void {
  const random = new Random(ctx.seed, 500);
  const partner = ctx.world.partners[1];
  if (withPartner && partner) {
    const label = { type: 'scraping' as const, attack: 'partner-scrape', reason: 'a partner key that starts copying the whole catalogue', fast: ctx.speed >= 1 };
    let id = FIRST_PRODUCT;
    for (const t of ticks(random, ctx.start, ctx.emitter.end, 4 * ctx.speed)) {
      truth.send(random, t, random.pick(partner.clients), { method: 'GET', path: `/v2/products/${id++}`, template: '/v2/products/{id}', status: 200 }, label);
      if (id >= FIRST_PRODUCT + ctx.world.products) id = FIRST_PRODUCT;
    }
  }
  const network = hosting(random);
  const client: Client = { ip: addressIn(random, network), network, userAgent: GOOGLEBOT };
  const label = { type: 'scraping' as const, attack: 'fake-googlebot', reason: 'a scraper posing as Googlebot from a hosting network', fast: ctx.speed >= 1 };
  for (const t of ticks(random, ctx.start + 2 * MINUTE, ctx.emitter.end, 3 * ctx.speed)) {
    const id = FIRST_PRODUCT + random.int(0, ctx.world.products - 1);
    truth.send(random, t, client, { method: 'GET', path: `/v2/products/${id}`, template: '/v2/products/{id}', status: 200 }, label);
  }
}

export function exfiltration(truth: Truth, ctx: AttackContext, both = true): void {
  const random = new Random(ctx.seed, 600);
  {
    const network = homeNetwork(random, 'isp');
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(BROWSER_AGENTS), principal: principalId(random) };
    const label = { type: 'data-exfiltration' as const, attack: 'bulk-export', reason: 'an account pulling full exports over and over', fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start, ctx.emitter.end, ctx.speed / 3)) {
      truth.send(random, t, client, { method: 'GET', path: '/v2/reports/export', query: 'format=csv&range=all', status: 200, bytes: random.int(3_500_000, 4_500_000) }, label);
    }
  }
  if (!both) return;
  const network = homeNetwork(random, 'isp');
  const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS), principal: principalId(random) };
  const label = { type: 'data-exfiltration' as const, attack: 'oversized-pages', reason: 'an account listing orders with an oversized page size', fast: ctx.speed >= 1 };
  for (const t of ticks(random, ctx.start + MINUTE, ctx.emitter.end, ctx.speed / 5)) {
    truth.send(random, t, client, { method: 'GET', path: '/v2/orders', query: 'limit=5000', status: 200, bytes: random.int(2_000_000, 3_000_000) }, label);
  }
}

const WORDS = ['admin', 'api', 'backup', 'config', 'console', 'debug', 'env', 'git', 'graphql', 'internal', 'login', 'manage', 'metrics', 'old', 'private', 'swagger', 'test', 'upload', 'users', 'v3', 'wp-admin', 'actuator', 'phpmyadmin', 'server-status', 'db', 'dump', 'secret', 'token', 'keys', 'staging'];
const SUFFIXES = ['', '.php', '.json', '.bak', '/index.html', '/config', '.yml', '.sql'];

export function scanning(truth: Truth, ctx: AttackContext, count = 2): void {
  const random = new Random(ctx.seed, 700);
  for (let i = 0; i < count; i++) {
    const network = hosting(random);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS) };
    const label = { type: 'scanning' as const, attack: 'path-probe', reason: 'an address probing hundreds of paths that do not exist', fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start + i * MINUTE, ctx.emitter.end, 8 * ctx.speed)) {
      const prefix = random.pick(['', '/v2', '/api', '/v1', '/.well-known']);
      const path = `${prefix}/${random.pick(WORDS)}${random.chance(0.5) ? `/${random.pick(WORDS)}` : ''}${random.pick(SUFFIXES)}`;
      const status = path === '/v2/products' ? 200 : random.chance(0.05) ? 403 : random.chance(0.05) ? 405 : 404;
      truth.send(random, t, client, { method: random.chance(0.9) ? 'GET' : 'POST', path, status }, label);
    }
  }
}

export function tokenSharing(truth: Truth, ctx: AttackContext, withPartner = true): void {
  const random = new Random(ctx.seed, 800);
  const victim = ctx.world.users[random.int(0, ctx.world.users.length - 1)];
  if (victim) {
    const label = { type: 'token-sharing' as const, attack: 'stolen-session', reason: 'a customer token replayed from many countries at once', fast: ctx.speed >= 1 };
    const home = homeNetwork(random, 'isp', victim.country);
    const own: Client = { ip: addressIn(random, home), network: home, userAgent: random.pick(BROWSER_AGENTS), principal: victim.principal };
    for (let t = ctx.start - 15 * MINUTE; t < ctx.start; t += random.int(20_000, 90_000)) {
      ctx.emitter.request(random, t, own, { method: 'GET', path: '/v2/me', status: 200 });
    }
    const thieves: Client[] = [];
    for (let i = 0; i < 10; i++) {
      const network = foreign(random);
      thieves.push({ ip: addressIn(random, network), network, userAgent: random.pick([...BROWSER_AGENTS, ...TOOL_AGENTS]), principal: victim.principal });
    }
    for (const t of ticks(random, ctx.start, ctx.emitter.end, 0.5 * ctx.speed)) {
      const thief = random.pick(thieves);
      const order = random.pick(victim.orders);
      const page = random.chance(0.5) ? { method: 'GET', path: '/v2/me', status: 200 } : { method: 'GET', path: `/v2/orders/${order}`, template: '/v2/orders/{id}', status: 200 };
      truth.send(random, t, thief, page, label);
    }
  }
  const partner = ctx.world.partners[2];
  if (!withPartner || !partner) return;
  const label = { type: 'token-sharing' as const, attack: 'leaked-partner-key', reason: 'a partner key leaked and used from several countries', fast: ctx.speed >= 1 };
  const users: Client[] = [];
  for (let i = 0; i < 6; i++) {
    const network = foreign(random);
    users.push({ ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS), apiKeyId: partner.apiKeyId });
  }
  for (const t of ticks(random, ctx.start + 2 * MINUTE, ctx.emitter.end, 0.3 * ctx.speed)) {
    const sku = random.pick(partner.skus);
    truth.send(random, t, random.pick(users), { method: 'GET', path: `/v2/partner/inventory/${sku}`, template: '/v2/partner/inventory/{id}', status: 200 }, label);
  }
}

export function unauthenticatedAccess(truth: Truth, ctx: AttackContext): void {
  const random = new Random(ctx.seed, 900);
  for (let i = 0; i < 2; i++) {
    const network = i === 0 ? hosting(random) : foreign(random);
    const client: Client = { ip: addressIn(random, network), network, userAgent: random.pick(TOOL_AGENTS) };
    const label = { type: 'unauthenticated-access' as const, attack: 'missing-auth', reason: 'reading customer addresses without any credential through a route that forgot to require one', fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start + i * 2 * MINUTE, ctx.emitter.end, 0.5 * ctx.speed)) {
      const user = 100_000 + random.int(0, ctx.world.users.length - 1);
      truth.send(random, t, client, { method: 'GET', path: `/v2/users/${user}/addresses`, template: '/v2/users/{id}/addresses', status: 200 }, label);
    }
  }
}

function classified(truth: Truth, ctx: AttackContext, kind: 'shadow' | 'zombie'): void {
  const random = new Random(ctx.seed, kind === 'shadow' ? 1000 : 1100);
  const template = kind === 'shadow' ? '/internal/admin/users/{id}' : '/v1/orders/{id}';
  const type = kind === 'shadow' ? ('shadow-api-traffic' as const) : ('zombie-api-traffic' as const);
  const reason = kind === 'shadow' ? 'calling an undocumented internal admin route' : 'calling the retired v1 order route, which lacks v2\'s checks';
  const clients: Client[] = [];
  const n1 = hosting(random);
  clients.push({ ip: addressIn(random, n1), network: n1, userAgent: random.pick(TOOL_AGENTS) });
  const n2 = homeNetwork(random, 'isp');
  clients.push({ ip: addressIn(random, n2), network: n2, userAgent: random.pick(BROWSER_AGENTS), principal: principalId(random) });
  clients.forEach((client, i) => {
    const label = { type, attack: `${kind}-${i === 0 ? 'anonymous' : 'account'}`, reason, fast: ctx.speed >= 1 };
    for (const t of ticks(random, ctx.start + i * MINUTE, ctx.emitter.end, 0.2 * ctx.speed)) {
      const id = kind === 'shadow' ? 100_000 + random.int(0, 3999) : 500_000 + random.int(0, 9999);
      truth.send(random, t, client, { method: 'GET', path: template.replace('{id}', String(id)), template, status: 200 }, label);
    }
  });
}

export const shadowTraffic = (truth: Truth, ctx: AttackContext) => classified(truth, ctx, 'shadow');
export const zombieTraffic = (truth: Truth, ctx: AttackContext) => classified(truth, ctx, 'zombie');

/** Several attacks at once, staggered by five minutes. */
export function mixed(truth: Truth, ctx: AttackContext): void {
  const at = (k: number): AttackContext => ({ ...ctx, start: ctx.start + k * 5 * MINUTE });
  bola(truth, at(0), 1);
  credentialStuffing(truth, at(1), 3);
  scraping(truth, at(2), false);
  scanning(truth, at(3), 1);
  tokenSharing(truth, at(4), false);
  exfiltration(truth, at(5), false);
  shadowTraffic(truth, at(6));
}
