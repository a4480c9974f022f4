/**
 * Expirer Lambda: on a schedule (EventBridge, every minute), lifts every block and throttle whose time is up —
 * through the same enforcers as the responder — and audits it. Same configuration as the responder.
 * A lift that failed at the edge stays active in the store and is retried on the next run; the invocation then
 * fails so that the error alarm sees it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { systemClock } from '../../shared/ports/clock.js';
import { expireActions } from '../../shared/response/expire.js';
import { loadResponderConfig } from '../responder/config.js';
import { buildEnforcer, buildStore } from '../responder/wiring.js';

const config = loadResponderConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-expirer' });
const metrics = new Metrics({ namespace: 'Lantern', serviceName: 'expirer' });
const store = buildStore(config);
const enforcer = buildEnforcer(config, (message, extra) => logger.info(message, extra ?? {}));

export class ExpiryIncompleteError extends Error {
  override name = 'ExpiryIncompleteError';
}

export async function expire(): Promise<{ expired: number }> {
  const report = await expireActions({ store, clock: systemClock, mode: config.policy.mode, enforcer });
  metrics.addMetric('Expired', MetricUnit.Count, report.expired.length);
  metrics.addMetric('ExpiryFailures', MetricUnit.Count, report.failed.length);
  if (report.expired.length > 0) logger.info('expired', { targets: report.expired });
  if (report.failed.length > 0)
    throw new ExpiryIncompleteError(
      `could not lift ${report.failed.length} actions: ${report.failed.map((f) => `${f.target} (${f.detail})`).join('; ')}`,
    );
  return { expired: report.expired.length };
}

export const handler = middy<unknown, { expired: number }>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(expire);
