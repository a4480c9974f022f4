/**
 * Percent-decoding for log fields, done exactly once and defensively.
 *
 * CloudFront writes text fields %-encoded (`%20` for a space). Some CloudFront logs, notably the
 * `cs(User-Agent)` column of standard logs, arrive double-encoded (`%2520`). We decode **once**:
 * `%2520` becomes `%20`, never a space. Decoding until stable would let a client smuggle
 * `%252e%252e%252f` past discovery as `../`, and would make `%25` in a real path ambiguous.
 * One decode is what a server in front of the API did; anything further is the client's own text.
 *
 * Malformed sequences (`%`, `%G1`, `%E9` alone — not valid UTF-8) are left as they are; this
 * function never throws. `+` is not a space in a path and is left untouched.
 */

/** Decodes `%XX` sequences once. Returns the input itself when it contains no `%` (fast path). */
const ASCII: readonly string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

export function percentDecodeOnce(value: string): string {
  let pct = value.indexOf('%');
  if (pct === -1) return value;
  // Fast path for the common case, ASCII escapes only (`%20`, `%2F`, `%25`…): slices and one-char
  // strings, no decodeURIComponent. Anything else (UTF-8 escapes, a malformed `%`) takes the full decoder.
  let out = '';
  let from = 0;
  const n = value.length;
  do {
    if (pct + 2 >= n) return decodeFull(value);
    const hi = hexValue(value.charCodeAt(pct + 1));
    const lo = hexValue(value.charCodeAt(pct + 2));
    if (hi < 0 || lo < 0 || hi > 7) return decodeFull(value);
    out += value.slice(from, pct) + (ASCII[hi * 16 + lo] as string);
    from = pct + 3;
    pct = value.indexOf('%', from);
  } while (pct !== -1);
  return out + value.slice(from);
}

function decodeFull(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return decodeRunsDefensively(value);
  }
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Slow path: decodes each maximal run of well-formed `%XX` triplets; a run that is not valid UTF-8 is decoded triplet by triplet where ASCII, else kept raw. */
function decodeRunsDefensively(value: string): string {
  let out = '';
  let i = 0;
  const n = value.length;
  while (i < n) {
    const pct = value.indexOf('%', i);
    if (pct === -1) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, pct);
    let end = pct;
    while (
      end + 2 < n &&
      value.charCodeAt(end) === 37 &&
      isHex(value.charCodeAt(end + 1)) &&
      isHex(value.charCodeAt(end + 2))
    ) {
      end += 3;
    }
    if (end === pct) {
      out += '%';
      i = pct + 1;
      continue;
    }
    const run = value.slice(pct, end);
    try {
      out += decodeURIComponent(run);
    } catch {
      for (let k = 0; k < run.length; k += 3) {
        const byte = Number.parseInt(run.slice(k + 1, k + 3), 16);
        out += byte < 0x80 ? String.fromCharCode(byte) : run.slice(k, k + 3);
      }
    }
    i = end;
  }
  return out;
}
