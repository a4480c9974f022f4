/**
 * Percent-encoding as AWS logs write it, the inverse of `percentDecodeOnce`.
 *
 * CloudFront encodes, in text fields, the characters of RFC 1738's unsafe set (the table in the
 * CloudFront "Standard logging" doc): space `<` `>` `"` `#` `%` `{` `}` `|` `\` `^` `~` `[` `]` `` ` `` `'`,
 * plus control characters and non-ASCII (as UTF-8 bytes). Tabs and newlines therefore never
 * appear raw in a field.
 */

const UNSAFE = new Set([...' <>"#%{}|\\^~[]`\''].map((c) => c.charCodeAt(0)));

function hex(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function encodeWith(value: string, mustEncode: (code: number) => boolean): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) {
      out += mustEncode(code) ? hex(code) : ch;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) out += hex(b);
    }
  }
  return out;
}

/** A text field (user agent, x-forwarded-for): RFC 1738 unsafe set, controls, non-ASCII. */
export function percentEncodeText(value: string): string {
  return encodeWith(value, (c) => c < 0x20 || c === 0x7f || UNSAFE.has(c));
}

/** A decoded path back to its logged form: as text, plus `?` (a literal `?` in a path was `%3F`). */
export function percentEncodePath(value: string): string {
  return encodeWith(value, (c) => c < 0x20 || c === 0x7f || c === 0x3f || UNSAFE.has(c));
}

/**
 * A query string is logged raw (already %-encoded by the client): only what cannot appear in a log
 * field is encoded (controls, space, non-ASCII). Idempotent on a valid query.
 */
export function percentEncodeRawQuery(value: string): string {
  return encodeWith(value, (c) => c <= 0x20 || c === 0x7f);
}

/** A field value for a `-`-means-empty log: absent or empty -> `-`; a literal `-` is encoded so it survives. */
export function textField(value: string | undefined, encode: (v: string) => string = percentEncodeText): string {
  if (value === undefined || value === '') return '-';
  if (value === '-') return '%2D';
  return encode(value);
}

/**
 * A field logged verbatim (request id, address, country…): absent -> `-`; controls, spaces and
 * non-ASCII are %-encoded so a hostile value can never break the line (identity on real values).
 */
export function rawField(value: string | undefined): string {
  if (value === undefined || value === '') return '-';
  return percentEncodeRawQuery(value);
}
