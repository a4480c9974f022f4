/**
 * Small, allocation-free field parsers shared by the decoders. No regular expressions: these run
 * several times per record on the hot path. Every function returns `undefined` (or NaN-free
 * sentinel) for input it does not accept, and never throws.
 */
import { LIMITS } from './decoder.js';

/** A non-negative decimal integer made of ASCII digits only (max 15 digits, so it stays exact). */
export function parseUint(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 15) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A non-negative decimal number of seconds (`0.082`, `12`, `1600299221.087`) converted to integer
 * milliseconds, rounding half up on the fourth decimal. Digits and at most one dot only.
 */
export function parseSecondsToMs(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 24) return undefined;
  let whole = 0;
  let i = 0;
  let digits = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) break;
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    whole = whole * 10 + d;
    digits++;
  }
  if (digits === 0 || digits > 12) return undefined;
  let ms = whole * 1000;
  if (i < n) {
    // fraction
    i++;
    if (i === n) return undefined;
    let scale = 100;
    let roundDigit = -1;
    for (let k = 0; i < n; i++, k++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      if (k < 3) {
        ms += d * scale;
        scale /= 10;
      } else if (k === 3) {
        roundDigit = d;
      }
    }
    if (roundDigit >= 5) ms += 1;
  }
  return ms;
}

/** A possibly negative seconds value (ALB writes `-1` when it could not dispatch). Negative -> undefined. */
export function parseSignedSecondsToMs(s: string): number | undefined {
  if (s.length > 0 && s.charCodeAt(0) === 45) return undefined;
  return parseSecondsToMs(s);
}

/** An HTTP status: exactly three ASCII digits (`000` -> 0). */
export function parseStatus(s: string): number | undefined {
  if (s.length !== 3) return undefined;
  const a = s.charCodeAt(0) - 48;
  const b = s.charCodeAt(1) - 48;
  const c = s.charCodeAt(2) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return undefined;
  return a * 100 + b * 10 + c;
}

/** An HTTP method token (RFC 9110 tchar subset: letters, digits, `-`, `_`, `.`), at most 32 chars, returned upper-case. */
export function parseMethod(s: string): string | undefined {
  const n = s.length;
  if (n === 0 || n > 32) return undefined;
  let lower = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) continue;
    if (c >= 97 && c <= 122) {
      lower = true;
      continue;
    }
    if ((c >= 48 && c <= 57) || c === 45 || c === 95 || c === 46) continue;
    return undefined;
  }
  return lower ? s.toUpperCase() : s;
}

/** `yyyy-mm-dd` and `HH:MM:SS[.ffffff]` (UTC) to epoch ms; undefined when malformed or out of range. */
export function parseUtcDateTime(date: string, time: string): number | undefined {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(date, 0, 4);
  const mo = digitsAt(date, 5, 2);
  const d = digitsAt(date, 8, 2);
  if (y === undefined || mo === undefined || d === undefined) return undefined;
  if (time.length < 8 || time.charCodeAt(2) !== 58 || time.charCodeAt(5) !== 58) return undefined;
  const h = digitsAt(time, 0, 2);
  const mi = digitsAt(time, 3, 2);
  const sec = digitsAt(time, 6, 2);
  if (h === undefined || mi === undefined || sec === undefined) return undefined;
  let ms = 0;
  if (time.length > 8) {
    if (time.charCodeAt(8) !== 46 || time.length === 9 || time.length > 18) return undefined;
    let scale = 100;
    for (let i = 9; i < time.length; i++) {
      const dd = time.charCodeAt(i) - 48;
      if (dd < 0 || dd > 9) return undefined;
      if (scale >= 1) ms += dd * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59 || y < 1970)
    return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
}

/** ISO 8601 UTC as ALB writes it: `2018-07-02T22:23:00.186641Z` (fraction optional). */
export function parseIsoUtc(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(10) !== 84 || s.charCodeAt(n - 1) !== 90) return undefined;
  return parseUtcDateTime(s.slice(0, 10), s.slice(11, n - 1));
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function digitsAt(s: string, from: number, count: number): number | undefined {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return v;
}

/**
 * The UTF-8 byte length of `line` is over LIMITS.maxLineBytes. Cheap: a UTF-16 string needs at most
 * 3 bytes per code unit, so the exact count is only computed for lines that could be over.
 */
export function isLineTooLarge(line: string): boolean {
  if (line.length > LIMITS.maxLineBytes) return true;
  if (line.length * 3 <= LIMITS.maxLineBytes) return false;
  return Buffer.byteLength(line, 'utf8') > LIMITS.maxLineBytes;
}

/** Removes one trailing `\n` or `\r\n` (CloudFront and Kinesis producers may leave it). */
export function trimNewline(line: string): string {
  const n = line.length;
  if (n > 0 && line.charCodeAt(n - 1) === 10) {
    return n > 1 && line.charCodeAt(n - 2) === 13 ? line.slice(0, n - 2) : line.slice(0, n - 1);
  }
  return line;
}

/** `-` and empty mean absent in every AWS log we read. */
export function present(v: string | undefined): string | undefined {
  return v === undefined || v === '-' || v === '' ? undefined : v;
}

/**
 * True when one of the header names in a CloudFront `cs-header-names` value (`host%0Aaccept%0A…`,
 * sometimes with real newlines) is a credential carrier: Authorization, Proxy-Authorization,
 * x-api-key, Cookie. A hand-rolled scan: this runs on every record.
 */
export function headerNamesCarryCredential(headerNames: string): boolean {
  const n = headerNames.length;
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n) {
      const c = headerNames.charCodeAt(end);
      if (c === 10) break;
      if (
        c === 37 &&
        end + 2 < n &&
        headerNames.charCodeAt(end + 1) === 48 &&
        (headerNames.charCodeAt(end + 2) | 32) === 97
      )
        break;
      end++;
    }
    const len = end - start;
    if (len === 6 || len === 9 || len === 13 || len === 19) {
      const name = headerNames.slice(start, end).toLowerCase();
      if (name === 'cookie' || name === 'x-api-key' || name === 'authorization' || name === 'proxy-authorization')
        return true;
    }
    start = end < n && headerNames.charCodeAt(end) === 10 ? end + 1 : end + 3;
  }
  return false;
}

/** Header names from CloudFront `cs-headers` (`name:value%0Aname:value`): values are dropped on the spot. */
export function headerNamesFromHeaders(headers: string): string {
  const out: string[] = [];
  for (const entry of headers.replaceAll('%0A', '\n').replaceAll('%0a', '\n').split('\n')) {
    const colon = entry.indexOf(':');
    if (colon > 0) out.push(entry.slice(0, colon));
  }
  return out.join('%0A');
}

/** A request time a real log can hold (`LIMITS.minTimeMs` to `maxTimeMs`); false for undefined and NaN. */
export function isPlausibleTime(ms: number | undefined): ms is number {
  return ms !== undefined && ms >= LIMITS.minTimeMs && ms < LIMITS.maxTimeMs;
}
