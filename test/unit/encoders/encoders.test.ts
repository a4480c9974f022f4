import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALB_FIELDS, splitAlbFields } from '../../../shared/decoders/alb.js';
import { CLOUDFRONT_REALTIME_FIELDS, DEFAULT_REALTIME_FIELDS } from '../../../shared/decoders/cloudfront-realtime.js';
import { CLOUDFRONT_STANDARD_FIELDS, decodeCloudFrontStandard } from '../../../shared/decoders/cloudfront-standard.js';
import { isGzip } from '../../../shared/decoders/detect.js';
import {
  encodeAlb,
  encodeApiGateway,
  encodeCloudFrontRealtime,
  encodeCloudFrontStandard,
  encodeCwlControlMessage,
  encodeCwlEnvelope,
  formatAlbTime,
  formatApiGatewayRequestTime,
  formatEpochSeconds,
} from '../../../shared/encoders/index.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { makeApiEvent } from '../../helpers/events.js';

/** Events with hostile text everywhere an encoder writes text. */
const hostileEvent: fc.Arbitrary<ApiEvent> = fc
  .record({
    path: fc.string({ unit: 'binary' }).map((s) => `/${s}`),
    userAgent: fc.string({ unit: 'binary', minLength: 1 }),
    forwardedFor: fc.string({ unit: 'binary', minLength: 1 }),
    query: fc.string({ unit: 'binary', minLength: 1 }),
    requestId: fc.string({ unit: 'binary', minLength: 1 }),
    principal: fc.string({ unit: 'binary', minLength: 1 }),
  })
  .map((o) => makeApiEvent(o));

describe('encoders', () => {
  it('always emit one line, with the right number of fields, whatever the text', () => {
    fc.assert(
      fc.property(hostileEvent, (event) => {
        // Act
        const realtime = encodeCloudFrontRealtime(event, { fields: CLOUDFRONT_REALTIME_FIELDS });
        const standard = encodeCloudFrontStandard(event);
        const alb = encodeAlb(event);
        const apigw = encodeApiGateway(event);
        // Assess
        for (const line of [realtime, standard, alb, apigw]) expect(line).not.toMatch(/[\n\r]/);
        expect(realtime.split('\t')).toHaveLength(CLOUDFRONT_REALTIME_FIELDS.length);
        expect(standard.split('\t')).toHaveLength(CLOUDFRONT_STANDARD_FIELDS.length);
        expect(splitAlbFields(alb)).toHaveLength(ALB_FIELDS.length);
        expect(typeof JSON.parse(apigw)).toBe('object');
      }),
      { numRuns: 300 },
    );
  });

  it('write the default real-time field set in canonical order and never a credential value', () => {
    // Prepare
    const event = makeApiEvent({ authenticated: true, status: 0 });
    // Act
    const cols = encodeCloudFrontRealtime(event).split('\t');
    const all = encodeCloudFrontRealtime(event, { fields: CLOUDFRONT_REALTIME_FIELDS });
    // Assess
    expect(cols).toHaveLength(DEFAULT_REALTIME_FIELDS.length);
    expect(cols[0]).toBe(formatEpochSeconds(event.time));
    expect(cols[2]).toBe('000');
    expect(all).toContain('authorization:REDACTED');
    expect(all).not.toMatch(/Bearer|eyJ/);
  });

  it('format times the way each log does', () => {
    // Act / Assess
    expect(formatEpochSeconds(1600299221087)).toBe('1600299221.087');
    expect(formatEpochSeconds(1600299221005)).toBe('1600299221.005');
    expect(formatApiGatewayRequestTime(Date.UTC(2018, 6, 2, 22, 23, 0))).toBe('02/Jul/2018:22:23:00 +0000');
    expect(formatAlbTime(Date.UTC(2018, 6, 2, 22, 22, 48, 364))).toBe('2018-07-02T22:22:48.364000Z');
  });

  it('can double-encode the standard-log user agent, as seen in real logs, and the decoder undoes one level', () => {
    // Prepare
    const event = makeApiEvent({ userAgent: 'curl/8.4 (x86_64)' });
    // Act
    const line = encodeCloudFrontStandard(event, { doubleEncodeUserAgent: true });
    const decoded = decodeCloudFrontStandard(line);
    // Assess
    expect(line).toContain('curl/8.4%2520(x86_64)');
    expect(decoded.ok && decoded.event.userAgent).toBe('curl/8.4%20(x86_64)');
  });

  it('produce gzip envelopes', () => {
    // Act / Assess
    expect(isGzip(encodeCwlEnvelope({ logGroup: 'g', logStream: 's', logEvents: [] }))).toBe(true);
    expect(isGzip(encodeCwlControlMessage())).toBe(true);
  });
});
