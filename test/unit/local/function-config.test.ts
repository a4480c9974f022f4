import { describe, expect, it } from 'vitest';
import { ConfigError, loadIngestConfig } from '../../../functions/ingest/config.js';

describe('ingest function configuration (read once at cold start)', () => {
  it('reads the table, the CloudFront field list and the CloudFront flag', () => {
    expect(
      loadIngestConfig({
        LANTERN_STATE_TABLE: 'lantern-State',
        LANTERN_CLOUDFRONT_FIELDS: 'timestamp, c-ip,sc-status',
        LANTERN_APIGW_BEHIND_CLOUDFRONT: 'true',
      }),
    ).toEqual({
      tableName: 'lantern-State',
      realtimeFields: ['timestamp', 'c-ip', 'sc-status'],
      behindCloudFront: true,
    });
    expect(loadIngestConfig({ LANTERN_STATE_TABLE: 'lantern-State' })).toEqual({
      tableName: 'lantern-State',
      behindCloudFront: false,
    });
  });

  it('reads the findings stream, by name or ARN', () => {
    expect(
      loadIngestConfig({ LANTERN_STATE_TABLE: 't-State', LANTERN_FINDINGS_STREAM: 'lantern-findings' }).findingsStream,
    ).toBe('lantern-findings');
    expect(() =>
      loadIngestConfig({ LANTERN_STATE_TABLE: 't-State', LANTERN_FINDINGS_STREAM: 'not a stream!' }),
    ).toThrow(/LANTERN_FINDINGS_STREAM "not a stream!" is not a Kinesis stream name or ARN/);
  });

  it('names every problem at once', () => {
    const attempt = () =>
      loadIngestConfig({ LANTERN_CLOUDFRONT_FIELDS: 'c-ip,bogus', LANTERN_APIGW_BEHIND_CLOUDFRONT: 'maybe' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error: unknown) {
      expect((error as ConfigError).problems).toEqual([
        "LANTERN_STATE_TABLE is not set (the DynamoDB state table's name)",
        'LANTERN_CLOUDFRONT_FIELDS has unknown CloudFront real-time fields: bogus',
        'LANTERN_CLOUDFRONT_FIELDS must include timestamp',
        'LANTERN_APIGW_BEHIND_CLOUDFRONT must be true or false, got "maybe"',
      ]);
    }
  });
});
