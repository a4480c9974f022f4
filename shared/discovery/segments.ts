/**
 * What one path segment looks like: the typed kinds a parameter value can have, and the lexical
 * hints the templater uses for untyped segments. Pure functions, no state.
 */

/**
 * Kinds of a segment value. Every kind but `word` is "typed": a value of that kind is a parameter
 * on sight. `word` segments are static until cardinality says otherwise (they may then become a
 * parameter of kind `slug`).
 */
export type SegmentKind =
  | 'int'
  | 'uuid'
  | 'ulid'
  | 'objectid'
  | 'hex'
  | 'date'
  | 'email'
  | 'prefixed-id'
  | 'sid'
  | 'base62'
  | 'token'
  | 'word';

/** The kind a parameter takes once untyped values were merged into it by cardinality. */
export type ParamKind = Exclude<SegmentKind, 'word'> | 'slug' | 'any';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const OBJECT_ID = /^[0-9a-f]{24}$/i;
const HEX = /^[0-9a-f]+$/i;
const INT = /^-?\d+$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[a-z]{2,}$/i;
/** Stripe-like: a short lower-case prefix (possibly two, `sk_test_`), `_`, then a random tail. */
const PREFIXED = /^[a-z][a-z0-9]{0,11}(?:_[a-z0-9]{1,12})?_[A-Za-z0-9]{8,}$/;
/** Twilio-like: two upper-case letters and 32 hex digits. */
const SID = /^[A-Z]{2}[0-9a-f]{32}$/;
const BASE62 = /^[A-Za-z0-9]{16,}$/;
const TOKEN = /^[A-Za-z0-9_\-+=~.]{24,}$/;

function hasDigit(s: string): boolean {
  return /\d/.test(s);
}
function hasUpper(s: string): boolean {
  return /[A-Z]/.test(s);
}
function hasLower(s: string): boolean {
  return /[a-z]/.test(s);
}

/**
 * Letters whose case flips like random data (`ixvtzlgXuyTLadonXaoDQG`), unlike CamelCase words
 * (`AvailablePhoneNumbers`): both cases frequent and several upper-case pairs.
 */
function looksRandomCase(s: string): boolean {
  if (isCamelWords(s)) return false;
  const upper = s.replace(/[^A-Z]/g, '').length;
  const lower = s.replace(/[^a-z]/g, '').length;
  const pairs = (s.match(/[A-Z](?=[A-Z])/g) ?? []).length;
  const flips = (s.match(/[a-z](?=[A-Z])/g) ?? []).length;
  return upper >= 0.2 * s.length && lower >= 0.2 * s.length && (pairs >= 1 || flips >= 5);
}

/**
 * A few camelCase words with an acronym among them (`testSMTPConnection`, `getHTTPHeaders`): at most
 * four parts, each an acronym or a word of 3 to 12 letters with vowels in it (a fifth or more).
 * Random letters flip case every few characters, leaving one- or two-letter parts, or else run
 * long without vowels (`XxbvpsfahkbzjpHbkghZSW`).
 */
function isCamelWords(s: string): boolean {
  const parts = s.match(/[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+/g) ?? [];
  const wordLike = (part: string) =>
    part.replace(/^[A-Z]/, '').length >= 3 &&
    part.length <= 12 &&
    (part.match(/[aeiouy]/gi) ?? []).length >= 0.2 * part.length;
  return parts.join('') === s && parts.length <= 4 && parts.every((part) => /^[A-Z]{2,}$/.test(part) || wordLike(part));
}

/** Classifies one raw segment (already percent-decoded, no `/`). Never throws. */
export function classifySegment(segment: string): SegmentKind {
  const s = segment;
  if (s.length === 0) return 'word';
  if (INT.test(s)) return s.length >= 4 && DATE.test(s) ? 'date' : 'int';
  if (UUID.test(s)) return 'uuid';
  if (DATE.test(s)) return 'date';
  if (EMAIL.test(s)) return 'email';
  if (SID.test(s)) return 'sid';
  if (s.length === 24 && OBJECT_ID.test(s)) return 'objectid';
  if (s.length === 26 && ULID.test(s) && hasDigit(s)) return 'ulid';
  if (HEX.test(s) && ((s.length >= 8 && hasDigit(s) && /[a-f]/i.test(s)) || s.length >= 16)) return 'hex';
  if (PREFIXED.test(s)) {
    const tail = s.slice(s.lastIndexOf('_') + 1);
    if (hasDigit(tail) || (hasUpper(tail) && hasLower(tail))) return 'prefixed-id';
  }
  if (BASE62.test(s) && hasUpper(s) && hasLower(s) && (hasDigit(s) || looksRandomCase(s))) return 'base62';
  if (TOKEN.test(s) && hasDigit(s) && (hasUpper(s) || hasLower(s)) && !/^[a-z]+(?:[-_.][a-z]+)*$/.test(s)) {
    // Long and mixed: a token or a base64-like id. Long readable slugs (`current-cpu-utilization-...`)
    // have no digits or are all words, and stay words.
    const letters = s.replace(/[^A-Za-z]/g, '').length;
    const digits = s.replace(/\D/g, '').length;
    if (digits >= 3 || (hasUpper(s) && hasLower(s)) || letters === 0) return 'token';
  }
  return 'word';
}

/** `v1`, `v2beta1`, `v1alpha3`, `2010-04-01`, `2.0`: a version segment (static, and ordered). */
export function isVersionSegment(segment: string): boolean {
  return /^v\d+(?:(?:alpha|beta|rc)\d*)?$/i.test(segment) || /^\d+\.\d+(?:\.\d+)?$/.test(segment) || DATE.test(segment);
}

/** A sortable value for a version segment: higher is newer. */
export function versionRank(segment: string): number | undefined {
  const m = /^v(\d+)(?:(alpha|beta|rc)(\d*))?$/i.exec(segment);
  if (m) {
    const major = Number(m[1]);
    const stage = m[2]?.toLowerCase();
    const stageRank = stage === undefined ? 3 : stage === 'rc' ? 2 : stage === 'beta' ? 1 : 0;
    return major * 10_000 + stageRank * 1_000 + Number(m[3] || 0);
  }
  const d = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(segment);
  if (d) return Number(d[1]) * 10_000 + Number(d[2]) * 100 + Number(d[3] ?? 0);
  if (DATE.test(segment)) return Number(segment.slice(0, 10).replace(/-/g, ''));
  return undefined;
}

/**
 * An untyped segment that reads like a value rather than a name: letters and digits mixed
 * (`app-01`, `read-nyc3-01`, `bob42`), or a `:` inside (`X:BTCUSD`), or an all-caps ticker-like
 * word with a digit. Short technical names (`v2`, `oauth2`, `load_5`, `ipv6`, `x86_64`) are not.
 */
export function isValueLike(segment: string): boolean {
  if (segment.length < 4) return false;
  if (isVersionSegment(segment)) return false;
  if (/^[A-Za-z0-9]+:[A-Za-z0-9.:]+$/.test(segment)) return true;
  const digits = segment.replace(/\D/g, '').length;
  const letters = segment.replace(/[^A-Za-z]/g, '').length;
  if (digits === 0 || letters === 0) return false;
  // name + short number suffix, or a short technical token: treated as a name
  if (/^[a-z]+[_]?\d{1,2}$/i.test(segment) || /^[a-z]{1,6}\d{1,3}(?:_\d{1,3})?$/i.test(segment)) return false;
  return digits >= 2 || /[-_.]\d/.test(segment) || /\d[-_.]/.test(segment);
}

/**
 * A word written in a programming naming convention, as API designers name resources, actions and
 * metrics: snake_case of at least three parts (`frontend_tls_connections_current`), PascalCase
 * (`ThisMonth`, `Today`) or camelCase (`partialImport`). User data (names, slugs, tags) seldom
 * looks like that, so a position holding such words needs more evidence before it is a parameter.
 */
export function isDesignedName(segment: string): boolean {
  if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}$/.test(segment)) {
    return segment.split('_').filter((part) => /^[a-z]{2,}$/.test(part)).length >= 2;
  }
  return /^[A-Z][a-z]{2,}(?:[A-Z][a-z]+)*$/.test(segment) || /^[a-z]{2,}(?:[A-Z][a-z]+)+$/.test(segment);
}

/** Extensions that mark a static asset (scripts, styles, images, fonts, media, maps). */
const ASSET_EXTENSIONS = new Set([
  'js',
  'mjs',
  'cjs',
  'css',
  'map',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'ico',
  'webp',
  'avif',
  'bmp',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'mp4',
  'webm',
  'mp3',
  'ogg',
  'wav',
  'html',
  'htm',
  'wasm',
]);

/** Well-known files that are not API endpoints. */
const ASSET_FILES = new Set(['robots.txt', 'favicon.ico', 'sitemap.xml', 'manifest.json', 'site.webmanifest']);

/** The lower-case extension of the last segment, if any (`main.3f2a.js` -> `js`). */
export function extensionOf(path: string): string | undefined {
  const last = path.slice(path.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  if (dot <= 0 || dot === last.length - 1) return undefined;
  const ext = last.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,6}$/.test(ext) ? ext : undefined;
}

/**
 * A static asset: GET/HEAD of a file with an asset extension, where no earlier segment is an id
 * (`/files/123/thumbnail.png` is an API that returns an image; `/assets/app.3f2a.js` is an asset).
 */
export function isStaticAsset(method: string, segments: readonly string[]): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const last = segments[segments.length - 1];
  if (last === undefined) return false;
  if (ASSET_FILES.has(last.toLowerCase())) return true;
  const ext = extensionOf(last);
  if (ext === undefined || !ASSET_EXTENSIONS.has(ext)) return false;
  for (let i = 0; i < segments.length - 1; i++) {
    if (classifySegment(segments[i] as string) !== 'word') return false;
  }
  return true;
}

/** Splits a raw path into segments; a trailing slash is kept as an empty last segment. */
export function splitPath(path: string): string[] {
  const p = path.startsWith('/') ? path.slice(1) : path;
  if (p === '') return [];
  return p.split('/');
}

/** `payment_intents` -> `paymentIntent`; `users` -> `user`; `IncomingPhoneNumbers` -> `incomingPhoneNumber`. */
export function singularCamel(word: string): string {
  const parts = word
    .replace(/\.[a-z0-9]+$/i, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0);
  if (parts.length === 0) return '';
  const lastIndex = parts.length - 1;
  parts[lastIndex] = singular(parts[lastIndex] as string);
  return parts.map((p, i) => (i === 0 ? p.charAt(0).toLowerCase() + p.slice(1) : capitalize(p))).join('');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function singular(word: string): string {
  const w = word;
  if (/ies$/i.test(w) && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|us|is)$/i.test(w)) return w;
  if (/(x|ch|sh|ss)es$/i.test(w)) return w.slice(0, -2);
  if (/s$/i.test(w) && w.length > 3) return w.slice(0, -1);
  return w;
}

/**
 * A parameter name from the segment before it: `users` -> `userId` (`username` for a slug),
 * `orders` -> `orderId`, `{id}` when there is no good name (after a parameter, a version, or at the root).
 */
export function paramNameFor(previous: string | undefined, kind: ParamKind): string {
  if (previous === undefined || isVersionSegment(previous) || classifySegment(previous) !== 'word') return 'id';
  const base = singularCamel(previous);
  if (base === '' || !/^[A-Za-z]/.test(base) || base.length > 40) return 'id';
  if (kind === 'slug') return base === 'user' || base === 'account' ? `${base}name` : `${base}Name`;
  if (kind === 'date') return `${base}Date`;
  if (kind === 'email') return `${base}Email`;
  return `${base}Id`;
}
