import {
  APIGatewayClient,
  GetBasePathMappingsCommand,
  GetDomainNamesCommand,
  GetResourcesCommand,
  GetRestApisCommand,
} from '@aws-sdk/client-api-gateway';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPath, type LocalCloud, loadHandler, startLocalCloud } from '../../infra/local/cloud.js';
import { recordsFromLines } from '../../infra/local/feed.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { bucketOf, chunkPartitionKey } from '../../shared/adapters/dynamodb/keys.js';
import { parseDeclaredSpec } from '../../shared/discovery/declared.js';
import { encodeApiGateway } from '../../shared/encoders/index.js';
import { saveDeclared } from '../../shared/engine/discovery-state.js';
import { buildReport } from '../../shared/engine/report.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { kinesisEvent } from '../helpers/kinesis-events.js';

type Handler = (event: ScheduledEvent, context: Context) => Promise<Record<string, Record<string, number>>>;

let cloud: LocalCloud;
let handler: Handler;

beforeAll(async () => {
  cloud = await startLocalCloud({ shards: 1, prefix: 'sweeper' });
  handler = await loadHandler<Handler>(cloud, functionPath('sweeper'));
});
afterAll(async () => {
  await cloud.close();
});

describe('sweeper handler on dynalite', () => {
  it('deletes expired items (dynalite has no TTL) and orphaned chunks, and nothing alive', async () => {
    // Prepare
    const store = createDynamoDbStore({ client: cloud.documents, tableName: cloud.tableName, chunkBytes: 4096 });
    const big = { paths: Array.from({ length: 5000 }, (_, i) => `/p/${(i * 7919) % 10007}`) };
    await store.discovery.put([{ id: 'host:a', value: big, expectedVersion: 0 }]);
    await store.meta.put([
      { id: 'gone', value: 1, expectedVersion: 0, expiresAt: Date.now() - 1000 },
      { id: 'kept', value: 2, expectedVersion: 0, expiresAt: Date.now() + 3_600_000 },
    ]);
    // A writer that died after its chunks, before its head, an hour ago:
    await cloud.documents.send(
      new PutCommand({
        TableName: cloud.tableName,
        Item: {
          pk: chunkPartitionKey('discovery', bucketOf('discovery', 'host:a')),
          sk: 'host:a#deadbeef#0',
          z: new Uint8Array([1]),
          w: Date.now() - 3_600_000,
        },
      }),
    );
    const before = (await cloud.documents.send(new ScanCommand({ TableName: cloud.tableName }))).Items?.length ?? 0;
    // Act
    const results = await handler({} as ScheduledEvent, {} as Context);
    // Assess
    expect(results['compact-chunks']?.deleted).toBe(1);
    expect(results.expire?.deleted).toBe(1);
    const after = (await cloud.documents.send(new ScanCommand({ TableName: cloud.tableName }))).Items?.length ?? 0;
    expect(after).toBe(before - 2);
    expect((await store.discovery.get(['host:a'])).get('host:a')?.value).toEqual(big);
    expect([...(await store.meta.get(['gone', 'kept'])).keys()]).toEqual(['kept']);
  });
});

describe('sweeper: declared APIs synced from API Gateway (REST), on dynalite', () => {
  const apigw = mockClient(APIGatewayClient);
  // Its own table: the test above leaves documents that are not a templater's.
  let own: LocalCloud;
  beforeAll(async () => {
    own = await startLocalCloud({ shards: 1, prefix: 'sweeper-declared' });
  });
  afterAll(async () => {
    apigw.restore();
    await own.close();
  });

  /** The gateway as the sync reads it: one REST API, mapped at the root of api.example.com (stage prod). */
  function gatewayServes(paths: readonly string[]): void {
    apigw.reset();
    apigw.on(GetRestApisCommand).resolves({ items: [{ id: 'a1b2c3d4e5', name: 'shop' }] });
    apigw.on(GetDomainNamesCommand).resolves({ items: [{ domainName: 'api.example.com' }] });
    apigw
      .on(GetBasePathMappingsCommand)
      .resolves({ items: [{ basePath: '(none)', restApiId: 'a1b2c3d4e5', stage: 'prod' }] });
    apigw
      .on(GetResourcesCommand)
      .resolves({ items: [{ path: '/' }, ...paths.map((path) => ({ path, resourceMethods: { GET: {} } }))] });
  }

  function call(path: string, i: number): ApiEvent {
    return {
      time: Date.now() - 60_000 + i,
      source: 'apigw',
      requestId: `sync-${path}-${i}`,
      host: 'api.example.com',
      method: 'GET',
      path,
      status: 200,
      bytesOut: 100,
      latencyMs: 20,
      clientIp: `203.0.113.${i % 5}`,
      stage: 'prod',
      apiId: 'a1b2c3d4e5',
      authenticated: true,
    } as ApiEvent;
  }

  it('classifies traffic against the gateway: not declared is shadow, removed since the last sync is a zombie, never called is unused', async () => {
    // Prepare
    const sweep = await loadHandler<Handler>(own, functionPath('sweeper'), 'handler', {
      LANTERN_SWEEP_EXPIRED: 'false',
      LANTERN_DECLARED_REST_APIS: 'a1b2c3d4e5',
    });
    const ingest = await loadHandler<(e: KinesisStreamEvent, c: Context) => Promise<KinesisStreamBatchResponse>>(
      own,
      functionPath('ingest'),
    );
    const store = createDynamoDbStore({ client: own.documents, tableName: own.tableName });
    // A spec loaded with the CLI (an HTTP API's export): the sync must leave it.
    const spec = { openapi: '3.0.3', servers: [{ url: 'https://api.example.com' }], paths: { '/health': { get: {} } } };
    await saveDeclared(store, parseDeclaredSpec(JSON.stringify(spec)).operations);
    const lines = ['/orders', '/legacy/export', '/internal/debug', '/health'].flatMap((path) =>
      Array.from({ length: 3 }, (_, i) => encodeApiGateway(call(path, i))),
    );
    const batch = await ingest(kinesisEvent(recordsFromLines('apigw', lines)), {} as Context);
    expect(batch.batchItemFailures).toEqual([]);
    // Act
    gatewayServes(['/orders', '/legacy/export', '/reports']);
    const first = await sweep({} as ScheduledEvent, {} as Context);
    gatewayServes(['/orders', '/reports']);
    const second = await sweep({} as ScheduledEvent, {} as Context);
    const third = await sweep({} as ScheduledEvent, {} as Context);
    // Assess
    expect(first['sync-declared']).toEqual({ apis: 1, missing: 0, operations: 3, changed: 1 });
    expect(second['sync-declared']).toEqual({ apis: 1, missing: 0, operations: 2, changed: 1 });
    // Unchanged: nothing written, so the set before the removal stays in the history.
    expect(third['sync-declared']).toEqual({ apis: 1, missing: 0, operations: 2, changed: 0 });
    const report = await buildReport(store);
    const status = Object.fromEntries(
      report.endpoints.map((e) => [`${e.host} ${e.method} ${e.path}`, [e.classification, e.zombieReason]]),
    );
    expect(status).toEqual({
      'api.example.com GET /orders': ['managed', undefined],
      'api.example.com GET /health': ['managed', undefined],
      'api.example.com GET /legacy/export': ['zombie', 'removed-from-spec'],
      'api.example.com GET /internal/debug': ['shadow', undefined],
      'api.example.com GET /reports': ['unused', undefined],
    });
  });

  it('refuses, at cold start, a setting that is neither "all" nor REST API ids', async () => {
    await expect(
      loadHandler<Handler>(own, functionPath('sweeper'), 'handler', { LANTERN_DECLARED_REST_APIS: 'prod-api' }),
    ).rejects.toThrow('LANTERN_DECLARED_REST_APIS must be "all" or REST API ids separated by commas, got "prod-api"');
  });
});
