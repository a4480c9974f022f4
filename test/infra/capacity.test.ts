/**
 * The capacity model (infra/capacity/model.ts): a hand-computed example, monotonic growth with the rate, each
 * limit hit at the rate arithmetic says, a shard's consumer that keeps up (bounded iterator age) or does not; and
 * its inputs read from the stack's code rather than copied.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import {
  DOCUMENTED_MEASURES,
  defaultModelInputs,
  measureBytesPerRecord,
  measuredInputs,
  stackSettings,
} from '../../infra/capacity/inputs.js';
import {
  AWS_LIMITS,
  AWS_PRICES,
  capacityAt,
  limitsByRate,
  type ModelInputs,
  simulateShard,
  wafIpSetWorstCase,
} from '../../infra/capacity/model.js';
import { capacityReport } from '../../infra/capacity/report.js';
import { INGEST_DEFAULTS } from '../../infra/config.js';
import { REPO_ROOT } from '../../infra/constructs/function.js';
import { LOG_STREAM } from '../../infra/constructs/settings.js';
import { COLLECTION_BUCKETS } from '../../shared/store/tables.js';

/** Round figures so that every output can be worked out by hand (see the first test). */
function handInputs(): ModelInputs {
  return {
    settings: {
      samplingRatePercent: 100,
      ingest: { batchSize: 10_000, batchWindowSeconds: 5, parallelizationFactor: 1, memoryMb: 1769 },
      logStreamMode: 'ON_DEMAND',
      buckets: { entities: 32 },
      maxNewBlocksPerHour: 50,
      maxBlockHours: 168,
      scheduled: [],
    },
    measured: {
      bytesPerRecord: 300,
      writeUnitsPer1000: 100,
      writeRequestsPer1000: 100,
      readUnitsPer1000: 100,
      recordsPerBatch: 2500,
      collections: { entities: { writeShare: 1, unitsPerWrite: 1 } },
      trafficRequestsPerSecond: 10,
      readShareGrowingWithRate: 0,
      engineRecordsPerSecondPerCore: 10_000,
    },
    assumptions: {
      // 1: distinct documents proportional to records, so units per record do not depend on the batch.
      distinctDocumentsExponent: 1,
      invocationOverheadSeconds: 0.05,
      writeRoundSeconds: 0.01,
      readRoundSeconds: 0.01,
      storeWriteConcurrency: 10,
      eventOverheadBytesPerRecord: 100,
      onDemandHeadroom: 2,
      onDemandMinimumShards: 4,
      logBytesPerInvocation: 0,
    },
    prices: AWS_PRICES,
    limits: AWS_LIMITS,
  };
}

describe('capacity model', () => {
  it('matches a hand-computed example at 10,000 requests/s', () => {
    // Prepare
    const inputs = handInputs();
    // Act
    const c = capacityAt(inputs, 10_000);
    // Assess
    // 10,000 records/s need 10 shards (records bind: 3 MB/s would need 3); on-demand keeps 2× = 20.
    expect(c.kinesis).toMatchObject({ shardsNeeded: 10, shards: 20, bindingLimit: 'records' });
    // 500 records/s per shard × 5 s window = 2,500 records (under 10,000 and the payload's 6 MiB / 500 B = 12,582).
    expect(c.lambda).toMatchObject({ concurrency: 20, recordsPerBatch: 2500, batchClosedBy: 'window' });
    // 0.05 + 2,500/10,000 + ceil(250/100)·0.01 + ceil(250/10)·0.01 = 0.58 s.
    expect(c.lambda.batchSeconds).toBeCloseTo(0.58, 10);
    expect(c.lambda.invocationsPerSecond).toBeCloseTo(4, 10);
    expect(c.lambda.shardUtilisation).toBeCloseTo((500 / 2500) * 0.58, 10);
    expect(c.lambda.gbSecondsPerSecond).toBeCloseTo(4 * 0.58 * (1769 / 1024), 10);
    expect(c.dynamodb.writeUnitsPerSecond).toBeCloseTo(1000, 10);
    expect(c.dynamodb.bucketWriteUnitsPerSecond).toBeCloseTo(1000 / 32, 10);
    expect(c.dynamodb.hotItemWriteUnitsPerSecond).toBeCloseTo(4, 10);
    // 100M requests at 10,000/s = 10,000 s = 2.78 stream-hours; ingest billed at 1 KB per record; retrieval 300 B.
    const kinesis = (10_000 / 3600) * 0.04 + ((1e8 * 1024) / 1024 ** 3) * 0.08 + ((1e8 * 300) / 1024 ** 3) * 0.04;
    expect(c.costPer100M.kinesis).toBeCloseTo(kinesis, 6);
    // 10M write units at $0.625/M + 10M read units at $0.125/M.
    expect(c.costPer100M.dynamodb).toBeCloseTo(7.5, 10);
    expect(c.costPer100M.cloudFrontRealtimeLogs).toBeCloseTo(1, 10);
  });

  it('grows monotonically with the request rate', () => {
    const inputs = handInputs();
    inputs.assumptions.distinctDocumentsExponent = 0.85;
    const rates = [100, 1_000, 5_000, 10_000, 50_000, 100_000, 300_000];
    const results = rates.map((r) => capacityAt(inputs, r));
    for (let i = 1; i < results.length; i++) {
      const [a, b] = [results[i - 1]!, results[i]!];
      expect(b.kinesis.shards).toBeGreaterThanOrEqual(a.kinesis.shards);
      expect(b.lambda.concurrency).toBeGreaterThanOrEqual(a.lambda.concurrency);
      // Equal while the window closes batches on the minimum shard count: invocations = shards ÷ window.
      expect(b.lambda.invocationsPerSecond).toBeGreaterThanOrEqual(a.lambda.invocationsPerSecond);
      expect(b.dynamodb.writeUnitsPerSecond).toBeGreaterThan(a.dynamodb.writeUnitsPerSecond);
      for (const limit of b.limits) {
        expect(limit.utilisation).toBeGreaterThanOrEqual(
          a.limits.find((l) => l.name === limit.name)!.utilisation - 1e-9,
        );
      }
    }
  });

  it('hits each limit at the rate the arithmetic gives, in that order', () => {
    const byRate = limitsByRate(handInputs());
    const at = (name: string) => byRate.find((l) => l.name === name)!.requestsPerSecond;
    // The on-demand stream's 200,000 records/s.
    expect(at('kinesis-stream')).toBeCloseTo(200_000, -3);
    // 0.1 write units per record over 32 buckets of 1,000 units/s.
    expect(at('dynamodb-bucket-partition')).toBeCloseTo(320_000, -3);
    // 40,000 units/s at 0.1 per record.
    expect(at('dynamodb-table')).toBeCloseTo(400_000, -3);
    // 2 × ceil(rate/1,000) shards reach 1,000 just above 499,000 requests/s.
    expect(at('lambda-concurrency')!).toBeGreaterThan(499_000);
    expect(at('lambda-concurrency')!).toBeLessThanOrEqual(500_000);
    // Batches of 2,500 once a shard is half full: 1,000 one-unit writes/s of a shared document at 2.5M requests/s.
    expect(at('dynamodb-hot-item')).toBeCloseTo(2_500_000, -4);
    // A shard's consumer processes 10,000 records in 2.15 s, far above the 1,000 records/s a shard can take.
    expect(at('lambda-shard-throughput')).toBeUndefined();
    expect(byRate.map((l) => l.name)).toEqual([
      'kinesis-stream',
      'dynamodb-bucket-partition',
      'dynamodb-table',
      'lambda-concurrency',
      'dynamodb-hot-item',
      'lambda-shard-throughput',
      'document-size',
    ]);
  });

  it('documents that gather every caller of a time slice grow with the rate, and so do their writes', () => {
    // Prepare: half the write units go to packs of 40 units measured on traffic of 10 requests/s.
    const inputs = handInputs();
    inputs.measured.collections = {
      entities: { writeShare: 0.5, unitsPerWrite: 1 },
      callers: { writeShare: 0.5, unitsPerWrite: 40, sizeGrowsWithRate: true },
    };
    // Act
    const c = capacityAt(inputs, 1_000);
    // Assess: 100× the traffic, 100× the pack: 4,000 units a write; write units per 1,000 = 100 × (0.5 + 0.5 × 100).
    expect(c.dynamodb.hotItemCollection).toBe('callers');
    expect(c.dynamodb.writeUnitsPer1000).toBeCloseTo(100 * 50.5, 6);
    expect(c.dynamodb.hotItemWriteUnitsPerSecond).toBeCloseTo(c.lambda.invocationsPerSecond * 4000, 6);
    // 4 MiB = 4,096 units: reached at 10 × 4,096 / 40 = 1,024 requests/s.
    const sizeAt = limitsByRate(inputs).find((l) => l.name === 'document-size')?.requestsPerSecond;
    expect(sizeAt).toBeCloseTo(1024, -1);
  });

  it('caps packs at their size and, past the rate that fills them, costs a document per caller plus the horizon reads', () => {
    // Prepare: packs of 40 units at 10 requests/s, as above; packs take 100 callers of 1,024 B (100 units), 4 a
    // generation, and a generation gathers 2 callers per request/s, so they are full at 100 × 4 / 2 = 200 req/s.
    const inputs = handInputs();
    inputs.measured.collections = {
      entities: { writeShare: 0.5, unitsPerWrite: 1 },
      callers: { writeShare: 0.5, unitsPerWrite: 40, sizeGrowsWithRate: true },
    };
    inputs.packing = {
      maxEntries: 100,
      packsPerGeneration: 4,
      entryBytes: 1024,
      horizonPacks: 10,
      callersPerGenerationPerRequestPerSecond: 2,
      perCaller: {
        writeUnitsPer1000: 300,
        writeRequestsPer1000: 100,
        readUnitsPer1000: 200,
        recordsPerBatch: 2500,
        collections: { entities: { writeShare: 1, unitsPerWrite: 1 } },
      },
    };
    // Act
    const below = capacityAt(inputs, 20);
    const capped = capacityAt(inputs, 200);
    const above = capacityAt(inputs, 10_000);
    // Assess: 2× the traffic, 80 units a pack write, under the cap.
    expect(below.briefCallers).toBe('packed');
    expect(below.dynamodb.hotItemCollection).toBe('callers');
    expect(below.dynamodb.writeUnitsPer1000).toBeCloseTo(100 * (0.5 + 0.5 * 2), 6);
    // 20× the traffic would be 800 units a pack write; the cap is 100.
    expect(capped.briefCallers).toBe('packed');
    expect(capped.dynamodb.writeUnitsPer1000).toBeCloseTo(100 * (0.5 + 0.5 * (100 / 40)), 6);
    expect(capped.limits.find((l) => l.name === 'document-size')!.utilisation).toBeCloseTo(100 / 4096, 6);
    // Past the fill rate, the per-caller figures (same 2,500-record batches), and 10 packs of 100 units read
    // strongly consistent (25 units each) by each of the 4 batches a second: 1,000 read units/s more.
    expect(above.briefCallers).toBe('own documents');
    expect(above.dynamodb.writeUnitsPer1000).toBeCloseTo(300, 6);
    expect(above.dynamodb.readUnitsPerSecond).toBeCloseTo(10_000 * 0.2 + 4 * 10 * 25, 6);
    expect(above.dynamodb.hotItemCollection).toBe('entities');
  });

  it('a shard whose consumer keeps up has a bounded iterator age; one that does not falls further behind', () => {
    const inputs = handInputs();
    // Largest batch: 10,000 records in 0.05 + 1 + 10·0.01 + 100·0.01 = 2.15 s, i.e. 4,651 records/s.
    const keepsUp = simulateShard(inputs, 1000, 300);
    expect(keepsUp.maxIteratorAgeSeconds).toBeLessThan(5 + 1.5);
    expect(keepsUp.backlog).toBeLessThan(1000 * 6);
    expect(keepsUp.processed + keepsUp.backlog).toBe(300_000);

    const half = simulateShard(inputs, 6000, 150);
    const full = simulateShard(inputs, 6000, 300);
    // Falling behind by 1 − 4,651/6,000 = 22.5 % of the elapsed time: ~34 s after 150 s, ~67 s after 300 s.
    expect(half.finalIteratorAgeSeconds).toBeGreaterThan(28);
    expect(half.finalIteratorAgeSeconds).toBeLessThan(40);
    expect(full.finalIteratorAgeSeconds).toBeGreaterThan(60);
    expect(full.finalIteratorAgeSeconds).toBeLessThan(75);
    expect(full.backlog).toBeGreaterThan(half.backlog);
  });

  it('a second parallel batch per shard doubles what one shard can process', () => {
    const inputs = handInputs();
    const one = capacityAt(inputs, 10_000).lambda.shardMaxRecordsPerSecond;
    inputs.settings.ingest.parallelizationFactor = 2;
    const two = capacityAt(inputs, 10_000);
    expect(two.lambda.shardMaxRecordsPerSecond).toBeCloseTo(2 * one, 6);
    expect(two.lambda.concurrency).toBe(40);
    expect(simulateShard(inputs, 6000, 300).finalIteratorAgeSeconds).toBeLessThan(10);
  });

  it('bounds the WAF IP set by the block cap and the longest block', () => {
    // A 168-hour block plus the expirer's hour of lag spans 170 clock hours, each with up to 50 new blocks.
    expect(wafIpSetWorstCase(handInputs())).toEqual({ addresses: 8500, limit: 10_000, utilisation: 0.85 });
  });
});

describe('capacity model inputs', () => {
  it('reads the stack settings from the code that deploys them', () => {
    const s = stackSettings();
    expect(s.ingest).toEqual({
      batchSize: INGEST_DEFAULTS.batchSize,
      batchWindowSeconds: INGEST_DEFAULTS.batchWindowSeconds,
      parallelizationFactor: INGEST_EVENT_SOURCE_MAPPING.parallelizationFactor,
      memoryMb: INGEST_DEFAULTS.memoryMb,
    });
    expect(s.logStreamMode).toBe(LOG_STREAM.mode);
    expect(s.buckets).toBe(COLLECTION_BUCKETS);
    expect(s.samplingRatePercent).toBe(100);
  });

  it('measures bytes per record from the CloudFront real-time encoder', () => {
    const { bytesPerRecord, lines } = measureBytesPerRecord(45);
    expect(lines).toBeGreaterThan(1000);
    // The reference: ~500 B per record with Lantern-like field sets, ~1 KB with all fields.
    expect(bytesPerRecord).toBeGreaterThan(150);
    expect(bytesPerRecord).toBeLessThan(1024);
  });

  it('takes units per record and batch size from the pipeline bench when present, the documented figures otherwise', () => {
    const bytes = { bytesPerRecord: 300, lines: 1 };
    expect(measuredInputs(undefined, bytes).measured).toEqual({ ...DOCUMENTED_MEASURES, bytesPerRecord: 300 });
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-capacity-'));
    const file = path.join(dir, 'pipeline.json');
    writeFileSync(
      file,
      JSON.stringify({
        writeUnitsPer1000: 50,
        writeRequestsPer1000: 25,
        readUnitsPer1000: 60,
        steadyState: { records: 30_000, invocations: 4 },
        parameters: { traffic: { minutes: 60 }, warmupRecords: 12_000, measuredRecords: 24_000 },
        writeUnitsByCollection: {
          entities: { writeUnitsPer1000: 40, writesPer1000: 20 },
          endpoints: { writeUnitsPer1000: 5, writesPer1000: 5 },
          callers: { writeUnitsPer1000: 5, writesPer1000: 0.125 },
        },
      }),
    );
    const { measured, sources } = measuredInputs(file, bytes);
    expect(measured).toMatchObject({
      writeUnitsPer1000: 50,
      writeRequestsPer1000: 25,
      readUnitsPer1000: 60,
      recordsPerBatch: 7500,
    });
    expect(measured.collections).toEqual({
      entities: { writeShare: 0.8, unitsPerWrite: 2 },
      endpoints: { writeShare: 0.1, unitsPerWrite: 1 },
      callers: { writeShare: 0.1, unitsPerWrite: 40, sizeGrowsWithRate: true },
    });
    // 36,000 simulated requests in 60 minutes.
    expect(measured.trafficRequestsPerSecond).toBe(10);
    expect(sources.writeUnitsPer1000).toMatch(/pipeline\.json/);
    expect(sources.engineRecordsPerSecondPerCore).toMatch(/f428f3c/);
  });
});

describe('docs/scaling.md', () => {
  it("shows the model's output for the default deployment (npm run bench:capacity -- --pipeline none)", () => {
    // Prepare
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/scaling.md'), 'utf8');
    const { inputs, sources } = defaultModelInputs(undefined);
    // Act
    const { markdown, json } = capacityReport(inputs, sources, [1_000, 10_000, 100_000]);
    // Assess: the capacity table verbatim, the totals, and each limit at its rate.
    const capacity = markdown.slice(markdown.indexOf('|  |'), markdown.indexOf('\n\n', markdown.indexOf('|  |')));
    expect(doc).toContain(capacity);
    const total = /\| \*\*Total\*\* \|.*\|/.exec(markdown)?.[0];
    expect(total).toBeDefined();
    expect(doc).toContain(total);
    for (const l of json.limitsByRate as Array<{ name: string; requestsPerSecond?: number }>) {
      const rate =
        l.requestsPerSecond === undefined
          ? 'not below 10,000,000'
          : Math.round(l.requestsPerSecond).toLocaleString('en-US');
      expect(doc).toContain(`| ${l.name} | ${rate} |`);
    }
  });
});
