import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_STANDARD_FIELDS,
  decodeCloudFrontStandard,
  isW3cHeaderLine,
  parseW3cFieldsHeader,
} from '../../../shared/decoders/cloudfront-standard.js';
import { encodeCloudFrontStandard, w3cHeaderLines } from '../../../shared/encoders/cloudfront-standard.js';
import { makeApiEvent } from '../../helpers/events.js';
import { cloudFrontStandardEventArb, KNOWN_REASONS } from './arbitraries.js';

describe('decodeCloudFrontStandard', () => {
  it('decodes the AWS documentation example log file verbatim', () => {
    // Prepare: CloudFront Developer Guide, "Standard logging (access logs)", example log file
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html;
    // awsdocs/amazon-cloudfront-developer-guide doc_source/AccessLogs.md). Its third data line ends
    // with a stray tab, as in the doc.
    const lines = readFileSync(
      new URL('../../fixtures/cloudfront-standard/aws-doc-example.log', import.meta.url),
      'utf8',
    )
      .split('\n')
      .filter((l) => l.length > 0);
    const header = lines.filter(isW3cHeaderLine);
    const fields = header.map(parseW3cFieldsHeader).find((f) => f !== undefined);
    // Act
    const outcomes = lines.filter((l) => !isW3cHeaderLine(l)).map((l) => decodeCloudFrontStandard(l, { fields }));
    // Assess
    expect(header).toHaveLength(2);
    expect(fields).toEqual(CLOUDFRONT_STANDARD_FIELDS);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes[0]).toEqual({
      ok: true,
      event: {
        time: Date.UTC(2019, 11, 4, 21, 2, 31),
        source: 'cloudfront-standard',
        requestId: 'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
        host: 'd111111abcdef8.cloudfront.net',
        method: 'GET',
        path: '/index.html',
        status: 200,
        bytesIn: 23,
        bytesOut: 392,
        latencyMs: 1,
        clientIp: '192.0.2.100',
        userAgent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36',
        edgeLocation: 'LAX1',
        authenticated: false,
      },
    });
    // x-host-header is the API's host (an alternate domain name), not cs(Host)
    expect(outcomes[3]?.ok && outcomes[3].event).toMatchObject({
      host: 'www.example.com',
      status: 502,
      path: '/favicon.ico',
    });
  });

  it('decodes a double-encoded user agent once', () => {
    // Prepare: a third-party published standard-log line (DataDog pipeline sample) with `%2520`
    const line =
      '2019-12-17\t16:36:45\tLAX3-C3\t418\t167.216.131.180\tPOST\tdqok34epbkzv2.cloudfront.net\t/api/effu/back_office/environments/staging/pcdu/netsuite/record-change\t401\t-\tNetSuite/2019.2%2520(SuiteScript)\t-\t-\tError\ttiLX4Pye9scFGNb_tEnixIKN3hAW15drXcSeNG-xoFligmwedxjbbA==\twww.farmersbusinessnetwork.com\thttps\t934\t0.067\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tError\tHTTP/1.1\t-\t-\t36798\t0.067\tError\tapplication/json\t42\t-\t-';
    // Act
    const outcome = decodeCloudFrontStandard(line);
    // Assess
    expect(outcome.ok && outcome.event).toMatchObject({
      userAgent: 'NetSuite/2019.2%20(SuiteScript)',
      host: 'www.farmersbusinessnetwork.com',
      method: 'POST',
      status: 401,
    });
  });

  it('parses #Fields headers and recognises directives', () => {
    // Act / Assess
    expect(parseW3cFieldsHeader('#Fields: date time c-ip\n')).toEqual(['date', 'time', 'c-ip']);
    expect(parseW3cFieldsHeader('#Version: 1.0')).toBeUndefined();
    expect(parseW3cFieldsHeader('#Fields:')).toBeUndefined();
    expect(isW3cHeaderLine('#Version: 1.0')).toBe(true);
    expect(isW3cHeaderLine('2019-12-04\t21:02:31')).toBe(false);
    expect(w3cHeaderLines()[1]).toBe(`#Fields: ${CLOUDFRONT_STANDARD_FIELDS.join(' ')}`);
    expect(decodeCloudFrontStandard('#Version: 1.0')).toMatchObject({ ok: false, reason: 'bad-header' });
  });

  it('round-trips any event it can carry (time to the second)', () => {
    fc.assert(
      fc.property(cloudFrontStandardEventArb, (event) => {
        // Act
        const outcome = decodeCloudFrontStandard(encodeCloudFrontStandard(event));
        // Assess
        expect(outcome).toEqual({ ok: true, event: { ...event, time: Math.floor(event.time / 1000) * 1000 } });
      }),
      { numRuns: 300 },
    );
  });

  it('uses timestamp(ms) and a custom field order from a v2 #Fields header', () => {
    // Prepare
    const fields = [
      'timestamp(ms)',
      'c-ip',
      'cs-method',
      'x-host-header',
      'cs-uri-stem',
      'sc-status',
      'c-country',
      'asn',
    ];
    const event = makeApiEvent({ source: 'cloudfront-standard', country: 'FR', asn: '16276' });
    // Act
    const outcome = decodeCloudFrontStandard(encodeCloudFrontStandard(event, { fields }), { fields });
    // Assess
    expect(outcome.ok && outcome.event).toMatchObject({
      time: event.time,
      country: 'FR',
      asn: '16276',
      path: event.path,
    });
  });

  it('never throws on arbitrary input and only gives known reasons', () => {
    const mutated = fc
      .tuple(cloudFrontStandardEventArb, fc.nat(32), fc.string({ unit: 'binary', maxLength: 20 }))
      .map(([e, i, junk]) =>
        encodeCloudFrontStandard(e)
          .split('\t')
          .map((c, k) => (k === i ? junk : c))
          .join('\t'),
      );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), mutated), (line) => {
        // Act
        const outcome = decodeCloudFrontStandard(line);
        // Assess
        if (!outcome.ok) expect(KNOWN_REASONS).toContain(outcome.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects wrong field counts and impossible dates', () => {
    // Prepare
    const cols = encodeCloudFrontStandard(makeApiEvent()).split('\t');
    // Act / Assess
    expect(decodeCloudFrontStandard(cols.slice(0, 20).join('\t'))).toMatchObject({
      ok: false,
      reason: 'bad-field-count',
    });
    expect(decodeCloudFrontStandard(['2019-02-30', ...cols.slice(1)].join('\t'))).toMatchObject({
      ok: false,
      reason: 'bad-timestamp',
    });
    expect(decodeCloudFrontStandard([cols[0], '25:00:00', ...cols.slice(2)].join('\t'))).toMatchObject({
      ok: false,
      reason: 'bad-timestamp',
    });
  });
});
