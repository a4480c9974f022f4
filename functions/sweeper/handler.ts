/**
 * Sweeper Lambda, run on a schedule (EventBridge, e.g. every 15 minutes): housekeeping tasks over the state
 * (functions/sweeper/tasks.ts). Thin: configuration and clients once per cold start.
 *
 * Environment: LANTERN_STATE_TABLE (required); LANTERN_SWEEP_EXPIRED=true to delete expired items itself
 * (only where the table has no native TTL: the local cloud).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { systemClock } from '../../shared/ports/clock.js';
import { ConfigError, parseBoolean, requireTable } from '../ingest/config.js';
import { runSweep } from './tasks.js';

function loadSweeperConfig(env: Readonly<Record<string, string | undefined>>): {
  tableName: string;
  emulateTtl: boolean;
} {
  const problems: string[] = [];
  const tableName = requireTable(env, problems);
  const emulateTtl = parseBoolean(env.LANTERN_SWEEP_EXPIRED, 'LANTERN_SWEEP_EXPIRED', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { tableName, emulateTtl };
}

const config = loadSweeperConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-sweeper' });
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const store = createDynamoDbStore({ client, tableName: config.tableName });

export const handler = middy<ScheduledEvent, Record<string, Record<string, number>>>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const results = await runSweep({
      store,
      clock: systemClock,
      table: { client, tableName: config.tableName },
      emulateTtl: config.emulateTtl,
    });
    logger.info('sweep', { results });
    return results;
  });
