import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_REALTIME_FIELDS,
  DEFAULT_REALTIME_FIELDS,
  decodeCloudFrontRealtime,
  makeCloudFrontRealtimeDecoder,
  realtimeLayout,
} from '../../../shared/decoders/cloudfront-realtime.js';
import { LIMITS } from '../../../shared/decoders/decoder.js';
import { encodeCloudFrontRealtime } from '../../../shared/encoders/cloudfront-realtime.js';
import { makeApiEvent } from '../../helpers/events.js';
import { cloudFrontRealtimeEventArb, KNOWN_REASONS } from './arbitraries.js';

const fixture = (name: string) => new URL(`../../fixtures/cloudfront-realtime/${name}`, import.meta.url);

describe('CloudFront real-time field layout', () => {
  it('lists the 46 canonical fields, the default set in canonical order', () => {
    // Assess
    expect(CLOUDFRONT_REALTIME_FIELDS).toHaveLength(46);
    expect(new Set(CLOUDFRONT_REALTIME_FIELDS).size).toBe(46);
    expect(realtimeLayout(DEFAULT_REALTIME_FIELDS).fields).toEqual(DEFAULT_REALTIME_FIELDS);
    expect(DEFAULT_REALTIME_FIELDS).not.toContain('cs-headers');
    expect(DEFAULT_REALTIME_FIELDS).not.toContain('cs-cookie');
  });

  it('orders a configured list given in any order the way CloudFront delivers it', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...CLOUDFRONT_REALTIME_FIELDS], { minLength: 1 }), (configured) => {
        // Act
        const layout = realtimeLayout(configured);
        // Assess
        const expected = CLOUDFRONT_REALTIME_FIELDS.filter((f) => configured.includes(f));
        expect(layout.fields).toEqual(expected);
        expect(layout.column(expected[0] as (typeof expected)[number])).toBe(0);
      }),
    );
  });

  it('rejects an unknown field name with a clear error', () => {
    // Act / Assess
    expect(() => realtimeLayout(['timestamp', 'cs-uri'])).toThrow(/Unknown CloudFront real-time log field "cs-uri"/);
    expect(() => makeCloudFrontRealtimeDecoder(['timestamp', 'c-ip'])).toThrow(/needs timestamp, cs-method/);
  });
});

describe('decodeCloudFrontRealtime', () => {
  it('decodes the published 40-field sample records', () => {
    // Prepare: sample records of the 2020 field set, published in a public log-pipeline test
    // (DataDog terraform sample, quoted in shared/reference/aws-logs-and-limits.md); the field list
    // and order are AWS's (CloudFront Developer Guide, "Real-time logs",
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/real-time-logs.html).
    const fields = readFileSync(fixture('published-sample.fields'), 'utf8').trim().split('\n');
    const lines = readFileSync(fixture('published-sample.log'), 'utf8').trim().split('\n');
    // Act
    const [first, second] = lines.map((l) => decodeCloudFrontRealtime(l, { fields }));
    // Assess
    expect(first).toEqual({
      ok: true,
      event: {
        time: 1600299221087,
        source: 'cloudfront-realtime',
        requestId: 'eRwgLa8bR0pQBnbTFt_jIVY77WAfmcRuE980cPpEpGBcxrM6rq97vw==',
        host: 'd3gpvymg9z2unc.cloudfront.net',
        method: 'GET',
        path: '/michaelw/real-time-logs-all_fields/2020/speakers/',
        status: 304,
        bytesIn: 637,
        bytesOut: 322,
        latencyMs: 140,
        clientIp: '174.204.64.230',
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 13_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Mobile/15E148 Safari/604.1',
        country: 'US',
        edgeLocation: 'SEA19-C2',
        // the header names include `cookie`
        authenticated: true,
      },
    });
    expect(second?.ok && second.event.path).toBe(
      '/michaelw/real-time-logs-all_fields/2020/font/CalibreWeb-Medium.woff2',
    );
    expect(second?.ok && second.event.bytesOut).toBe(31126);
  });

  it('round-trips any event it can carry through the encoder', () => {
    fc.assert(
      fc.property(cloudFrontRealtimeEventArb, (event) => {
        // Act
        const outcome = decodeCloudFrontRealtime(encodeCloudFrontRealtime(event));
        // Assess
        expect(outcome).toEqual({ ok: true, event });
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips with every field configured, given in reverse order', () => {
    const fields = [...CLOUDFRONT_REALTIME_FIELDS].reverse();
    fc.assert(
      fc.property(cloudFrontRealtimeEventArb, (event) => {
        // Act
        const outcome = decodeCloudFrontRealtime(encodeCloudFrontRealtime(event, { fields }), { fields });
        // Assess
        expect(outcome).toEqual({ ok: true, event });
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary input and only gives known reasons', () => {
    const decode = makeCloudFrontRealtimeDecoder();
    const mutated = fc
      .tuple(cloudFrontRealtimeEventArb, fc.nat(30), fc.string({ unit: 'binary', maxLength: 20 }))
      .map(([e, i, junk]) => {
        const cols = encodeCloudFrontRealtime(e).split('\t');
        cols[i % cols.length] = junk;
        return cols.join('\t');
      });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), mutated), (line) => {
        // Act
        const outcome = decode(line);
        // Assess
        if (outcome.ok) {
          expect(outcome.event.method).toMatch(/^[A-Z0-9._-]+$/);
          expect(Number.isInteger(outcome.event.time)).toBe(true);
        } else {
          expect(KNOWN_REASONS).toContain(outcome.reason);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads `-` as absent, `000` as status 0, and trims a trailing newline', () => {
    // Prepare
    const line = encodeCloudFrontRealtime(
      makeApiEvent({ status: 0, userAgent: undefined, clientIp: undefined, latencyMs: undefined }),
    );
    // Act
    const outcome = decodeCloudFrontRealtime(`${line}\n`);
    // Assess
    expect(line.split('\t')[2]).toBe('000');
    expect(outcome.ok && outcome.event).toMatchObject({ status: 0 });
    expect(outcome.ok && outcome.event.userAgent).toBeUndefined();
    expect(outcome.ok && outcome.event.clientIp).toBeUndefined();
    expect(outcome.ok && outcome.event.latencyMs).toBeUndefined();
  });

  it('takes host from x-host-header (lower-cased), else cs-host; client from c-ip, never x-forwarded-for', () => {
    // Prepare
    const event = makeApiEvent({
      host: 'api.example.com',
      clientIp: '2001:db8::7',
      forwardedFor: '203.0.113.9, 10.0.0.1',
    });
    const cols = encodeCloudFrontRealtime(event).split('\t');
    cols[11] = 'API.Example.COM';
    const noHostHeader = [...cols];
    noHostHeader[11] = '-';
    // Act
    const withHeader = decodeCloudFrontRealtime(cols.join('\t'));
    const withoutHeader = decodeCloudFrontRealtime(noHostHeader.join('\t'));
    // Assess
    expect(withHeader.ok && withHeader.event.host).toBe('api.example.com');
    expect(withHeader.ok && withHeader.event.clientIp).toBe('2001:db8::7');
    expect(withHeader.ok && withHeader.event.forwardedFor).toBe('203.0.113.9, 10.0.0.1');
    expect(withoutHeader.ok && withoutHeader.event.host).toBe('d111111abcdef8.cloudfront.net');
  });

  it('decodes path and user agent once (double encoding stays single-encoded) and keeps the query raw', () => {
    // Prepare
    const cols = encodeCloudFrontRealtime(makeApiEvent()).split('\t');
    cols[7] = '/a%2520b/%E2%82%AC';
    cols[13] = 'curl%2F8.0%20%2520x';
    cols[14] = 'q=a%20b&x=%2F';
    // Act
    const outcome = decodeCloudFrontRealtime(cols.join('\t'));
    // Assess
    expect(outcome.ok && outcome.event).toMatchObject({
      path: '/a%20b/€',
      userAgent: 'curl/8.0 %20x',
      query: 'q=a%20b&x=%2F',
    });
  });

  it('splits a query string left in cs-uri-stem (as the 2020 doc describes)', () => {
    // Prepare
    const cols = encodeCloudFrontRealtime(makeApiEvent({ query: undefined })).split('\t');
    cols[7] = '/images/cat.jpg?mobile=true';
    // Act
    const outcome = decodeCloudFrontRealtime(cols.join('\t'));
    // Assess
    expect(outcome.ok && outcome.event).toMatchObject({ path: '/images/cat.jpg', query: 'mobile=true' });
  });

  it('derives authenticated from header names only, and never keeps cs-headers values', () => {
    // Prepare
    const fields = [...DEFAULT_REALTIME_FIELDS.filter((f) => f !== 'cs-header-names'), 'cs-headers'];
    const line = encodeCloudFrontRealtime(makeApiEvent({ authenticated: true }), { fields }).replace(
      'authorization:REDACTED',
      'Authorization:Bearer%20eyJhbGciOiJIUzI1NiJ9.secret',
    );
    // Act
    const outcome = decodeCloudFrontRealtime(line, { fields });
    // Assess
    expect(outcome.ok && outcome.event.authenticated).toBe(true);
    expect(JSON.stringify(outcome)).not.toContain('secret');
  });

  it('rejects a wrong field count, a bad timestamp, a bad status, a bad method, a missing path', () => {
    // Prepare
    const cols = encodeCloudFrontRealtime(makeApiEvent()).split('\t');
    const withCol = (i: number, v: string) => cols.map((c, k) => (k === i ? v : c)).join('\t');
    // Act / Assess
    expect(decodeCloudFrontRealtime(cols.slice(1).join('\t'))).toMatchObject({ ok: false, reason: 'bad-field-count' });
    expect(decodeCloudFrontRealtime(`${cols.join('\t')}\tx`)).toMatchObject({ ok: false, reason: 'bad-field-count' });
    expect(decodeCloudFrontRealtime(withCol(0, '-'))).toMatchObject({ ok: false, reason: 'bad-timestamp' });
    expect(decodeCloudFrontRealtime(withCol(0, '2024-05-14T09:30:00Z'))).toMatchObject({
      ok: false,
      reason: 'bad-timestamp',
    });
    expect(decodeCloudFrontRealtime(withCol(2, '2O0'))).toMatchObject({ ok: false, reason: 'bad-status' });
    expect(decodeCloudFrontRealtime(withCol(4, 'G ET'))).toMatchObject({ ok: false, reason: 'bad-method' });
    expect(decodeCloudFrontRealtime(withCol(7, '-'))).toMatchObject({ ok: false, reason: 'missing-field' });
    expect(decodeCloudFrontRealtime('')).toMatchObject({ ok: false, reason: 'empty-record' });
  });

  it('rejects a field over LIMITS.maxFieldChars and a line over LIMITS.maxLineBytes', () => {
    // Prepare
    const cols = encodeCloudFrontRealtime(makeApiEvent()).split('\t');
    const hugeField = cols.map((c, k) => (k === 13 ? 'A'.repeat(LIMITS.maxFieldChars + 1) : c)).join('\t');
    const hugeLine = cols.map((c, k) => (k === 13 ? 'é'.repeat(LIMITS.maxLineBytes / 2) : c)).join('\t');
    // Act / Assess
    expect(decodeCloudFrontRealtime(hugeField)).toMatchObject({ ok: false, reason: 'field-too-large' });
    expect(decodeCloudFrontRealtime(hugeLine)).toMatchObject({ ok: false, reason: 'line-too-large' });
  });
});
