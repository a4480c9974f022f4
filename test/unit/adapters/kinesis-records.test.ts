import { describe, expect, it } from 'vitest';
import { createRecordDecoder, shardOf, subSequence } from '../../../shared/adapters/kinesis/records.js';
import {
  encodeApiGateway,
  encodeCloudFrontRealtime,
  encodeCwlControlMessage,
  encodeCwlEnvelope,
} from '../../../shared/encoders/index.js';
import { compareSequence } from '../../../shared/engine/watermark.js';
import type { ApiEvent } from '../../../shared/events/api-event.js';
import { kinesisEvent, kinesisRecord, sequenceNumber } from '../../helpers/kinesis-events.js';

const event: ApiEvent = {
  time: Date.UTC(2026, 10, 24, 10),
  source: 'cloudfront-realtime',
  requestId: 'r1',
  host: 'api.example.com',
  method: 'GET',
  path: '/users/1',
  status: 200,
  clientIp: '198.51.100.1',
  authenticated: false,
};
const gateway = (i: number) =>
  encodeApiGateway({ ...event, source: 'apigw', requestId: `g${i}`, apiId: 'a1', stage: 'prod' });

describe('Kinesis records -> AnalysisBatch', () => {
  it('reads the shard from the eventID and keeps each request with its own, ordered, sequence', () => {
    // Prepare
    const decode = createRecordDecoder();
    const records = kinesisEvent([
      encodeCloudFrontRealtime(event),
      encodeCwlEnvelope({
        logGroup: 'g',
        logStream: 's',
        logEvents: [0, 1, 2].map((i) => ({ timestamp: event.time, message: gateway(i) })),
      }),
      encodeCloudFrontRealtime({ ...event, requestId: 'r2' }),
    ]).Records;
    // Act
    const [batch, ...others] = decode(records);
    // Assess
    expect(others).toEqual([]);
    expect(batch?.shard).toBe('shardId-000000000000');
    expect(batch?.events.map((e) => e.source)).toEqual([
      'cloudfront-realtime',
      'apigw',
      'apigw',
      'apigw',
      'cloudfront-realtime',
    ]);
    const sequences = batch?.eventSequences ?? [];
    expect(new Set(sequences).size).toBe(5);
    for (let i = 1; i < sequences.length; i++)
      expect(compareSequence(sequences[i]!, sequences[i - 1]!)).toBeGreaterThan(0);
    expect(sequences[1]).toBe(subSequence(sequenceNumber(2), 0));
  });

  it('turns unreadable records into rejections where they were read, and counts control messages apart', () => {
    const decode = createRecordDecoder();
    const records = [
      kinesisRecord('', { n: 1 }),
      kinesisRecord(Buffer.from([0x1f, 0x8b, 1, 2, 3]), { n: 2 }),
      kinesisRecord('{"not":"a log"}', { n: 3 }),
      kinesisRecord('1600299221.087\tonly\tthree', { n: 4 }),
      kinesisRecord(encodeCwlControlMessage(), { n: 5 }),
      kinesisRecord(`${gateway(1)}\n`, { n: 6 }),
    ];
    const [batch] = decode(records);
    expect(batch?.events).toHaveLength(1);
    expect(batch?.controlMessages).toBe(1);
    expect(batch?.controlSequences).toEqual([sequenceNumber(5)]);
    expect(batch?.rejections.map((r) => r.reason)).toEqual([
      'empty-record',
      expect.stringMatching(/gzip/),
      'unknown-format',
      'bad-field-count',
    ]);
    expect(batch?.rejections[2]?.where).toBe(`shardId-000000000000/${sequenceNumber(3)}`);
    expect(batch?.rejectionSequences).toHaveLength(4);
  });

  it('decodes several lines put in one record, and the configured CloudFront field list', () => {
    const fields = ['timestamp', 'c-ip', 'sc-status', 'cs-method', 'x-host-header', 'cs-uri-stem', 'x-edge-request-id'];
    const decode = createRecordDecoder({ realtimeFields: fields });
    const line = (i: number) => encodeCloudFrontRealtime({ ...event, requestId: `r${i}` }, { fields });
    const [batch] = decode([kinesisRecord(`${line(1)}\n${line(2)}\n`)]);
    expect(batch?.events.map((e) => e.requestId)).toEqual(['r1', 'r2']);
  });

  it('keeps the records of different shards apart', () => {
    const decode = createRecordDecoder();
    const line = encodeCloudFrontRealtime(event);
    const batches = decode([
      kinesisRecord(line, { shard: 'shardId-000000000001' }),
      kinesisRecord(line, { shard: 'shardId-000000000002' }),
    ]);
    expect(batches.map((b) => b.shard)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(shardOf(kinesisRecord(line, { shard: 'shardId-000000000007' }))).toBe('shardId-000000000007');
  });
});
