/**
 * The committed fixtures decode exactly as test/fixtures/manifest.json (and README.md) say:
 * the CLI tests rely on `records == good + bad`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { DecodeOutcome, LogFormat } from '../../../shared/decoders/decoder.js';
import { createLineDecoder, detectFormat, isGzip } from '../../../shared/decoders/index.js';

const root = new URL('../../fixtures/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', root), 'utf8')) as Record<
  string,
  { records: number; good: number; bad: number }
>;

function readText(path: string): { text: string; truncated: boolean } {
  const bytes = readFileSync(new URL(path, root));
  if (!isGzip(bytes)) return { text: bytes.toString('utf8'), truncated: false };
  try {
    return { text: gunzipSync(bytes).toString('utf8'), truncated: false };
  } catch (error: unknown) {
    expect(String(error)).toContain('unexpected end of file');
    return { text: gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8'), truncated: true };
  }
}

function decodeFile(path: string): {
  format: LogFormat | undefined;
  outcomes: DecodeOutcome[];
  control: number;
  truncated: boolean;
} {
  const { text, truncated } = readText(path);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const format = detectFormat(lines[0] ?? '');
  if (format === undefined) return { format, outcomes: [], control: 0, truncated };
  const fieldsFile = path.replace(/[^/]+$/, 'sample.fields');
  const fields =
    format === 'cloudfront-realtime' && manifestHasFields(path)
      ? readFileSync(new URL(fieldsFile, root), 'utf8').trim().split('\n')
      : undefined;
  const decode = createLineDecoder(format, fields ? { fields } : {});
  const outcomes: DecodeOutcome[] = [];
  let control = 0;
  for (const line of lines) {
    const r = decode(line);
    if (r.kind === 'records') outcomes.push(...r.outcomes);
    if (r.kind === 'control') control++;
  }
  return { format, outcomes, control, truncated };
}

const manifestHasFields = (path: string) => path === 'cloudfront-realtime/sample.log';

describe('fixtures', () => {
  it('lists every synthetic fixture file in the manifest', () => {
    // Prepare
    const generated = [
      'cloudfront-realtime',
      'cloudfront-standard',
      'apigw',
      'cwl',
      'alb',
      'mixed',
      'corrupted',
    ].flatMap((dir) =>
      readdirSync(new URL(`${dir}/`, root))
        .filter((f) => !f.startsWith('aws-doc') && !f.startsWith('published-sample') && !f.endsWith('.fields'))
        .map((f) => `${dir}/${f}`),
    );
    // Assess
    expect(generated.sort()).toEqual(Object.keys(manifest).sort());
  });

  it.each(Object.keys(manifest))('%s decodes to the counts in the manifest', (path) => {
    // Act
    const { format, outcomes, truncated } = decodeFile(path);
    const good = outcomes.filter((o) => o.ok).length;
    // Assess
    expect(format).toBeDefined();
    expect({ records: outcomes.length, good, bad: outcomes.length - good }).toEqual({
      records: manifest[path]?.records,
      good: manifest[path]?.good,
      bad: manifest[path]?.bad,
    });
    expect(truncated).toBe(path.endsWith('truncated.log.gz'));
  });

  it('counts the CONTROL_MESSAGE of the CWL fixture apart from records', () => {
    // Act
    const { control } = decodeFile('cwl/envelopes.jsonl');
    // Assess
    expect(control).toBe(1);
  });

  it('gives the documented rejection reasons in the corrupted file', () => {
    // Act
    const { outcomes } = decodeFile('corrupted/realtime-corrupted.log');
    // Assess
    expect(outcomes.flatMap((o) => (o.ok ? [] : [o.reason]))).toEqual([
      'bad-field-count',
      'bad-field-count',
      'bad-timestamp',
      'bad-timestamp',
      'line-too-large',
      'bad-field-count',
      'bad-field-count',
      'bad-status',
    ]);
  });

  it('decodes the realistic content: hosts, templates, IPv6 clients, status 0, double-encoded agents', () => {
    // Act
    const realtime = decodeFile('cloudfront-realtime/sample.log').outcomes.flatMap((o) => (o.ok ? [o.event] : []));
    const standard = decodeFile('cloudfront-standard/sample.log').outcomes.flatMap((o) => (o.ok ? [o.event] : []));
    const apigw = decodeFile('apigw/access.jsonl').outcomes.flatMap((o) => (o.ok ? [o.event] : []));
    // Assess
    expect(new Set(realtime.map((e) => e.host))).toEqual(
      new Set(['api.example.com', 'shop.example.com', 'auth.example.com']),
    );
    expect(realtime.some((e) => e.status === 0)).toBe(true);
    expect(realtime.some((e) => e.clientIp?.includes(':'))).toBe(true);
    expect(realtime.some((e) => e.path === '/products/café-crème')).toBe(true);
    expect(standard.some((e) => e.userAgent?.includes('%20'))).toBe(true);
    expect(apigw.filter((e) => e.routeTemplate !== undefined)).toHaveLength(80);
    expect(apigw.every((e) => !e.path.startsWith('/prod/'))).toBe(true);
  });
});
