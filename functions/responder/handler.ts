/**
 * Responder Lambda: consumes the Kinesis stream `findings` (one record per new or escalated finding revision,
 * published by the ingest function) and responds: decide, record, enforce (enforce mode), alert, audit.
 * Thin: configuration, clients and the Slack secret once per cold start; the work in responder.ts.
 * Event source mapping: ReportBatchItemFailures on, one shard with ParallelizationFactor 1 (one writer to WAF),
 * BisectBatchOnFunctionError, bounded retries, an on-failure destination.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { systemClock } from '../../shared/ports/clock.js';
import { loadResponderConfig } from './config.js';
import { createResponderHandler } from './responder.js';
import { buildEnforcer, buildNotifier, buildStore } from './wiring.js';

const config = loadResponderConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-responder' });
const metrics = new Metrics({ namespace: 'Lantern', serviceName: 'responder' });
const notifier = await buildNotifier(config);

const respond = createResponderHandler({
  store: buildStore(config),
  clock: systemClock,
  config: config.policy,
  enforcer: buildEnforcer(config, (message, extra) => logger.info(message, extra ?? {})),
  ...(notifier ? { notifier } : {}),
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
  onBatch: (outcomes, failed) => {
    metrics.addMetric('Findings', MetricUnit.Count, outcomes.length);
    metrics.addMetric(
      'Blocks',
      MetricUnit.Count,
      outcomes.filter((o) => !o.duplicate && o.decision.action === 'block').length,
    );
    metrics.addMetric(
      'Throttles',
      MetricUnit.Count,
      outcomes.filter((o) => !o.duplicate && o.decision.action === 'throttle').length,
    );
    metrics.addMetric('Alerts', MetricUnit.Count, outcomes.filter((o) => o.alerted).length);
    metrics.addMetric('FailedRecords', MetricUnit.Count, failed);
  },
});

export const handler = middy<KinesisStreamEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(respond);
