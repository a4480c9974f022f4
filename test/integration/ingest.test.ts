/**
 * The ingest handler on the local cloud (dynalite): the real handler module, the real DynamoDB store.
 */

import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngest } from '../../functions/ingest/ingest.js';
import { functionPath, type LocalCloud, loadHandler, startLocalCloud } from '../../infra/local/cloud.js';
import { createRecordDecoder } from '../../shared/adapters/kinesis/records.js';
import { createMemoryStore } from '../../shared/adapters/memory/memory-store.js';
import type { Finding } from '../../shared/detection/finding.js';
import { encodeCloudFrontRealtime, encodeCwlControlMessage } from '../../shared/encoders/index.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import { buildReport, type Report } from '../../shared/engine/report.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';
import { kinesisEvent } from '../helpers/kinesis-events.js';
import { apiGatewayLines, cloudFrontLines, envelope } from './traffic.js';

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

let cloud: LocalCloud;
let handler: Handler;
const context = {
  functionName: 'lantern-ingest',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

beforeAll(async () => {
  cloud = await startLocalCloud({ shards: 1 });
  handler = await loadHandler<Handler>(cloud, functionPath('ingest'));
});
afterAll(async () => {
  await cloud.close();
});
beforeEach(async () => {
  // Each test starts from an empty table.
  for (;;) {
    const { Items = [] } = await cloud.documents.send(
      new ScanCommand({ TableName: cloud.tableName, ProjectionExpression: 'pk, sk' }),
    );
    if (Items.length === 0) break;
    for (let i = 0; i < Items.length; i += 25) {
      await cloud.documents.send(
        new BatchWriteCommand({
          RequestItems: { [cloud.tableName]: Items.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
  }
});

/** What a report says about counts (what must not change when a batch is delivered again). */
function counts(report: Report) {
  return {
    summary: report.summary,
    endpoints: report.endpoints.map((e) => ({
      key: `${e.host} ${e.method} ${e.path}`,
      requests: e.requests,
      status: e.statusCounts,
    })),
    entities: report.entities.map((e) => ({ id: `${e.type}:${e.id}`, requests: e.requests })),
    rejections: report.rejections.byReason,
  };
}

/** The same event analysed by the engine on the in-memory store: the reference. */
async function reference(event: KinesisStreamEvent): Promise<Report> {
  const store = createMemoryStore();
  for (const batch of createRecordDecoder()(event.Records)) await analyzeBatch(batch, { store, clock: systemClock });
  return buildReport(store);
}

function mixedEvent(): KinesisStreamEvent {
  const cf = cloudFrontLines(60);
  const gw = apiGatewayLines(40);
  return kinesisEvent([...cf.slice(0, 30), envelope(gw.slice(0, 20)), ...cf.slice(30), envelope(gw.slice(20))]);
}

describe('ingest handler on dynalite', () => {
  it('counts every request once, CloudFront lines and CloudWatch Logs envelopes alike, like the in-memory engine', async () => {
    // Prepare
    const event = mixedEvent();
    // Act
    const response = await handler(event, context);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const report = await buildReport(cloud.store());
    expect(report.summary.records).toBe(100);
    expect(report.summary.analysed).toBe(100);
    expect(counts(report)).toEqual(counts(await reference(event)));
  });

  it('a replayed batch leaves the same counts as one delivery (duplicate, retry from the middle, overlapping batches)', async () => {
    // Prepare
    const event = mixedEvent();
    await handler(event, context);
    const once = counts(await buildReport(cloud.store()));
    // Act: the whole batch again, then a bisected retry (second half), then a batch overlapping the end and new records
    await handler(event, context);
    await handler({ Records: event.Records.slice(31) }, context);
    const more = kinesisEvent(cloudFrontLines(10, 1000), { first: event.Records.length + 1 });
    await handler({ Records: [...event.Records.slice(-5), ...more.Records] }, context);
    await handler(more, context);
    // Assess
    const after = counts(await buildReport(cloud.store()));
    expect(after.summary.records).toBe(once.summary.records + 10);
    const expected = counts(await reference({ Records: [...event.Records, ...more.Records] }));
    expect(after).toEqual(expected);
  });

  it('a batch with poison records commits the rest and reports no failure', async () => {
    // Prepare
    const good = cloudFrontLines(5);
    const poison = [
      'not a log line at all',
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), // gzip magic, then garbage
      `${good[0]?.split('\t').slice(0, 5).join('\t')}`, // too few fields
      '{"hello":"world"}',
    ];
    const event = kinesisEvent([
      good[0]!,
      poison[0]!,
      good[1]!,
      poison[1]!,
      poison[2]!,
      good[2]!,
      encodeCwlControlMessage(),
      poison[3]!,
      good[3]!,
      good[4]!,
    ]);
    // Act
    const response = await handler(event, context);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const report = await buildReport(cloud.store());
    expect(report.summary.analysed).toBe(5);
    expect(report.summary.rejected).toBe(4);
    expect(report.summary.controlMessages).toBe(1);
    expect(report.rejections.samples.every((s) => s.where.startsWith('shardId-000000000000/'))).toBe(true);
    // Redelivered, the rejections are not counted twice either.
    await handler(event, context);
    expect((await buildReport(cloud.store())).summary.rejected).toBe(4);
  });

  it('reports the records of a batch the store could not commit, and the retry counts them once', async () => {
    // Prepare: the real DynamoDB store, failing after the endpoints were written (before the ledger)
    const real = cloud.store();
    let failing = true;
    const flaky: Store = {
      ...real,
      meta: {
        ...real.meta,
        get: (ids) => real.meta.get(ids),
        list: (q) => real.meta.list(q),
        delete: (ids) => real.meta.delete(ids),
        put: async (items) => {
          if (failing) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
          return real.meta.put(items);
        },
      },
    };
    const errors: string[] = [];
    const ingest = createIngest({
      store: flaky,
      clock: systemClock,
      decode: createRecordDecoder(),
      log: { info: () => undefined, error: (m) => errors.push(m) },
    });
    const event = mixedEvent();
    // Act
    const failed = await ingest(event);
    failing = false;
    const retried = await ingest(event);
    // Assess
    expect(failed.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.map((r) => r.kinesis.sequenceNumber),
    );
    expect(errors).toHaveLength(1);
    expect(retried.batchItemFailures).toEqual([]);
    expect(counts(await buildReport(cloud.store()))).toEqual(counts(await reference(event)));
  });

  it('publishes the findings a batch opens, and fails the batch when they cannot be published', async () => {
    // Prepare: a credential-stuffing burst (one address, many failed logins), a publisher that refuses once
    const lines = Array.from({ length: 400 }, (_, i) =>
      encodeCloudFrontRealtime({
        time: Date.UTC(2026, 10, 24, 10) + i * 500,
        source: 'cloudfront-realtime',
        requestId: `login-${i}`,
        host: 'api.example.com',
        method: 'POST',
        path: '/v1/login',
        status: i % 50 === 0 ? 200 : 401,
        clientIp: '203.0.113.250',
        authenticated: false,
      }),
    );
    const published: Finding[][] = [];
    let refuse = true;
    const ingest = createIngest({
      store: cloud.store(),
      clock: systemClock,
      decode: createRecordDecoder(),
      log: { info: () => undefined, error: () => undefined },
      publisher: {
        publish: async (findings) => {
          if (refuse) throw new Error('ProvisionedThroughputExceededException');
          published.push([...findings]);
        },
      },
    });
    // Act
    const failed = await ingest(kinesisEvent(lines));
    refuse = false;
    const more = await ingest(kinesisEvent(lines.slice(0, 10), { first: 1000 }));
    // Assess
    expect(failed.batchItemFailures).toHaveLength(400);
    expect(more.batchItemFailures).toEqual([]);
    const report = await buildReport(cloud.store());
    expect(report.findings.map((f) => f.type)).toContain('credential-stuffing');
    // Published by a batch that succeeds: the same burst on a fresh store key space (another address).
    refuse = false;
    const other = lines.map((l) => l.replaceAll('203.0.113.250', '203.0.113.251').replaceAll('login-', 'other-'));
    expect((await ingest(kinesisEvent(other, { first: 5000 }))).batchItemFailures).toEqual([]);
    expect(published.flat().map((f) => `${f.type} ${f.entity.id}`)).toContain('credential-stuffing 203.0.113.251');
  });
});
