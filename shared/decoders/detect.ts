/**
 * Guesses the log format from the first line (or first bytes) of a file or record.
 * Cheap checks in order of certainty; undefined when nothing fits.
 *
 * Gzip is recognised (`isGzip`) but not looked into: decompressing is the caller's job, who then
 * calls `detectFormat` again on the first decompressed line.
 */
import type { LogFormat } from './decoder.js';

/** Gzip magic bytes (RFC 1952): 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const ALB_LINE = /^(?:http|https|h2|grpcs|ws|wss) \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z /;
const W3C_DATA_LINE = /^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t/;
const EPOCH_SECONDS = /^\d{9,11}(?:\.\d{1,6})?$/;
/** Base64 of a gzip stream starts with `H4sI` (1f 8b 08 + flags). */
const BASE64_GZIP = /^H4sI[A-Za-z0-9+/]{8,}={0,2}$/;

/** The format of a line (or of the first bytes of a file). */
export function detectFormat(firstLine: string | Uint8Array): LogFormat | undefined {
  let line: string;
  if (typeof firstLine === 'string') {
    line = firstLine;
  } else {
    if (isGzip(firstLine)) return undefined;
    const newline = firstLine.indexOf(0x0a);
    line = Buffer.from(firstLine.subarray(0, newline === -1 ? Math.min(firstLine.length, 65536) : newline)).toString(
      'utf8',
    );
  }
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  const nl = line.indexOf('\n');
  if (nl !== -1) line = line.slice(0, nl);
  line = line.replace(/\r$/, '');

  if (line.startsWith('#Version:') || line.startsWith('#Fields:')) return 'cloudfront-standard';
  const trimmed = line.trimStart();
  if (trimmed.startsWith('{')) return detectJson(trimmed);
  if (ALB_LINE.test(line)) return 'alb';
  if (W3C_DATA_LINE.test(line)) return 'cloudfront-standard';
  const tab = line.indexOf('\t');
  if (tab > 0 && EPOCH_SECONDS.test(line.slice(0, tab))) return 'cloudfront-realtime';
  if (BASE64_GZIP.test(line.trim())) return 'cwl';
  return undefined;
}

function detectJson(text: string): LogFormat | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const obj = parsed as Record<string, unknown>;
  if ('messageType' in obj && ('logEvents' in obj || obj.messageType === 'CONTROL_MESSAGE')) return 'cwl';
  if (
    'httpMethod' in obj ||
    'routeKey' in obj ||
    ('status' in obj && ('requestId' in obj || 'requestTime' in obj || 'requestTimeEpoch' in obj))
  ) {
    return 'apigw';
  }
  return undefined;
}
