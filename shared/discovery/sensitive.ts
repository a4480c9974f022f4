/**
 * Sensitive data in URLs: emails, credentials (tokens, keys, passwords), card-like numbers.
 * Reports kinds only, never values.
 */

export type SensitiveKind = 'email' | 'card-number' | 'jwt' | 'api-key' | 'credential-param' | 'password';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;
const API_KEYS = [
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/, // Stripe secret / restricted keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API key
];
/** Query parameters whose value is a credential whatever it looks like. */
const CREDENTIAL_PARAMS =
  /^(?:access_?token|id_?token|refresh_?token|token|auth|authorization|api_?key|apikey|key|secret|client_?secret|signature|sig|session_?id|sessionid|x-amz-security-token|x-amz-signature)$/i;
const PASSWORD_PARAMS = /^(?:password|passwd|pwd|pass)$/i;

/** True for 13–19 digit numbers passing the Luhn check (payment card numbers). */
export function isLuhnCardNumber(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function scanValue(value: string, found: Set<SensitiveKind>): void {
  if (value.length === 0) return;
  if (EMAIL.test(value)) found.add('email');
  if (JWT.test(value)) found.add('jwt');
  if (API_KEYS.some((re) => re.test(value))) found.add('api-key');
  // Card numbers: digit runs, spaces or dashes allowed between groups.
  for (const m of value.matchAll(/\d(?:[ -]?\d){12,18}/g)) {
    if (isLuhnCardNumber(m[0].replace(/[ -]/g, ''))) {
      found.add('card-number');
      break;
    }
  }
}

/**
 * The kinds of sensitive data in a request's path and query (`query` as logged, without `?`).
 * A card number must pass Luhn; a credential parameter counts only with a non-empty value.
 */
export function sensitiveInUrl(path: string, query?: string): SensitiveKind[] {
  const found = new Set<SensitiveKind>();
  for (const seg of path.split('/')) scanValue(seg, found);
  if (query) {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1));
      if (value !== '' && CREDENTIAL_PARAMS.test(name)) found.add('credential-param');
      if (value !== '' && PASSWORD_PARAMS.test(name)) found.add('password');
      scanValue(value, found);
    }
  }
  return [...found].sort();
}
