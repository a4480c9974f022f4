import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, isGzip } from '../../../shared/decoders/detect.js';
import { encodeAlb } from '../../../shared/encoders/alb.js';
import { encodeApiGateway } from '../../../shared/encoders/apigw.js';
import { encodeCloudFrontRealtime } from '../../../shared/encoders/cloudfront-realtime.js';
import { encodeCloudFrontStandard } from '../../../shared/encoders/cloudfront-standard.js';
import {
  cwlControlMessageJson,
  cwlEnvelopeJson,
  encodeCwlEnvelope,
  encodeCwlEnvelopeBase64,
} from '../../../shared/encoders/cwl-envelope.js';
import { makeApiEvent } from '../../helpers/events.js';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');

describe('detectFormat', () => {
  it('recognises each format from its first line', () => {
    // Prepare
    const event = makeApiEvent();
    const envelope = { logGroup: 'g', logStream: 's', logEvents: [{ timestamp: 1, message: encodeApiGateway(event) }] };
    // Act / Assess
    expect(detectFormat('#Version: 1.0')).toBe('cloudfront-standard');
    expect(detectFormat('#Fields: date time')).toBe('cloudfront-standard');
    expect(detectFormat(encodeCloudFrontStandard(event))).toBe('cloudfront-standard');
    expect(detectFormat(encodeCloudFrontRealtime(event))).toBe('cloudfront-realtime');
    expect(detectFormat(encodeApiGateway(event))).toBe('apigw');
    expect(detectFormat(encodeApiGateway(event, { layout: 'standard' }))).toBe('apigw');
    expect(detectFormat(encodeApiGateway(event, { layout: 'http' }))).toBe('apigw');
    expect(detectFormat(cwlEnvelopeJson(envelope))).toBe('cwl');
    expect(detectFormat(cwlControlMessageJson())).toBe('cwl');
    expect(detectFormat(encodeCwlEnvelopeBase64(envelope))).toBe('cwl');
    for (const type of ['http', 'https', 'h2', 'grpcs', 'ws', 'wss'] as const)
      expect(detectFormat(encodeAlb(event, { type }))).toBe('alb');
  });

  it('recognises the AWS sample files', () => {
    // Act / Assess
    expect(detectFormat(fixture('cloudfront-standard/aws-doc-example.log'))).toBe('cloudfront-standard');
    expect(detectFormat(fixture('cloudfront-realtime/published-sample.log'))).toBe('cloudfront-realtime');
    expect(detectFormat(fixture('alb/aws-doc-examples.log'))).toBe('alb');
    expect(detectFormat(Buffer.from(fixture('alb/aws-doc-example-current.log')))).toBe('alb');
  });

  it('leaves gzip to the caller and returns undefined for anything else', () => {
    // Prepare
    const gz = encodeCwlEnvelope({ logGroup: 'g', logStream: 's', logEvents: [] });
    // Act / Assess
    expect(isGzip(gz)).toBe(true);
    expect(detectFormat(gz)).toBeUndefined();
    expect(detectFormat('')).toBeUndefined();
    expect(detectFormat('hello world')).toBeUndefined();
    expect(detectFormat('{"foo":1}')).toBeUndefined();
    expect(detectFormat('{not json')).toBeUndefined();
    expect(detectFormat(new Uint8Array([0xff, 0xfe, 0x00]))).toBeUndefined();
  });
});
