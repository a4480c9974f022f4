import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentDecodeOnce } from '../../../shared/decoders/percent.js';
import { percentEncodePath, percentEncodeText } from '../../../shared/encoders/percent-encode.js';

describe('percentDecodeOnce', () => {
  it('returns the very same string when there is no %', () => {
    // Prepare
    const value = '/pets/1+2 a';
    // Act
    const decoded = percentDecodeOnce(value);
    // Assess
    expect(decoded).toBe(value);
  });

  it('decodes %20 and UTF-8 sequences, leaves + alone', () => {
    // Act / Assess
    expect(percentDecodeOnce('Mozilla/5.0%20(X11)')).toBe('Mozilla/5.0 (X11)');
    expect(percentDecodeOnce('/caf%C3%A9+cr%C3%A8me')).toBe('/café+crème');
  });

  it('decodes a double-encoded value exactly once (%2520 -> %20)', () => {
    // Prepare: a real double-encoded user agent from a CloudFront standard log (third-party published sample)
    const value = 'NetSuite/2019.2%2520(SuiteScript)';
    // Act
    const decoded = percentDecodeOnce(value);
    // Assess
    expect(decoded).toBe('NetSuite/2019.2%20(SuiteScript)');
  });

  it('leaves malformed sequences as they are and decodes the rest', () => {
    // Act / Assess
    expect(percentDecodeOnce('100%')).toBe('100%');
    expect(percentDecodeOnce('%G1%20x')).toBe('%G1 x');
    expect(percentDecodeOnce('%E9%41%20')).toBe('%E9A ');
    expect(percentDecodeOnce('a%2')).toBe('a%2');
    expect(percentDecodeOnce('%%%')).toBe('%%%');
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(typeof percentDecodeOnce(s)).toBe('string');
      }),
    );
  });

  it('inverts the encoders', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(percentDecodeOnce(percentEncodeText(s))).toBe(s);
        expect(percentDecodeOnce(percentEncodePath(s))).toBe(s);
        expect(percentEncodeText(s)).not.toMatch(/[\t\n\r ]/);
      }),
    );
  });
});

describe('percentDecodeOnce fast path', () => {
  it('agrees with decodeURIComponent wherever that succeeds', () => {
    const encodedish = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 5 }),
          fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(encodedish, (s) => {
        // Prepare
        let reference: string | undefined;
        try {
          reference = decodeURIComponent(s);
        } catch {
          reference = undefined;
        }
        // Act
        const decoded = percentDecodeOnce(s);
        // Assess
        if (reference !== undefined) expect(decoded).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });
});
