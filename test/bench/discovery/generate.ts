/**
 * Synthetic traffic from a declared spec: realistic parameter values (by schema type, format,
 * pattern, example and name, with the id styles MANIFEST.md describes per API), Zipf popularity
 * over operations and over values, a fixed seed.
 */
import type { DeclaredOperation, DeclaredParameter } from '../../../shared/discovery/declared.js';
import { templateSegments } from '../../../shared/discovery/template.js';

export type Rng = () => number;

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
export function zipf(n: number, s: number, r: Rng): () => number {
  const cdf: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s;
    cdf.push(total);
  }
  return () => {
    const x = r() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEXC = '0123456789abcdef';
function chars(r: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}
function uuid(r: Rng): string {
  const h = chars(r, HEXC, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}
const SYLLABLES = [
  'al',
  'be',
  'ka',
  'ro',
  'mi',
  'to',
  'sa',
  'ne',
  'li',
  'da',
  'vo',
  'ru',
  'en',
  'jo',
  'ha',
  'pe',
  'zu',
  'ti',
  'mo',
  'ri',
  'an',
  'el',
  'or',
  'is',
];
const WORDS = [
  'web',
  'api',
  'data',
  'team',
  'prod',
  'dev',
  'core',
  'blue',
  'red',
  'north',
  'cloud',
  'app',
  'svc',
  'edge',
  'lab',
  'ops',
  'infra',
  'demo',
];
function slug(r: Rng): string {
  let s = '';
  const n = 2 + Math.floor(r() * 2);
  for (let i = 0; i < n; i++) s += pick(r, SYLLABLES);
  const roll = r();
  if (roll < 0.3) s += `-${pick(r, WORDS)}`;
  else if (roll < 0.5) s += String(Math.floor(r() * 100));
  else if (roll < 0.6) s = `${pick(r, WORDS)}-${s}`;
  return s;
}
function dnsName(r: Rng): string {
  return `${pick(r, WORDS)}-${slug(r).replace(/[^a-z0-9-]/g, '')}-${chars(r, '0123456789abcdefghijklmnopqrstuvwxyz', 5)}`;
}
function date(r: Rng): string {
  const d = new Date(Date.UTC(2018, 0, 1) + Math.floor(r() * 2500) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** A value style; pools are shared per (api, style, name) so values recur across operations, as in real traffic. */
type Style =
  | { k: 'enum'; values: string[] }
  | { k: 'int' }
  | { k: 'snowflake' }
  | { k: 'uuid' }
  | { k: 'date' }
  | { k: 'hex'; n: number }
  | { k: 'base62'; n: number }
  | { k: 'prefixed'; prefix: string }
  | { k: 'sid'; prefix: string }
  | { k: 'ticker'; prefix: string }
  | { k: 'pool'; size: number; make: (r: Rng) => string }
  | { k: 'filepath' };

export type ApiProfile =
  | 'stripe'
  | 'twilio'
  | 'box'
  | 'digitalocean'
  | 'kubernetes'
  | 'mastodon'
  | 'spotify'
  | 'gitea'
  | 'polygon'
  | 'keycloak'
  | 'generic';

const COUNTRIES = [
  'US',
  'GB',
  'FR',
  'DE',
  'ES',
  'IT',
  'NL',
  'BE',
  'SE',
  'NO',
  'DK',
  'FI',
  'IE',
  'PT',
  'AT',
  'CH',
  'PL',
  'CZ',
  'JP',
  'AU',
  'NZ',
  'CA',
  'MX',
  'BR',
  'AR',
  'IN',
  'SG',
  'HK',
  'ZA',
  'AE',
];
const LOCALES = [
  'en',
  'de',
  'fr',
  'es',
  'it',
  'ja',
  'pt-BR',
  'nl',
  'sv',
  'pl',
  'ru',
  'zh-CN',
  'ko',
  'tr',
  'cs',
  'da',
  'fi',
  'no',
  'hu',
  'uk',
];

/** Prefix for a Stripe-like id from the parameter name (`payment_method` -> `pm`, `charge` -> `ch`). */
function stripePrefix(name: string): string {
  const parts = name.replace(/_?id$/, '').split('_').filter(Boolean);
  if (parts.length >= 2) return parts.map((p) => p[0]).join('');
  return (parts[0] ?? 'obj').slice(0, 3);
}

/** The value style of one path parameter. Spec facts first (enum, format, pattern, example), then the API's id conventions. */
export function styleFor(profile: ApiProfile, p: DeclaredParameter, greedy: boolean): Style {
  if (greedy) return { k: 'filepath' };
  if (p.enum && p.enum.length > 0) return { k: 'enum', values: p.enum.map(String) };
  const name = p.name;
  const ex = p.example === undefined ? undefined : String(p.example);
  const sid = p.pattern ? /^\^([A-Z]{2})\[0-9a-fA-F\]\{32\}\$$/.exec(p.pattern) : null;
  if (sid) return { k: 'sid', prefix: sid[1] as string };
  if (p.format === 'uuid' || /uuid/i.test(name) || (ex && /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(ex))) return { k: 'uuid' };
  if (p.type === 'integer' || p.type === 'number' || (ex && /^\d+$/.test(ex))) return { k: 'int' };
  if (p.format === 'date' || (ex && /^\d{4}-\d{2}-\d{2}$/.test(ex))) return { k: 'date' };
  if (/^(sha|commit_?sha|ref_?sha)$/i.test(name)) return { k: 'hex', n: 40 };
  if (ex && /^[A-Z]:[A-Z]/.test(ex)) return { k: 'ticker', prefix: ex.slice(0, 2) };
  if (ex && /^[A-Z]{1,5}$/.test(ex)) return { k: 'ticker', prefix: '' };
  if (ex && /^[A-Za-z0-9]{22}$/.test(ex) && /\d/.test(ex) && /[A-Z]/.test(ex)) return { k: 'base62', n: 22 };
  switch (profile) {
    case 'stripe':
      if (name === 'country') return { k: 'pool', size: COUNTRIES.length, make: (r) => pick(r, COUNTRIES) };
      if (name === 'capability') return { k: 'pool', size: 40, make: (r) => `${pick(r, WORDS)}_payments` };
      if (name === 'coupon' || name === 'promotion_code')
        return { k: 'pool', size: 3000, make: (r) => chars(r, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 8) };
      if (name === 'domain') return { k: 'pool', size: 2000, make: (r) => `${slug(r)}.example.com` };
      return { k: 'prefixed', prefix: stripePrefix(name) };
    case 'twilio':
      if (/countrycode/i.test(name)) return { k: 'pool', size: COUNTRIES.length, make: (r) => pick(r, COUNTRIES) };
      if (/sid$/i.test(name)) return { k: 'sid', prefix: name.slice(0, 2).toUpperCase() };
      break;
    case 'spotify':
      if (name === 'user_id') return { k: 'pool', size: 5000, make: slug };
      if (name === 'category_id') return { k: 'pool', size: 60, make: slug };
      return { k: 'base62', n: 22 };
    case 'mastodon':
      if (/(^|_)id$/.test(name)) return { k: 'snowflake' };
      break;
    case 'kubernetes':
      if (name === 'namespace') return { k: 'pool', size: 200, make: dnsName };
      return { k: 'pool', size: 20_000, make: dnsName };
    case 'keycloak':
      if (name === 'realm') return { k: 'pool', size: 30, make: slug };
      if (/id\d?$/i.test(name) || /Uuid$/.test(name)) return { k: 'uuid' };
      if (name === 'locale') return { k: 'pool', size: LOCALES.length, make: (r) => pick(r, LOCALES) };
      if (name === 'protocol') return { k: 'enum', values: ['openid-connect', 'saml'] };
      break;
    case 'gitea':
      if (/^(id|index|run|attempt|position)$/.test(name)) return { k: 'int' };
      if (/^(tag|branch|ref|base|head)$/.test(name))
        return {
          k: 'pool',
          size: 3000,
          make: (r) =>
            r() < 0.5
              ? `v${Math.floor(r() * 5)}.${Math.floor(r() * 20)}.${Math.floor(r() * 10)}`
              : `feature-${slug(r)}`,
        };
      break;
    case 'polygon':
      if (name === 'date') return { k: 'date' };
      if (name === 'from' || name === 'to')
        return { k: 'pool', size: 160, make: (r) => chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 3) };
      break;
    default:
      break;
  }
  return { k: 'pool', size: 5000, make: slug };
}

export class ValueSource {
  private pools = new Map<string, { values: string[]; draw: () => number }>();
  private counter = 0;
  constructor(private readonly r: Rng) {}

  value(key: string, style: Style): string {
    const r = this.r;
    switch (style.k) {
      case 'enum': {
        // Skewed like every other value (one scope, one direction, one format is the common one),
        // in a seeded order: the first value the spec lists is not always the most used.
        let pool = this.pools.get(`${key}/enum`);
        if (!pool) {
          const values = [...new Set(style.values)];
          for (let i = values.length - 1; i > 0; i--) {
            const j = Math.floor(r() * (i + 1));
            [values[i], values[j]] = [values[j] as string, values[i] as string];
          }
          pool = { values, draw: zipf(values.length, 0.9, r) };
          this.pools.set(`${key}/enum`, pool);
        }
        return pool.values[pool.draw()] as string;
      }
      case 'filepath': {
        const depth = 1 + Math.floor(r() * 3);
        const parts: string[] = [];
        for (let i = 0; i < depth - 1; i++)
          parts.push(
            this.pooled(
              `${key}/dir`,
              40,
              (rr) =>
                pick(rr, ['src', 'docs', 'lib', 'cmd', 'test', 'assets', 'pkg', 'internal']) +
                (rr() < 0.3 ? String(Math.floor(rr() * 9)) : ''),
            ),
          );
        parts.push(
          this.pooled(
            `${key}/file`,
            3000,
            (rr) => `${slug(rr)}.${pick(rr, ['go', 'md', 'ts', 'py', 'yaml', 'json', 'txt'])}`,
          ),
        );
        return parts.join('/');
      }
      default:
        return this.pooled(`${key}/${style.k}`, poolSize(style), (rr) => fresh(rr, style, this.counter++));
    }
  }

  private pooled(key: string, size: number, make: (r: Rng) => string): string {
    let pool = this.pools.get(key);
    if (!pool) {
      const values = new Set<string>();
      let guard = 0;
      while (values.size < size && guard++ < size * 5) values.add(make(this.r));
      const list = [...values];
      pool = { values: list, draw: zipf(list.length, 0.9, this.r) };
      this.pools.set(key, pool);
    }
    return pool.values[pool.draw()] as string;
  }
}

function poolSize(style: Style): number {
  if (style.k === 'pool') return style.size;
  if (style.k === 'ticker') return style.prefix ? 800 : 3000;
  return 20_000;
}

function fresh(r: Rng, style: Style, n: number): string {
  switch (style.k) {
    case 'int':
      return String(1 + Math.floor(r() * 9_999_999));
    case 'snowflake':
      return String(109_000_000_000_000_000n + BigInt(Math.floor(r() * 1e12)) * 1000n + BigInt(n % 1000));
    case 'uuid':
      return uuid(r);
    case 'date':
      return date(r);
    case 'hex':
      return chars(r, HEXC, style.n);
    case 'base62':
      return chars(r, B62, style.n);
    case 'prefixed':
      return `${style.prefix}_${chars(r, '0123456789', 1)}${chars(r, B62, 23)}`;
    case 'sid':
      return `${style.prefix}${chars(r, HEXC, 32)}`;
    case 'ticker':
      return `${style.prefix}${chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 2 + Math.floor(r() * 4))}${style.prefix ? chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 3) : ''}`;
    case 'pool':
      return style.make(r);
    default:
      return `x${n}`;
  }
}

/** A concrete path for an operation: every `{param}` replaced by a value of its style. */
export function concretePath(op: DeclaredOperation, profile: ApiProfile, values: ValueSource, apiKey: string): string {
  const byName = new Map(op.parameters.map((p) => [p.name, p]));
  const segs = templateSegments(op.template).map((seg) =>
    seg.replace(/\{([^{}]+?)(\+?)\}/g, (_whole, name: string, plus: string) => {
      const p = byName.get(name) ?? { name };
      const style = styleFor(profile, p, plus === '+');
      return values.value(`${apiKey}/${style.k === 'pool' ? name : ''}/${name}`, style);
    }),
  );
  return `/${segs.join('/')}`;
}
