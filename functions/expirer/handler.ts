/**
 * Expirer Lambda: on a schedule (EventBridge, every minute),
 * 1. lifts every block and throttle whose time is up (or whose target was allowlisted since), through the same
 *    enforcers as the responder, and audits it;
 * 2. publishes again onto the findings stream the open findings whose current revision the responder never
 *    answered (shared/response/reconcile.ts), when LANTERN_FINDINGS_STREAM is set.
 * Same configuration as the responder. It sends no alert itself. A lift that failed at the edge stays active in the
 * store and is retried on the next run; the invocation then fails so that the error alarm sees it.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import middy from '@middy/core';
import { createKinesisFindingPublisher } from '../../shared/adapters/kinesis-findings/kinesis-finding-publisher.js';
import { systemClock } from '../../shared/ports/clock.js';
import { loadResponderConfig } from '../responder/config.js';
import { buildEnforcer, buildStore } from '../responder/wiring.js';
import { createExpirer } from './expirer.js';

const config = loadResponderConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-expirer' });
const metrics = new Metrics({ namespace: 'Lantern', serviceName: 'expirer' });

const expire = createExpirer({
  store: buildStore(config),
  clock: systemClock,
  config: config.policy,
  enforcer: buildEnforcer(config, (message, extra) => logger.info(message, extra ?? {})),
  ...(config.findingsStream
    ? {
        publisher: createKinesisFindingPublisher({
          client: new KinesisClient({ region: config.region }),
          stream: config.findingsStream,
          clock: systemClock,
        }),
      }
    : {}),
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
  onRun: (run) => {
    metrics.addMetric('Expired', MetricUnit.Count, run.expired);
    metrics.addMetric('ExpiryFailures', MetricUnit.Count, run.expiryFailures);
    metrics.addMetric('Republished', MetricUnit.Count, run.republished);
  },
});

export const handler = middy<unknown, Awaited<ReturnType<typeof expire>>>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(() => expire());
