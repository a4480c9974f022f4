import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCwlEnvelope, decodeCwlRecord } from '../../../shared/decoders/cwl-envelope.js';
import { LIMITS } from '../../../shared/decoders/decoder.js';
import { encodeApiGateway } from '../../../shared/encoders/apigw.js';
import {
  cwlControlMessageJson,
  cwlEnvelopeJson,
  encodeCwlControlMessage,
  encodeCwlEnvelope,
  encodeCwlEnvelopeBase64,
} from '../../../shared/encoders/cwl-envelope.js';
import { makeApiEvent } from '../../helpers/events.js';
import { apiGatewayEventArb, KNOWN_REASONS } from './arbitraries.js';

/**
 * The CloudWatch Logs sample event of the Lambda console / Lambda Developer Guide ("Using Lambda with
 * CloudWatch Logs", https://docs.aws.amazon.com/lambda/latest/dg/services-cloudwatchlogs.html): awslogs.data.
 */
const AWS_SAMPLE_DATA =
  'H4sIAAAAAAAAAHWPwQqCQBCGX0Xm7EFtK+smZBEUgXoLCdMhFtKV3akI8d0bLYmibvPPN3wz00CJxmQnTO41whwWQRIctmEcB6sQbFC3CjW3XW8kxpOpP+OC22d1Wml1qZkQGtoMsScxaczKN3plG8zlaHIta5KqWsozoTYw3/djzwhpLwivWFGHGpAFe7DL68JlBUk+l7KSN7tCOEJ4M3/qOI49vMHj+zCKdlFqLaU2ZHV2a4Ct/an0/ivdX8oYc1UVX860fQDQiMdxRQEAAA==';

const sampleEnvelope = (n = 3) => ({
  logGroup: 'API-Gateway-Execution-Logs_a1b2c3/prod',
  logStream: 'a1b2c3d4e5f6',
  logEvents: Array.from({ length: n }, (_, i) => {
    const event = makeApiEvent({ source: 'apigw', host: 'api.example.com', time: 1715679001000 + i });
    return { timestamp: event.time + 5, message: encodeApiGateway(event) };
  }),
});

describe('decodeCwlEnvelope', () => {
  it("decodes AWS's sample subscription payload (base64, gzip)", () => {
    // Act
    const outcome = decodeCwlEnvelope(AWS_SAMPLE_DATA);
    // Assess
    expect(outcome).toEqual({
      kind: 'data',
      owner: '123456789123',
      logGroup: 'testLogGroup',
      logStream: 'testLogStream',
      subscriptionFilters: ['testFilter'],
      logEvents: [
        { id: 'eventId1', timestamp: 1440442987000, message: '[ERROR] First test message' },
        { id: 'eventId2', timestamp: 1440442987001, message: '[ERROR] Second test message' },
      ],
    });
  });

  it('gives one rejection per non-access-log message of the AWS sample', () => {
    // Act
    const outcome = decodeCwlRecord(AWS_SAMPLE_DATA);
    // Assess
    expect(outcome).toEqual({
      kind: 'data',
      logGroup: 'testLogGroup',
      logStream: 'testLogStream',
      outcomes: [
        { ok: false, reason: 'not-json' },
        { ok: false, reason: 'not-json' },
      ],
    });
  });

  it('accepts bytes, base64 and JSON text alike', () => {
    // Prepare
    const envelope = sampleEnvelope();
    // Act
    const fromBytes = decodeCwlEnvelope(encodeCwlEnvelope(envelope));
    const fromBase64 = decodeCwlEnvelope(encodeCwlEnvelopeBase64(envelope));
    const fromJson = decodeCwlEnvelope(cwlEnvelopeJson(envelope));
    const fromJsonBytes = decodeCwlEnvelope(Buffer.from(cwlEnvelopeJson(envelope)));
    // Assess
    expect(fromBytes.kind).toBe('data');
    expect(fromBase64).toEqual(fromBytes);
    expect(fromJson).toEqual(fromBytes);
    expect(fromJsonBytes).toEqual(fromBytes);
  });

  it('reports CONTROL_MESSAGE as its own outcome', () => {
    // Act / Assess
    expect(decodeCwlEnvelope(encodeCwlControlMessage())).toEqual({ kind: 'control' });
    expect(decodeCwlRecord(encodeCwlControlMessage().toString('base64'))).toEqual({ kind: 'control' });
    expect(decodeCwlEnvelope(cwlControlMessageJson())).toEqual({ kind: 'control' });
  });

  it('tells truncated gzip from corrupt gzip, bad base64, not-json and a bad envelope', () => {
    // Prepare
    const gz = encodeCwlEnvelope(sampleEnvelope(20));
    const corrupt = Buffer.from(gz);
    corrupt[12] = (corrupt[12] ?? 0) ^ 0xff;
    corrupt[13] = (corrupt[13] ?? 0) ^ 0xff;
    // Act / Assess
    expect(decodeCwlEnvelope(gz.subarray(0, Math.floor(gz.length / 2)))).toMatchObject({
      kind: 'rejected',
      reason: 'truncated-gzip',
    });
    expect(decodeCwlEnvelope(gz.subarray(0, gz.length - 4))).toMatchObject({
      kind: 'rejected',
      reason: 'truncated-gzip',
    });
    expect(decodeCwlEnvelope(corrupt)).toMatchObject({ kind: 'rejected', reason: 'bad-gzip' });
    expect(decodeCwlEnvelope(Buffer.from([0x1f, 0x8b, 0x09, 0, 0, 0]))).toMatchObject({ kind: 'rejected' });
    expect(decodeCwlEnvelope('not base64 at all!')).toMatchObject({ kind: 'rejected', reason: 'bad-base64' });
    expect(decodeCwlEnvelope('QUJD$$$=')).toMatchObject({ kind: 'rejected', reason: 'bad-base64' });
    expect(decodeCwlEnvelope('QUJD')).toMatchObject({ kind: 'rejected', reason: 'bad-gzip' });
    expect(decodeCwlEnvelope(gzipSync('{"messageType":'))).toMatchObject({ kind: 'rejected', reason: 'not-json' });
    expect(decodeCwlEnvelope(gzipSync('[1]'))).toMatchObject({ kind: 'rejected', reason: 'not-an-object' });
    expect(decodeCwlEnvelope(gzipSync('{"messageType":"DATA_MESSAGE"}'))).toMatchObject({
      kind: 'rejected',
      reason: 'bad-envelope',
    });
    expect(decodeCwlEnvelope(gzipSync('{"messageType":"OTHER"}'))).toMatchObject({
      kind: 'rejected',
      reason: 'bad-envelope',
    });
    expect(decodeCwlEnvelope(new Uint8Array())).toMatchObject({ kind: 'rejected', reason: 'empty-record' });
  });

  it('refuses a gzip bomb past LIMITS.maxEnvelopeBytes', () => {
    // Prepare
    const bomb = gzipSync(Buffer.alloc(LIMITS.maxEnvelopeBytes + 1024, 0x20));
    // Act
    const outcome = decodeCwlEnvelope(bomb);
    // Assess
    expect(bomb.length).toBeLessThan(100_000);
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'bad-gzip' });
  });

  it('decodes every access log in a record, time falling back to the log event timestamp', () => {
    // Prepare
    const standard = JSON.parse(encodeApiGateway(makeApiEvent({ source: 'apigw' }), { layout: 'standard' })) as Record<
      string,
      string
    >;
    delete standard.requestTime;
    const record = encodeCwlEnvelope({
      logGroup: 'g',
      logStream: 's',
      logEvents: [{ timestamp: 1715679005000, message: JSON.stringify(standard) }],
    });
    // Act
    const outcome = decodeCwlRecord(record);
    // Assess
    expect(outcome.kind === 'data' && outcome.outcomes[0]).toMatchObject({ ok: true, event: { time: 1715679005000 } });
  });

  it('round-trips API Gateway events through envelope and access log', () => {
    fc.assert(
      fc.property(fc.array(apiGatewayEventArb, { minLength: 1, maxLength: 8 }), (events) => {
        // Prepare
        const record = encodeCwlEnvelopeBase64({
          logGroup: '/aws/apigateway/lantern',
          logStream: 'stream',
          logEvents: events.map((e) => ({ timestamp: e.time, message: encodeApiGateway(e) })),
        });
        // Act
        const outcome = decodeCwlRecord(record);
        // Assess
        expect(outcome).toEqual({
          kind: 'data',
          logGroup: '/aws/apigateway/lantern',
          logStream: 'stream',
          outcomes: events.map((event) => ({ ok: true, event })),
        });
      }),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary strings or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.base64String(), fc.uint8Array()), (input) => {
        // Act
        const outcome = decodeCwlRecord(input);
        // Assess
        if (outcome.kind === 'rejected') expect(KNOWN_REASONS).toContain(outcome.reason);
      }),
      { numRuns: 500 },
    );
  });
});
