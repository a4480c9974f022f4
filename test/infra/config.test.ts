import { describe, expect, test } from 'vitest';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import { LanternConfigError, loadConfig, MAX_BLOCKS_PER_HOUR, parseConfig } from '../../infra/config.js';

function problems(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
  } catch (error: unknown) {
    if (error instanceof LanternConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a LanternConfigError');
}

describe('config validation', () => {
  test('defaults: monitor mode, CLOUDFRONT scope, full sampling, 30-day retention', () => {
    // Act
    const config = parseConfig({ region: 'eu-west-1' });
    // Assess
    expect(config).toMatchObject({
      stackName: 'Lantern',
      mode: 'monitor',
      wafScope: 'CLOUDFRONT',
      samplingRate: 100,
      retentionDays: 30,
      attachment: 'custom-resource',
      attachWebAcl: false,
      console: true,
      destroyOnDelete: false,
      maxBlocksPerHour: 50,
      maxThrottlesPerHour: 50,
      ingest: {
        batchSize: INGEST_EVENT_SOURCE_MAPPING.batchSize,
        batchWindowSeconds: INGEST_EVENT_SOURCE_MAPPING.maximumBatchingWindowSeconds,
        retryAttempts: INGEST_EVENT_SOURCE_MAPPING.maximumRetryAttempts,
        maxRecordAgeSeconds: INGEST_EVENT_SOURCE_MAPPING.maximumRecordAgeSeconds,
        memoryMb: 1769,
      },
    });
  });

  test('REST APIs without distributions default to REGIONAL scope', () => {
    expect(parseConfig({ region: 'eu-west-1', restApis: ['a1b2c3d4e5/prod'] }).wafScope).toBe('REGIONAL');
  });

  test('rejects bad values, each with its exact message, all at once', () => {
    // Act
    const found = problems({
      region: 'europe',
      mode: 'block-everything',
      alertEmail: 'not-an-email',
      distributions: ['d111111abcdef8.cloudfront.net'],
      logGroups: ['bad group name'],
      restApis: ['a1b2c3d4e5'],
      declaredApis: ['Not-An-Id'],
      samplingRate: 0,
      retentionDays: 31,
      allowlist: { cidrs: ['10.0.0.0/33', '2001:db8::/129', 'example.com'] },
      ingest: { batchSize: 20000, maxRecordAgeSeconds: 10 },
      colour: 'blue',
    });
    // Assess
    expect(found).toEqual([
      'lantern.colour: unknown key (known: stackName, region, account, mode, alertEmail, slackSecretName, distributions, attachment, samplingRate, logGroups, restApis, declaredApis, behindCloudFront, wafScope, attachWebAcl, allowlist, protectedCidrs, awsIpRangesFile, retentionDays, maxBlocksPerHour, maxThrottlesPerHour, quarantine, ingest, console, destroyOnDelete)',
      'lantern.region: "europe" is not an AWS region (e.g. eu-west-1)',
      'lantern.mode: must be one of monitor, enforce, got "block-everything"',
      'lantern.alertEmail: "not-an-email" is not an email address',
      'lantern.distributions: "d111111abcdef8.cloudfront.net" is not a CloudFront distribution id (e.g. E2QWRUHAPOMQZL)',
      'lantern.samplingRate: must be an integer from 1 to 100, got 0',
      'lantern.logGroups: "bad group name" is not a CloudWatch Logs group name',
      'lantern.restApis: "a1b2c3d4e5" must be "<restApiId>/<stage>" (e.g. a1b2c3d4e5/prod)',
      'lantern.declaredApis: "Not-An-Id" is not a REST API id (e.g. a1b2c3d4e5)',
      'lantern.allowlist.cidrs: "10.0.0.0/33" is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24)',
      'lantern.allowlist.cidrs: "2001:db8::/129" is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24)',
      'lantern.allowlist.cidrs: "example.com" is not an IPv4 or IPv6 CIDR (e.g. 203.0.113.0/24)',
      "lantern.retentionDays: must be one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 31",
      'lantern.ingest.batchSize: must be an integer from 1 to 10000, got 20000',
      'lantern.ingest.maxRecordAgeSeconds: must be an integer from 60 to 604800, got 10',
    ]);
  });

  test('awsIpRangesFile must be a readable ip-ranges.json with CloudFront ranges', () => {
    const read = (text: string) => () => text;
    expect(() => parseConfig({ region: 'eu-west-1', awsIpRangesFile: 'ip.json' }, read('{"prefixes":[]}'))).toThrow(
      'invalid Lantern configuration:\n  - lantern.awsIpRangesFile: "ip.json" lists no CLOUDFRONT ranges (is it ip-ranges.json?)',
    );
    expect(() => parseConfig({ region: 'eu-west-1', awsIpRangesFile: 'ip.json' }, read('<html>'))).toThrow(
      /lantern\.awsIpRangesFile: cannot read "ip\.json" as JSON/,
    );
  });

  test('ingest tuning: the parallelization factor is not a knob; unknown keys are named', () => {
    expect(problems({ region: 'eu-west-1', ingest: { parallelizationFactor: 4, batchSise: 100 } })).toEqual([
      "lantern.ingest.parallelizationFactor: is fixed at 1: the engine applies a shard's records in order",
      'lantern.ingest.batchSise: unknown key (known: batchSize, batchWindowSeconds, retryAttempts, maxRecordAgeSeconds, memoryMb)',
    ]);
  });

  test('maxBlocksPerHour must fit a WAF IP set at synth: 58 new blocks an hour with 7-day blocks, not 59', () => {
    // Prepare: 7-day blocks plus the expirer's hour touch 170 clock hours; 58 × 170 = 9,860 fits 10,000.
    const fits = parseConfig({ region: 'eu-west-1', maxBlocksPerHour: 58 });
    // Act
    const found = problems({ region: 'eu-west-1', maxBlocksPerHour: '59' });
    // Assess
    expect(MAX_BLOCKS_PER_HOUR).toBe(58);
    expect(fits.maxBlocksPerHour).toBe(58);
    expect(found).toEqual([
      "lantern.maxBlocksPerHour: 59 new blocks an hour, with blocks of up to 168 h, can hold 10030 addresses blocked at once, more than a WAF IP set's 10000: at most 58",
    ]);
    expect(problems({ region: 'eu-west-1', maxBlocksPerHour: 10_000 })).toHaveLength(1);
    expect(parseConfig({ region: 'eu-west-1', maxBlocksPerHour: 0 }).maxBlocksPerHour).toBe(0);
  });

  test('maxThrottlesPerHour: 50 by default, an integer from 0 to 10000', () => {
    expect(parseConfig({ region: 'eu-west-1', maxThrottlesPerHour: '7' }).maxThrottlesPerHour).toBe(7);
    expect(parseConfig({ region: 'eu-west-1', maxThrottlesPerHour: 0 }).maxThrottlesPerHour).toBe(0);
    expect(problems({ region: 'eu-west-1', maxThrottlesPerHour: 2.5 })).toEqual([
      'lantern.maxThrottlesPerHour: must be an integer from 0 to 10000, got 2.5',
    ]);
  });

  test('the error message lists every problem under one heading', () => {
    expect(() => parseConfig({ mode: 'loud', region: 'eu-west-1' })).toThrow(
      'invalid Lantern configuration:\n  - lantern.mode: must be one of monitor, enforce, got "loud"',
    );
  });

  test('the region is required, and the message says why for the scope', () => {
    expect(problems({ distributions: ['E2QWRUHAPOMQZL'] })).toEqual([
      'lantern.region: is required (e.g. eu-west-1); with wafScope CLOUDFRONT the WAF resources go to us-east-1 and the rest to this region (us-east-1: one stack)',
    ]);
    expect(problems({ wafScope: 'REGIONAL' })).toEqual([
      'lantern.region: is required (e.g. eu-west-1): the region of the stack, its APIs and their access-log groups',
    ]);
  });

  test('attaching the WebACL needs something to attach it to', () => {
    expect(problems({ region: 'us-east-1', attachWebAcl: true })).toEqual([
      'lantern.attachWebAcl: needs distributions when wafScope is CLOUDFRONT',
    ]);
    expect(problems({ region: 'eu-west-1', wafScope: 'REGIONAL', attachWebAcl: 'true' })).toEqual([
      'lantern.attachWebAcl: needs restApis when wafScope is REGIONAL',
    ]);
  });

  test('command-line overrides: lists comma-separated, numbers and booleans parsed, JSON objects', () => {
    // Prepare
    const context: Record<string, unknown> = {
      lantern: { region: 'us-east-1', mode: 'monitor' },
      'lantern:mode': 'enforce',
      'lantern:distributions': 'E2QWRUHAPOMQZL, E1ABCDEFGHIJKL',
      'lantern:samplingRate': '25',
      'lantern:attachWebAcl': 'true',
      'lantern:allowlist': '{"cidrs":["198.51.100.7/32"]}',
    };
    // Act
    const config = loadConfig({ tryGetContext: (key) => context[key] });
    // Assess
    expect(config.mode).toBe('enforce');
    expect(config.distributions).toEqual(['E2QWRUHAPOMQZL', 'E1ABCDEFGHIJKL']);
    expect(config.samplingRate).toBe(25);
    expect(config.attachWebAcl).toBe(true);
    expect(config.allowlist.cidrs).toEqual(['198.51.100.7/32']);
  });

  test('a config file named by lanternConfig is read and validated', () => {
    // Prepare
    const context: Record<string, unknown> = { lanternConfig: 'lantern.prod.json' };
    const files: Record<string, string> = { 'lantern.prod.json': '{"region":"us-east-1","retentionDays":"7"}' };
    // Act
    const config = loadConfig({ tryGetContext: (key) => context[key] }, (p) => files[p] ?? '');
    // Assess
    expect(config.retentionDays).toBe(7);
    expect(() => loadConfig({ tryGetContext: (key) => context[key] }, () => '{oops')).toThrow(
      /^invalid Lantern configuration:\n {2}- lantern\.prod\.json: not valid JSON/,
    );
  });
});
