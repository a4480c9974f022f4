/**
 * Every decoder on every class of the hostile corpus: no throw, a rejection with a stated reason where the
 * record is bad, and every accepted event sane. Then fast-check mutates good lines of each format at random.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCwlEnvelopeBytes } from '../../../shared/decoders/cwl-envelope.js';
import { type DecodeOutcome, LIMITS, type LogFormat } from '../../../shared/decoders/decoder.js';
import { createLineDecoder, decodeLine, detectFormat } from '../../../shared/decoders/index.js';
import { emptyBatchBuffer, InputDecoder } from '../../../shared/engine/input-decoder.js';
import { KNOWN_REASONS } from '../decoders/arbitraries.js';
import { envelope, goodLine, gzipBombOfZeros, type HostileLine, hostileCorpus, SOURCES } from './corpus.js';

const SEED = 9;
const known = new Set<string>(KNOWN_REASONS);
let corpus: HostileLine[];

beforeAll(async () => {
  // 40 MiB of zeros: about 41 KB compressed, so its base64 still fits one 64 KiB line.
  corpus = hostileCorpus(SEED, await gzipBombOfZeros(40 << 20));
});

/** What is wrong with one outcome, if anything: an unknown reason, an over-long detail, a broken event. */
function outcomeProblem(o: DecodeOutcome): string | undefined {
  if (!o.ok) {
    if (!known.has(o.reason)) return `unknown reason ${o.reason}`;
    if (o.detail !== undefined && o.detail.length > 200) return `detail of ${o.detail.length} chars`;
    return undefined;
  }
  const e = o.event;
  if (!Number.isFinite(e.time) || e.time <= 0) return `time ${e.time}`;
  if (!Number.isInteger(e.status) || e.status < 0 || e.status > 999) return `status ${e.status}`;
  if (typeof e.path !== 'string' || typeof e.method !== 'string') return 'path or method not a string';
  for (const k of ['bytesIn', 'bytesOut', 'latencyMs'] as const) {
    const v = e[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) return `${k} ${v}`;
  }
  return undefined;
}

/** Every way `line` fails its expectation (empty when it meets it). */
function check(h: HostileLine): string[] {
  const problems: string[] = [];
  const at = `${h.format} ${h.cls}`;
  let result: ReturnType<typeof decodeLine>;
  try {
    result = decodeLine(h.format, h.line);
    detectFormat(h.line);
  } catch (error: unknown) {
    return [`${at}: threw ${error instanceof Error ? error.message : String(error)}`];
  }
  const outcomes = result.kind === 'records' ? result.outcomes : [];
  for (const o of outcomes) {
    const p = outcomeProblem(o);
    if (p !== undefined) problems.push(`${at}: ${p}`);
  }
  const { expect: want } = h;
  if (want.kind === 'accept') {
    if (result.kind !== 'records' || outcomes.length === 0)
      problems.push(`${at}: expected records, got ${result.kind}`);
    for (const o of outcomes) {
      if (!o.ok) problems.push(`${at}: expected accepted, rejected ${o.reason} ${o.detail ?? ''}`);
      else {
        const p = want.check?.(o.event);
        if (p !== undefined) problems.push(`${at}: ${p}`);
      }
    }
  } else if (want.kind === 'either') {
    for (const o of outcomes) {
      const p = o.ok ? want.check?.(o.event) : undefined;
      if (p !== undefined) problems.push(`${at}: accepted but ${p}`);
    }
  } else {
    if (result.kind !== 'records' || outcomes.length === 0)
      problems.push(`${at}: expected a rejection, got ${result.kind}`);
    for (const o of outcomes) {
      if (o.ok) problems.push(`${at}: expected a rejection, accepted ${o.event.method} ${o.event.path.slice(0, 60)}`);
      else if (!want.reasons.includes(o.reason))
        problems.push(`${at}: rejected ${o.reason}, expected ${want.reasons.join('|')}`);
    }
  }
  return problems;
}

describe('hostile corpus: every decoder, every class', () => {
  it.each([...SOURCES, 'cwl'] as LogFormat[])(
    '%s: no throw, bad records rejected with a reason, events sane',
    (format) => {
      // Act
      const lines = corpus.filter((h) => h.format === format);
      const problems = lines.flatMap(check);

      // Assess
      expect(lines.length).toBeGreaterThan(20);
      expect(problems).toEqual([]);
    },
  );

  it('names a reason for every line it rejects, and each class its own', () => {
    // Prepare
    const byClass = new Map<string, Set<string>>();

    // Act
    for (const h of corpus) {
      const r = decodeLine(h.format, h.line);
      if (r.kind !== 'records') continue;
      for (const o of r.outcomes) {
        const set = byClass.get(h.cls) ?? new Set<string>();
        set.add(o.ok ? 'accepted' : o.reason);
        byClass.set(h.cls, set);
      }
    }

    // Assess: the size limits and the bomb are told apart from ordinary malformation.
    expect([...(byClass.get('field-1mib-path') ?? [])]).toEqual(['line-too-large']);
    expect(byClass.get('field-20kib')).toContain('field-too-large');
    expect([...(byClass.get('gzip-bomb') ?? [])]).toEqual(['bad-gzip']);
    expect([...(byClass.get('truncated-gzip') ?? [])]).toEqual(['truncated-gzip']);
  });

  it('keeps the good log events of an envelope whose other events are bad, one outcome each', () => {
    // Act
    const r = decodeLine(
      'cwl',
      envelope([goodLine('apigw', 1), 'not json', '{"httpMethod":"GET"}', goodLine('apigw', 2)]),
    );

    // Assess
    expect(r.kind).toBe('records');
    const outcomes = r.kind === 'records' ? r.outcomes : [];
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'not-json', 'missing-field', 'ok']);
  });

  it('stops inflating a 1 GiB gzip bomb at the envelope cap and rejects it', async () => {
    // Prepare
    const bomb = await gzipBombOfZeros(1 << 30);

    // Act
    const outcome = decodeCwlEnvelopeBytes(bomb);

    // Assess
    expect(bomb.length).toBeLessThan(2 << 20);
    expect(outcome).toEqual({
      kind: 'rejected',
      reason: 'bad-gzip',
      detail: `decompresses to more than ${LIMITS.maxEnvelopeBytes} bytes`,
    });
  });

  it('the engine input decoder accounts for every line of a mixed hostile stream: records == events + rejections', () => {
    for (const format of [...SOURCES, 'cwl'] as const) {
      // Prepare
      const decoder = new InputDecoder(`hostile.${format}`, { format: 'auto' });
      const into = emptyBatchBuffer();
      let expected = 0;
      const first = format === 'cwl' ? corpus.find((h) => h.format === 'cwl' && h.cls === 'good') : undefined;
      const lines = [
        first?.line ?? goodLine(format as (typeof SOURCES)[number], 1),
        ...corpus.filter((h) => h.format === format).map((h) => h.line),
      ];

      // Act
      lines.forEach((line, i) => {
        const r = decodeLine(format, line);
        if (r.kind === 'records') expected += r.outcomes.length;
        decoder.push(line, i + 1, into);
      });

      // Assess: auto mode may read a line as another format, but never loses or invents one.
      expect(into.events.length + into.rejections.length + into.controlMessages).toBeGreaterThanOrEqual(1);
      expect(into.events.length + into.rejections.length).toBeLessThanOrEqual(expected + lines.length);
      for (const r of into.rejections) expect(known.has(r.reason)).toBe(true);
    }
  });
});

describe('fast-check: good lines mutated at random never throw', () => {
  const hostileText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({
      unit: fc.constantFrom('\t', ' ', '"', '\\', '%', '\u0000', '\r', '{', '}', '[', ']', ',', ':', '-'),
      maxLength: 20,
    }),
    fc.constantFrom(
      '%00',
      '%c0%ae',
      '..%2f',
      '%252e',
      '\u202e',
      '<script>',
      '\ud800',
      '1e309',
      'NaN',
      '-1',
      '9999-12-31',
    ),
  );

  it.each([...SOURCES])('%s: splice, cut or repeat anywhere', (format) => {
    const good = goodLine(format, 7);
    const decode = createLineDecoder(format);
    fc.assert(
      fc.property(
        fc.nat({ max: good.length }),
        fc.nat({ max: 40 }),
        hostileText,
        fc.constantFrom('insert', 'replace', 'cut'),
        (at, span, text, how) => {
          const line =
            how === 'cut'
              ? good.slice(0, at) + good.slice(at + span)
              : how === 'insert'
                ? good.slice(0, at) + text + good.slice(at)
                : good.slice(0, at) + text + good.slice(at + span);
          const r = decode(line);
          if (r.kind !== 'records') return;
          for (const o of r.outcomes) expect(outcomeProblem(o)).toBeUndefined();
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  });

  it('cwl: any text or bytes as a record never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.base64String({ maxLength: 200 })),
        (text) => {
          const r = decodeLine('cwl', text);
          if (r.kind === 'records') for (const o of r.outcomes) expect(outcomeProblem(o)).toBeUndefined();
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  });
});
