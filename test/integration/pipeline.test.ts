/**
 * End to end on the local cloud: records put on kinesalite, read by the local event source mapping, handed to the
 * REAL ingest handler, state in dynalite. Also the mapping's failure handling (partial failures, bisect, retries).
 */

import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPath, type LocalCloud, loadHandler, startLocalCloud } from '../../infra/local/cloud.js';
import { putRecords, recordsFromLines } from '../../infra/local/feed.js';
import { KinesisEventSourcePoller } from '../../infra/local/poller.js';
import { createRecordDecoder } from '../../shared/adapters/kinesis/records.js';
import { createMemoryStore } from '../../shared/adapters/memory/memory-store.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import { buildReport, type Report } from '../../shared/engine/report.js';
import { systemClock } from '../../shared/ports/clock.js';
import { kinesisEvent } from '../helpers/kinesis-events.js';
import { apiGatewayLines, cloudFrontLines } from './traffic.js';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

let cloud: LocalCloud;
let handler: Handler;

beforeAll(async () => {
  cloud = await startLocalCloud({ shards: 2, prefix: 'pipeline' });
  handler = await loadHandler<Handler>(cloud, functionPath('ingest'));
});
afterAll(async () => {
  await cloud.close();
});

function counts(report: Report) {
  return {
    records: report.summary.records,
    analysed: report.summary.analysed,
    rejected: report.summary.rejected,
    endpoints: report.endpoints.map((e) => `${e.host} ${e.method} ${e.path} ${e.requests}`),
    entities: report.entities.map((e) => `${e.type}:${e.id} ${e.requests}`),
  };
}

describe('the ingest handler through the local event source mapping', () => {
  it('analyses what was put on the stream, the same as the engine in memory', async () => {
    // Prepare
    const cf = cloudFrontLines(300);
    const gw = apiGatewayLines(200);
    const records = [
      ...recordsFromLines('cloudfront-realtime', cf),
      ...recordsFromLines('apigw', gw),
      Buffer.from('garbage\tline'),
    ];
    const invocations: number[] = [];
    const poller = new KinesisEventSourcePoller(cloud.kinesis, cloud.streamName, handler, {
      batchSize: 100,
      maximumBatchingWindowMs: 50,
      onInvoke: (i) => invocations.push(i.records),
    });
    // Act
    await poller.start();
    await putRecords(cloud.kinesis, cloud.streamName, records);
    await poller.waitIdle();
    await poller.stop();
    // Assess
    const report = await buildReport(cloud.store());
    expect(report.summary.records).toBe(501);
    expect(report.summary.analysed).toBe(500);
    expect(report.summary.rejected).toBe(1);
    expect(Math.max(...invocations)).toBeLessThanOrEqual(100);
    const reference = createMemoryStore();
    await analyzeBatch(createRecordDecoder()(kinesisEvent(records).Records)[0]!, {
      store: reference,
      clock: systemClock,
    });
    expect(counts(report)).toEqual(counts(await buildReport(reference)));
  });
});

describe('the local event source mapping (Lambda semantics)', () => {
  async function run(
    fn: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>,
    datas: string[],
    options = {},
  ) {
    const seen: string[][] = [];
    const failures: Array<{ records: KinesisStreamRecord[]; reason: string }> = [];
    const prefix = `esm-${Math.random().toString(36).slice(2, 8)}`;
    const local = await startLocalCloud({ shards: 1, prefix });
    const poller = new KinesisEventSourcePoller(
      local.kinesis,
      local.streamName,
      async (event) => {
        seen.push(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
        return fn(event);
      },
      {
        batchSize: 10,
        maximumBatchingWindowMs: 20,
        pollIntervalMs: 20,
        onFailure: (f) => failures.push(f),
        ...options,
      },
    );
    try {
      await putRecords(
        local.kinesis,
        local.streamName,
        datas.map((d) => Buffer.from(d)),
      );
      await poller.start();
      await poller.waitIdle();
      await poller.stop();
    } finally {
      await local.close();
    }
    return {
      seen,
      failures: failures.map((f) => ({
        reason: f.reason,
        data: f.records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()),
      })),
    };
  }
  const datas = Array.from({ length: 10 }, (_, i) => `r${i}`);

  it('retries from the lowest reported failure, after checkpointing the records before it', async () => {
    let first = true;
    const { seen, failures } = await run(async (event) => {
      if (!first) return { batchItemFailures: [] };
      first = false;
      return {
        batchItemFailures: [
          { itemIdentifier: event.Records[6]!.kinesis.sequenceNumber },
          { itemIdentifier: event.Records[4]!.kinesis.sequenceNumber },
        ],
      };
    }, datas);
    expect(seen).toEqual([datas, datas.slice(4)]);
    expect(failures).toEqual([]);
  });

  it('bisects a batch on error until the poison record is alone, then gives it up after the retries', async () => {
    const { seen, failures } = await run(
      async (event) => {
        if (event.Records.some((r) => Buffer.from(r.kinesis.data, 'base64').toString() === 'r7'))
          throw new Error('boom');
        return { batchItemFailures: [] };
      },
      datas,
      { maximumRetryAttempts: 3 },
    );
    expect(failures).toEqual([{ reason: 'retries exhausted (3)', data: ['r7'] }]);
    const delivered = new Set(seen.filter((batch) => !batch.includes('r7')).flat());
    expect([...delivered].sort()).toEqual(datas.filter((d) => d !== 'r7'));
  });

  it('fails the whole batch when an identifier is not in it', async () => {
    let calls = 0;
    const { seen } = await run(
      async () => (++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'nonsense' }] } : { batchItemFailures: [] }),
      datas,
    );
    expect(seen).toEqual([datas, datas]);
  });
});
