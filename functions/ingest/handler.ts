/**
 * Ingest Lambda: Kinesis (CloudFront real-time logs, CloudWatch Logs subscriptions of API Gateway access logs)
 * -> engine -> DynamoDB, and new or escalated findings onto the findings stream (LANTERN_FINDINGS_STREAM) for the
 * responder. Thin: configuration and clients once per cold start, the work in ingest.ts.
 * Event source mapping: ReportBatchItemFailures on (the response names failed records by sequence number).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { addCapacity, createCapacityMeter, resetCapacityMeter } from '../../shared/adapters/dynamodb/capacity.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { createRecordDecoder } from '../../shared/adapters/kinesis/records.js';
import { createKinesisFindingPublisher } from '../../shared/adapters/kinesis-findings/kinesis-finding-publisher.js';
import { systemClock } from '../../shared/ports/clock.js';
import { loadIngestConfig } from './config.js';
import { createIngest } from './ingest.js';

const config = loadIngestConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-ingest' });
const metrics = new Metrics({ namespace: 'Lantern', serviceName: 'ingest' });
/** DynamoDB units consumed since cold start (the local runner and the bench read it). */
export const consumedCapacity = createCapacityMeter();
const capacity = createCapacityMeter();
const store = createDynamoDbStore({
  client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
  tableName: config.tableName,
  capacity,
});

const ingest = createIngest({
  store,
  ...(config.findingsStream
    ? {
        publisher: createKinesisFindingPublisher({
          // HTTP/1.1: PutRecords needs no HTTP/2 (only SubscribeToShard does), and it is what every endpoint speaks.
          client: new KinesisClient({ requestHandler: new NodeHttpHandler() }),
          stream: config.findingsStream,
          clock: systemClock,
        }),
      }
    : {}),
  clock: systemClock,
  decode: createRecordDecoder({
    behindCloudFront: config.behindCloudFront,
    ...(config.realtimeFields ? { realtimeFields: config.realtimeFields } : {}),
  }),
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
  onBatch: (outcome) => {
    metrics.addMetric('Records', MetricUnit.Count, outcome.records);
    metrics.addMetric('Analysed', MetricUnit.Count, outcome.analysed);
    metrics.addMetric('Rejected', MetricUnit.Count, outcome.rejected);
    metrics.addMetric('FailedRecords', MetricUnit.Count, outcome.failed);
    metrics.addMetric('NewEndpoints', MetricUnit.Count, outcome.newEndpoints);
    metrics.addMetric('WriteUnits', MetricUnit.Count, capacity.writeUnits);
    logger.info('batch', { ...outcome, writeUnits: capacity.writeUnits, readUnits: capacity.readUnits });
    addCapacity(consumedCapacity, capacity);
    resetCapacityMeter(capacity);
  },
});

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(ingest);
