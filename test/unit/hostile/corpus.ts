/**
 * The hostile corpus: malformed and adversarial records for every input format, generated from a seed.
 * Nothing here is committed as data: lines are built in memory, files are written to a temporary directory
 * at run time (`writeHostileFiles`), so a 1 GiB gzip bomb costs about 1 MiB of disk and no memory.
 *
 * Each line says what it is (`cls`) and what a decoder must make of it (`expect`): accepted (with a property
 * every accepted event must keep), rejected for one of the named reasons, or either — but never a throw.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, createDeflateRaw, gzipSync, constants as zlibConstants } from 'node:zlib';
import type { LogFormat } from '../../../shared/decoders/decoder.js';
import {
  cwlControlMessageJson,
  cwlEnvelopeJson,
  encodeCwlEnvelope,
  encodeLine,
  w3cHeaderLines,
} from '../../../shared/encoders/index.js';
import type { ApiEvent, LogSource, RejectionReason } from '../../../shared/events/api-event.js';
import { Random } from '../../../shared/simulate/prng.js';

export const SOURCES: readonly LogSource[] = ['cloudfront-realtime', 'cloudfront-standard', 'apigw', 'alb'];

export type Expectation =
  | { kind: 'accept'; check?: (event: ApiEvent) => string | undefined }
  | { kind: 'reject'; reasons: readonly RejectionReason[] }
  /** Either outcome is right (a forged but well-formed record); only a throw or a broken event is wrong. */
  | { kind: 'either'; check?: (event: ApiEvent) => string | undefined };

export interface HostileLine {
  /** The corpus class, e.g. `html-in-user-agent`. */
  cls: string;
  format: LogFormat;
  line: string;
  expect: Expectation;
}

const BASE_TIME = Date.UTC(2024, 4, 14, 9, 30, 0, 125);

/** A valid event with sentinels where hostile values go, so one replacement puts a raw value into any format. */
export function baseEvent(source: LogSource, i = 0, overrides: Partial<ApiEvent> = {}): ApiEvent {
  return {
    time: BASE_TIME + i * 1000,
    source,
    requestId: `req-${String(i).padStart(8, '0')}`,
    host: 'api.example.com',
    method: 'GET',
    path: `/v1/pets/${i}`,
    status: 200,
    bytesIn: 412,
    bytesOut: 1834,
    latencyMs: 42,
    clientIp: '198.51.100.23',
    userAgent: 'Mozilla/5.0 lantern-hostile/1.0',
    forwardedFor: '198.51.100.23',
    authenticated: false,
    ...overrides,
  };
}

/** One good line of `source` (the i-th of a run: distinct ids and times). */
export function goodLine(source: LogSource, i: number, overrides: Partial<ApiEvent> = {}): string {
  return encodeLine(baseEvent(source, i, overrides), source);
}

const SENTINEL = {
  path: '/SENTINELPATH',
  userAgent: 'SENTINELUA',
  forwardedFor: 'SENTINELXFF',
  bytesOut: 777_777,
  latencyMs: 4321,
} as const;

/** A line of `source` with the raw text `value` where the field `slot` is, bypassing the log's own escaping. */
export function rawLine(source: LogSource, slot: 'path' | 'userAgent' | 'forwardedFor', value: string): string {
  const line = encodeLine(baseEvent(source, 1, { [slot]: SENTINEL[slot] }), source);
  const text = source === 'apigw' ? JSON.stringify(value).slice(1, -1) : value;
  return line.replace(SENTINEL[slot], () => text);
}

/** The timestamp as each format writes it, for BASE_TIME + 1 s (what `goodLine(source, 1)` holds). */
function replaceTime(source: LogSource, value: string): string {
  const line = goodLine(source, 1);
  switch (source) {
    case 'cloudfront-realtime':
      return line.replace(/^[^\t]*/, () => value);
    case 'cloudfront-standard':
      return line.replace(/^[^\t]*\t[^\t]*/, () => value);
    case 'apigw':
      return line.replace(/"requestTimeEpoch":"[^"]*"/, () => `"requestTimeEpoch":${JSON.stringify(value)}`);
    case 'alb':
      return line.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, () => value);
  }
}

/** A numeric field (response bytes or latency) replaced by `value` as raw text. */
function replaceNumber(source: LogSource, field: 'bytesOut' | 'latencyMs', value: string): string {
  const line = encodeLine(baseEvent(source, 1, { [field]: SENTINEL[field] }), source);
  const written = field === 'bytesOut' ? String(SENTINEL.bytesOut) : source === 'apigw' ? '4321' : '4.321';
  return line.split(written).join(source === 'apigw' ? JSON.stringify(value).slice(1, -1) : value);
}

const finite = (e: ApiEvent): string | undefined => {
  if (!Number.isFinite(e.time) || e.time <= 0) return `time ${e.time}`;
  for (const k of ['bytesIn', 'bytesOut', 'latencyMs', 'status'] as const) {
    const v = e[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) return `${k} ${v}`;
  }
  return undefined;
};

/** Accepted, every number sane, and `field` holds `needle` (the hostile text reached the event intact). */
const keeps =
  (field: 'path' | 'userAgent' | 'forwardedFor', needle: string) =>
  (e: ApiEvent): string | undefined =>
    finite(e) ?? ((e[field] ?? '').includes(needle) ? undefined : `${field} lost ${JSON.stringify(needle)}`);

/** Forged X-Forwarded-For is evidence, never the caller: the client address stays the TCP peer's. */
const xffNotIdentity = (e: ApiEvent): string | undefined =>
  finite(e) ??
  (e.clientIp === '198.51.100.23' ? undefined : `clientIp became ${JSON.stringify(e.clientIp)}`) ??
  (e.principal === undefined ? undefined : `principal became ${e.principal}`);

const ONE_MIB = 1 << 20;

/** Path values an attacker sends: traversal, encodings that decode to something else, look-alikes, markup. */
export const HOSTILE_PATHS: ReadonlyArray<readonly [cls: string, value: string, kept: string]> = [
  ['path-traversal', '/static/../../etc/passwd', '/../../etc/passwd'],
  ['path-traversal-encoded', '/static/..%2f..%2fetc%2fpasswd', '../'],
  ['path-traversal-double-encoded', '/static/%252e%252e%252fadmin', '%2e%2e%2f'],
  ['path-semicolon-bypass', '/api/..;/admin', '..;/admin'],
  ['path-backslash', '/api/..\\..\\windows\\win.ini', '\\..\\'],
  ['percent-nul', '/files/report.pdf%00.jpg', '\u0000'],
  ['percent-overlong-utf8', '/%c0%ae%c0%ae/%c0%afetc', '%c0%ae'],
  ['percent-malformed', '/a%/b%G1/c%E9', '%G1'],
  ['percent-crlf-injection', '/a%0d%0aSet-Cookie:%20session=evil', '\r\nSet-Cookie'],
  ['unicode-homoglyph', '/\u0430dmin/users', '\u0430dmin'],
  ['unicode-fullwidth', '/\uff41\uff44\uff4d\uff49\uff4e', '\uff41'],
  ['unicode-rtl-override', '/invoice/\u202egpj.exe', '\u202e'],
  ['unicode-zero-width', '/ad\u200bmin', '\u200b'],
  ['html-in-path', '/<script>alert(1)</script>', '<script>'],
  ['html-attribute-in-path', '/x"><img src=x onerror=alert(document.domain)>', 'onerror='],
];

export const HOSTILE_USER_AGENTS: ReadonlyArray<readonly [cls: string, value: string]> = [
  ['html-in-user-agent', '<script>alert("ua")</script>'],
  ['html-attribute-in-user-agent', '"><svg onload=alert(1)>'],
  ['log-injection-in-user-agent', 'curl/8.0\r\n1715679001.125\t6.6.6.6\t200\tFORGED'],
  ['terminal-escape-in-user-agent', '\u001b[31mRED\u001b[0m\u0007'],
  ['nul-in-user-agent', 'a\u0000b\u0000'],
  ['rtl-in-user-agent', 'Mozilla\u202e/5.0'],
];

/** What an attacker can put in X-Forwarded-For: a trusted-looking address first, lists, junk. */
export const FORGED_XFF: readonly string[] = [
  '127.0.0.1',
  '10.0.0.1, 198.51.100.23',
  '1.1.1.1, 2.2.2.2, 3.3.3.3, 4.4.4.4',
  '<script>alert(1)</script>',
  'unknown, ::1, 0.0.0.0',
  '198.51.100.23\r\nX-Admin: true',
];

/** Every line class for one request log. */
export function hostileLines(source: LogSource, seed: number): HostileLine[] {
  const rng = new Random(seed, SOURCES.indexOf(source));
  const out: HostileLine[] = [];
  const add = (cls: string, line: string, expect: Expectation) => out.push({ cls, format: source, line, expect });
  const good = goodLine(source, 1);

  add('good', good, { kind: 'accept', check: finite });

  // Paths as the log writes them (the encoders escape as AWS does), then raw, past any escaping.
  for (const [cls, value, kept] of HOSTILE_PATHS) {
    // As logged, the client's own percent sequences are written `%25..`: one decode gives the path back exactly.
    add(`${cls} (as logged)`, encodeLine(baseEvent(source, 1, { path: value }), source), {
      kind: 'accept',
      check: keeps('path', value),
    });
    // Raw, our one decode turns them into what they stand for (`%2f` -> `/`, `%00` -> NUL), and no further.
    // (ALB's quoted field reads a raw `\\` as an escape: there the raw path is not kept verbatim.)
    const rawKept = source === 'alb' && value.includes('\\') ? finite : keeps('path', kept);
    add(cls, rawLine(source, 'path', value), { kind: 'either', check: rawKept });
  }
  for (const [cls, value] of HOSTILE_USER_AGENTS) {
    // ALB writes control characters as %XX and does not decode the user agent: there only the markup survives.
    add(`${cls} (as logged)`, encodeLine(baseEvent(source, 1, { userAgent: value }), source), {
      kind: 'accept',
      check: source === 'alb' ? keeps('userAgent', value.replace(/\p{Cc}.*/su, '')) : keeps('userAgent', value),
    });
    if (!/[\r\n]/.test(value)) add(cls, rawLine(source, 'userAgent', value), { kind: 'either', check: finite });
  }
  if (source === 'cloudfront-realtime' || source === 'cloudfront-standard') {
    for (const xff of FORGED_XFF) {
      add('forged-x-forwarded-for', encodeLine(baseEvent(source, 1, { forwardedFor: xff }), source), {
        kind: 'accept',
        check: xffNotIdentity,
      });
    }
  }

  // Sizes: a 1 MiB field is past the line limit; a 20 KiB one fits the line but not the field limit.
  add('field-1mib-path', rawLine(source, 'path', `/${'A'.repeat(ONE_MIB)}`), {
    kind: 'reject',
    reasons: ['line-too-large'],
  });
  add('field-1mib-user-agent', rawLine(source, 'userAgent', 'U'.repeat(ONE_MIB)), {
    kind: 'reject',
    reasons: ['line-too-large'],
  });
  add('field-20kib', rawLine(source, 'userAgent', 'B'.repeat(20_000)), {
    kind: 'reject',
    reasons: ['field-too-large', 'line-too-large'],
  });
  add('line-just-under-limit', rawLine(source, 'userAgent', 'C'.repeat(15_000)), { kind: 'accept', check: finite });

  // Bytes that are not text: NUL, lone surrogates (invalid UTF-16, what invalid UTF-8 becomes after a bad decode).
  add('nul-bytes-line', good.replaceAll('\t', '\u0000').replaceAll(' ', '\u0000'), {
    kind: 'reject',
    reasons: ['bad-field-count', 'not-json', 'bad-timestamp'],
  });
  add('nul-in-path', rawLine(source, 'path', '/a\u0000b'), { kind: 'either' });
  add('lone-surrogate-in-path', rawLine(source, 'path', '/\ud800x\udfff'), { kind: 'either' });
  add('replacement-chars', rawLine(source, 'userAgent', '\ufffd\ufffd\ufffd'), { kind: 'either' });
  add('only-nul', '\u0000'.repeat(100), { kind: 'reject', reasons: ['bad-field-count', 'not-json'] });

  // Numbers no log writes.
  for (const n of ['-1', 'NaN', '1e309', 'Infinity', '99999999999999999999', '0x10', '1.5', '-0']) {
    add('absurd-bytes', replaceNumber(source, 'bytesOut', n), { kind: 'either' });
    add('absurd-latency', replaceNumber(source, 'latencyMs', n), { kind: 'either' });
  }
  const times: Record<LogSource, string[]> = {
    'cloudfront-realtime': ['253402300799.000', '0.000', '0.001', '-1715679001.125', 'NaN', '1e309', '99999999999999'],
    'cloudfront-standard': [
      '9999-12-31\t23:59:59',
      '1970-01-01\t00:00:00',
      '1969-12-31\t23:59:59',
      '-001-01-01\t00:00:00',
      '2024-02-30\t00:00:00',
      '2024-05-14\t25:61:61',
    ],
    apigw: ['253402300799999', '0', '1', '-1715679001125', 'NaN', '1e309', '999999999999999999999'],
    alb: [
      '9999-12-31T23:59:59.999999Z',
      '1970-01-01T00:00:00.000000Z',
      '-0001-01-01T00:00:00.000000Z',
      '2024-13-01T00:00:00.000000Z',
      'NaN',
    ],
  };
  // Before 2000 or from 2100 on, malformed or out of range: no AWS log holds such a time.
  for (const t of times[source])
    add('absurd-timestamp', replaceTime(source, t), { kind: 'reject', reasons: ['bad-timestamp'] });

  // Broken structure.
  add('truncated-line', good.slice(0, Math.floor(good.length / 2)), { kind: 'either' });
  add('extra-separator', source === 'apigw' ? `${good},` : `${good}\t\tx`, { kind: 'either' });
  add('only-separators', source === 'apigw' ? '{}' : (source === 'alb' ? '- ' : '-\t').repeat(30), {
    kind: 'reject',
    reasons: ['bad-field-count', 'missing-field', 'bad-timestamp', 'not-a-request'],
  });
  add('whitespace-only', ' \t \t', { kind: 'either' });
  add('crlf-terminated', `${good}\r\n`, { kind: 'accept', check: finite });
  add('cr-terminated', `${good}\r`, { kind: 'either' });
  const garbage = Array.from({ length: 512 }, () => String.fromCharCode(rng.int(0, 0xffff))).join('');
  add('binary-garbage', garbage.replace(/[\n]/g, ' '), { kind: 'reject', reasons: rejectAny });
  add('html-only-line', '<html><body><script>alert(1)</script></body></html>', { kind: 'reject', reasons: rejectAny });

  if (source === 'apigw') {
    const deep = 30_000;
    add('json-deep-nesting-value', good.replace(/}$/, `,"x":${'['.repeat(deep)}${']'.repeat(deep)}}`), {
      kind: 'accept',
      check: finite,
    });
    add('json-deep-nesting-unclosed', '['.repeat(60_000), { kind: 'reject', reasons: ['not-json'] });
    add(
      'json-deep-object-as-path',
      good.replace(/"path":"[^"]*"/, `"path":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
      { kind: 'either' },
    );
    add(
      'json-proto-keys',
      '{"__proto__":{"httpMethod":"GET","status":"200","path":"/p"},"constructor":{"prototype":{"x":1}}}',
      { kind: 'reject', reasons: ['missing-field'] },
    );
    add('json-too-many-keys', JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]))), {
      kind: 'reject',
      reasons: ['field-too-large'],
    });
    add('json-types-wrong', '{"httpMethod":["GET"],"status":{"code":200},"path":7,"requestTimeEpoch":true}', {
      kind: 'reject',
      reasons: ['missing-field'],
    });
    add('json-array', '[1,2,3]', { kind: 'reject', reasons: ['not-an-object'] });
    add('json-null', 'null', { kind: 'reject', reasons: ['not-an-object'] });
    add('json-duplicate-keys', good.replace(/}$/, ',"httpMethod":"<script>"}'), {
      kind: 'reject',
      reasons: ['bad-method'],
    });
  }
  if (source === 'alb') {
    // The last closing quote gone: the quoted field before it never ends.
    add('alb-unterminated-quote', `${good.slice(0, good.lastIndexOf('"'))}${good.slice(good.lastIndexOf('"') + 1)}`, {
      kind: 'reject',
      reasons: ['bad-field-count'],
    });
    add(
      'alb-userinfo-in-url',
      good.replace('https://api.example.com:443', 'https://api.example.com@evil.example:443'),
      {
        kind: 'accept',
        check: (e) => finite(e) ?? (e.host === 'evil.example' ? undefined : `host ${e.host}`),
      },
    );
    add('alb-escaped-quotes', rawLine(source, 'userAgent', 'a\\"b\\" c'), { kind: 'either' });
  }
  if (source === 'cloudfront-standard') {
    add('w3c-fields-garbage', `#Fields: <script> \u0000 ${'x '.repeat(5000)}`, { kind: 'either' });
  }
  return out;
}

const rejectAny: readonly RejectionReason[] = [
  'bad-field-count',
  'bad-timestamp',
  'bad-status',
  'bad-method',
  'bad-number',
  'missing-field',
  'not-json',
  'not-an-object',
  'not-a-request',
  'empty-record',
  'field-too-large',
];

/** A well-formed CloudWatch Logs envelope of API Gateway messages. */
export function envelope(messages: readonly string[]): string {
  return cwlEnvelopeJson({
    logGroup: 'API-Gateway-Execution-Logs',
    logStream: 'stream',
    logEvents: messages.map((message, i) => ({ timestamp: BASE_TIME + i, message })),
  });
}

/**
 * A gzip stream of `bytes` zeros, built without ever holding them: one fully flushed deflate block of 1 MiB of
 * zeros repeated (a full flush resets the window, so every copy is identical and valid), with the real CRC.
 * 1 GiB compresses to about 1 MiB: the classic bomb.
 */
export async function gzipBombOfZeros(bytes: number, fill = 0): Promise<Buffer> {
  const block = 1 << 20;
  const zeros = Buffer.alloc(block, fill);
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (c: Buffer) => parts.push(c));
  deflate.write(zeros);
  await new Promise<void>((resolve) => deflate.flush(zlibConstants.Z_FULL_FLUSH, () => resolve()));
  const flushed = Buffer.concat(parts);
  deflate.close();
  const copies = Math.floor(bytes / block);
  let crc = 0;
  for (let i = 0; i < copies; i++) crc = crc32(zeros, crc);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  // A final empty stored block closes the deflate stream.
  const last = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE((copies * block) % 2 ** 32, 4);
  return Buffer.concat([header, ...Array.from({ length: copies }, () => flushed), last, trailer]);
}

/** Every CloudWatch Logs record class, as the base64 line an export holds. `bomb` is a gzip bomb small enough for one line. */
export function hostileCwlLines(seed: number, bomb: Buffer): HostileLine[] {
  const rng = new Random(seed, 99);
  const out: HostileLine[] = [];
  const add = (cls: string, line: string, expect: Expectation) => out.push({ cls, format: 'cwl', line, expect });
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  const good = [goodLine('apigw', 1), goodLine('apigw', 2)];
  const gz = (text: string) => gzipSync(text);

  add('good', b64(gz(envelope(good))), { kind: 'accept', check: finite });
  add('control-message', b64(gz(cwlControlMessageJson())), { kind: 'either' });
  add('gzip-bomb', b64(bomb), { kind: 'reject', reasons: ['bad-gzip'] });
  const whole = gz(envelope(good));
  add('truncated-gzip', b64(whole.subarray(0, Math.floor(whole.length / 2))), {
    kind: 'reject',
    reasons: ['truncated-gzip'],
  });
  add('truncated-gzip-header-only', b64(whole.subarray(0, 10)), {
    kind: 'reject',
    reasons: ['truncated-gzip', 'bad-gzip'],
  });
  add('concatenated-gzip-members', b64(Buffer.concat([whole, whole])), { kind: 'reject', reasons: ['not-json'] });
  add('gzip-trailing-garbage', b64(Buffer.concat([whole, Buffer.from('garbage')])), {
    kind: 'reject',
    reasons: ['bad-gzip'],
  });
  const corrupt = Buffer.from(whole);
  for (let i = 12; i < corrupt.length - 8; i += 7) corrupt[i] = rng.int(0, 255);
  add('gzip-corrupt-body', b64(corrupt), { kind: 'reject', reasons: ['bad-gzip', 'truncated-gzip', 'not-json'] });
  add('not-base64', 'H4sI!!!!$$$$****', { kind: 'reject', reasons: ['bad-base64'] });
  add('base64-of-garbage', b64(Buffer.from(Array.from({ length: 300 }, () => rng.int(0, 255)))), {
    kind: 'reject',
    reasons: ['bad-gzip', 'bad-base64', 'not-json'],
  });
  add('base64-impossible-length', 'H4sIAAAAA', { kind: 'reject', reasons: ['bad-base64'] });
  add('gzip-of-garbage', b64(gz('\u0000\u0001binary\u00ff')), { kind: 'reject', reasons: ['not-json'] });
  add('gzip-of-json-array', b64(gz('[1,2]')), { kind: 'reject', reasons: ['not-an-object'] });
  add(
    'envelope-deep-nesting',
    b64(gz(`{"messageType":"DATA_MESSAGE","logEvents":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)),
    {
      kind: 'reject',
      reasons: ['bad-envelope', 'not-json'],
    },
  );
  add(
    'envelope-logevents-not-array',
    b64(gz('{"messageType":"DATA_MESSAGE","logGroup":"g","logStream":"s","logEvents":"x"}')),
    {
      kind: 'reject',
      reasons: ['bad-envelope'],
    },
  );
  add(
    'envelope-event-without-timestamp',
    b64(
      gz(
        '{"messageType":"DATA_MESSAGE","logGroup":"g","logStream":"s","logEvents":[{"message":"{}","timestamp":1e309}]}',
      ),
    ),
    {
      kind: 'reject',
      reasons: ['bad-envelope', 'not-json'],
    },
  );
  add('envelope-unknown-message-type', b64(gz('{"messageType":"<script>","logEvents":[]}')), {
    kind: 'reject',
    reasons: ['bad-envelope'],
  });
  // Bad messages next to good ones: the good ones are kept, the bad ones rejected one by one.
  add(
    'envelope-mixed-messages',
    b64(gz(envelope([good[0] as string, 'not json', '{"httpMethod":"GET"}', '['.repeat(1000), good[1] as string]))),
    { kind: 'either' },
  );
  add(
    'envelope-html-and-injection',
    b64(
      gz(
        envelope([
          rawLine('apigw', 'userAgent', '<script>alert(1)</script>'),
          rawLine('apigw', 'path', '/a%0d%0aInjected: 1'),
          rawLine('apigw', 'userAgent', 'x\n1715679001.125\tFORGED'),
        ]),
      ),
    ),
    { kind: 'accept', check: finite },
  );
  add('envelope-message-1mib', b64(gz(envelope([rawLine('apigw', 'userAgent', 'M'.repeat(ONE_MIB))]))), {
    kind: 'reject',
    reasons: ['line-too-large'],
  });
  add('envelope-as-json-text', envelope(good), { kind: 'accept', check: finite });
  // JSON forbids a raw control character in a string.
  add('envelope-json-with-nul', envelope(good).replace('"logGroup"', '"log\u0000Group"'), {
    kind: 'reject',
    reasons: ['not-json'],
  });
  add(
    'encoded-envelope-bytes-as-text',
    encodeCwlEnvelope({ logGroup: 'g', logStream: 's', logEvents: [] }).toString('latin1'),
    {
      kind: 'reject',
      reasons: rejectAny.concat(['bad-base64', 'bad-gzip']),
    },
  );
  return out;
}

/** All line classes of every format. `bomb` as in `hostileCwlLines`. */
export function hostileCorpus(seed: number, bomb: Buffer): HostileLine[] {
  return [...SOURCES.flatMap((s) => hostileLines(s, seed)), ...hostileCwlLines(seed, bomb)];
}

export interface HostileFiles {
  dir: string;
  /** Good records written among the bad, per file: each must be analysed. */
  goodRecords: number;
  /** Files that hold at least one record Lantern must analyse. */
  files: string[];
}

export interface HostileFileOptions {
  seed: number;
  /** Inflated size of the gzip bomb files. */
  bombBytes: number;
  /** Lines of 1 MiB fields in `huge-fields.log`. */
  hugeLines: number;
}

/**
 * Writes the file-level corpus under `dir`: for every format a log of good records interleaved with every bad
 * line class; invalid UTF-8 and NUL bytes at the byte level; binary garbage; gzip bombs (zeros and newlines);
 * truncated, concatenated and trailing-garbage gzip; CRLF; empty files; a symbolic link loop; a FIFO where
 * `mkfifo` exists. The gzip bomb and the 1 MiB lines are written as streams.
 */
export async function writeHostileFiles(dir: string, options: HostileFileOptions): Promise<HostileFiles> {
  const { seed } = options;
  const rng = new Random(seed, 7);
  mkdirSync(dir, { recursive: true });
  let goodRecords = 0;
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    const file = path.join(dir, name);
    writeFileSync(file, data);
    return file;
  };

  for (const source of SOURCES) {
    const lines: string[] = source === 'cloudfront-standard' ? [...w3cHeaderLines()] : [];
    let i = 100;
    for (const h of hostileLines(source, seed)) {
      lines.push(goodLine(source, i++));
      goodRecords++;
      // Lines bigger than the limit go in huge-fields.log: here they would only repeat it.
      if (h.line.length < 64 * 1024) lines.push(h.line.replace(/\n/g, ' '));
    }
    lines.push(goodLine(source, i++));
    goodRecords++;
    files.push(put(`${source}.log`, `${lines.join('\n')}\n`));
  }
  const cwlLines = [];
  for (const h of hostileCwlLines(seed, gzipSync(Buffer.alloc(1 << 20)))) {
    cwlLines.push(Buffer.from(gzipSync(envelope([goodLine('apigw', 1)]))).toString('base64'));
    goodRecords++;
    if (h.line.length < 64 * 1024 && !h.line.includes('\n')) cwlLines.push(h.line);
  }
  files.push(put('cwl.log', `${cwlLines.join('\n')}\n`));

  // Byte level: invalid UTF-8 (lone continuation, overlong `/`, a truncated sequence, 0xff) and NUL bytes.
  const good = (i: number) => Buffer.from(`${goodLine('cloudfront-realtime', i)}\n`);
  const bad = [
    Buffer.from([0x80, 0x81, 0x0a]),
    Buffer.concat([
      Buffer.from(goodLine('cloudfront-realtime', 3).replace('/v1/pets/3', '/v1/')),
      Buffer.from([0xc0, 0xaf, 0xe2, 0x82, 0xff, 0x0a]),
    ]),
    Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x0a]),
    Buffer.from([0x00, 0x00, 0x00, 0x0a]),
    Buffer.from(`${goodLine('cloudfront-realtime', 4).replace('lantern-hostile', 'lantern\u0000hostile')}\n`),
  ];
  files.push(put('invalid-utf8-and-nul.log', Buffer.concat([good(1), ...bad.flatMap((b, i) => [b, good(10 + i)])])));
  goodRecords += bad.length + 1;

  put('binary-garbage.log', Buffer.from(Array.from({ length: 256 * 1024 }, () => rng.int(0, 255))));
  put('crlf.log', `${[1, 2, 3].map((i) => goodLine('cloudfront-realtime', i)).join('\r\n')}\r\n`);
  goodRecords += 3;
  files.push(path.join(dir, 'crlf.log'));
  put('empty.log', '');
  put('empty.log.gz', gzipSync(''));
  put('only-newlines.log', '\n'.repeat(10_000));

  // 1 MiB fields, one after another: each line rejected as it streams past, good lines between kept.
  await writeStream(path.join(dir, 'huge-fields.log'), function* () {
    for (let i = 0; i < options.hugeLines; i++) {
      yield `${goodLine('cloudfront-realtime', i)}\n`;
      yield `${rawLine('cloudfront-realtime', 'userAgent', 'X'.repeat(ONE_MIB))}\n`;
    }
    yield `${goodLine('cloudfront-realtime', options.hugeLines)}\n`;
  });
  goodRecords += options.hugeLines + 1;
  files.push(path.join(dir, 'huge-fields.log'));

  // Gzip: a bomb of zeros (one endless line), a bomb of newlines (endless blank lines), damaged streams.
  const gzLines = (from: number, n: number) =>
    gzipSync(`${Array.from({ length: n }, (_, k) => goodLine('cloudfront-realtime', from + k)).join('\n')}\n`);
  put('bomb-zeros.log.gz', await gzipBombOfZeros(options.bombBytes));
  put('bomb-newlines.log.gz', await gzipBombOfZeros(options.bombBytes, 0x0a));
  const whole = gzLines(0, 200);
  put('truncated.log.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
  put('concatenated.log.gz', Buffer.concat([gzLines(0, 5), gzLines(5, 5)]));
  goodRecords += 10;
  files.push(path.join(dir, 'concatenated.log.gz'));
  put('trailing-garbage.log.gz', Buffer.concat([gzLines(0, 2000), Buffer.from('not gzip at all')]));
  // Preallocated files end in NUL bytes after the last member: gunzip stops there.
  put('nul-padded.log.gz', Buffer.concat([gzLines(0, 3), Buffer.alloc(4096)]));
  goodRecords += 3;
  files.push(path.join(dir, 'nul-padded.log.gz'));
  put('not-really.gz', 'plain text named .gz\n');

  // Links: a loop in the tree, a link to itself; neither may hang the listing.
  mkdirSync(path.join(dir, 'links'), { recursive: true });
  symlinkSync('..', path.join(dir, 'links', 'up'));
  symlinkSync('self.log', path.join(dir, 'links', 'self.log'));
  try {
    execFileSync('mkfifo', [path.join(dir, 'pipe.log')]);
  } catch {
    // No mkfifo here: the FIFO class is skipped, the rest of the corpus stands.
  }
  return { dir, goodRecords, files };
}

export async function writeStream(file: string, chunks: () => Generator<string>): Promise<void> {
  const out = createWriteStream(file);
  for (const chunk of chunks()) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
