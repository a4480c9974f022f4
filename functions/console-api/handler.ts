/**
 * Console API Lambda: the console's routes (shared/console/api.ts) over the state table; unblock, extend and
 * allowlist go through the response module with the same configuration, store and enforcers as the responder and
 * the expirer (functions/responder/config.ts: the same environment variables). Lists are served from a read model
 * kept warm in the container (LANTERN_CONSOLE_MAX_AGE_MS, default 30 s).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createConsoleApi } from '../../shared/console/api.js';
import { ConsoleReadModel } from '../../shared/console/read-model.js';
import { createResponseActions } from '../../shared/console/response-actions.js';
import { systemClock } from '../../shared/ports/clock.js';
import { ConfigError, loadResponderConfig } from '../responder/config.js';
import { buildEnforcer, buildStore } from '../responder/wiring.js';
import { createConsoleApiHandler } from './console-api.js';

export const CONSOLE_ENV = { maxAgeMs: 'LANTERN_CONSOLE_MAX_AGE_MS' } as const;

const config = loadResponderConfig(process.env);
const maxAgeText = process.env[CONSOLE_ENV.maxAgeMs]?.trim();
const maxAgeMs = maxAgeText ? Number(maxAgeText) : 30_000;
if (!Number.isInteger(maxAgeMs) || maxAgeMs < 0)
  throw new ConfigError([`${CONSOLE_ENV.maxAgeMs} must be a whole number of milliseconds, got "${maxAgeText}"`]);

const logger = new Logger({ serviceName: 'lantern-console-api' });
const store = buildStore(config);
const enforcer = buildEnforcer(config, (message, extra) => logger.info(message, extra ?? {}));
const api = createConsoleApi({
  model: new ConsoleReadModel(store, { clock: systemClock, maxAgeMs }),
  clock: systemClock,
  actions: createResponseActions({
    store,
    clock: systemClock,
    config: config.policy,
    ...(enforcer ? { enforcer } : {}),
  }),
});
const handle = createConsoleApiHandler(api, (error, event) =>
  logger.error('console API failed', {
    path: event.path,
    method: event.httpMethod,
    error: error instanceof Error ? error : String(error),
  }),
);

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const response = await handle(event);
    if (response.statusCode >= 400 && response.statusCode !== 404)
      logger.info('refused', { path: event.path, status: response.statusCode });
    return response;
  });
