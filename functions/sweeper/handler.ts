/**
 * Sweeper Lambda, run on a schedule (EventBridge, e.g. every 15 minutes): housekeeping tasks over the state
 * (functions/sweeper/tasks.ts). Thin: configuration and clients once per cold start.
 *
 * Environment: LANTERN_STATE_TABLE (required); LANTERN_SWEEP_EXPIRED=true to delete expired items itself
 * (only where the table has no native TTL: the local cloud); LANTERN_DECLARED_REST_APIS=all or REST API ids to sync
 * the declared APIs from API Gateway (functions/sweeper/declared-sync.ts; unset: no sync).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { readDeclaredRestApis } from '../../shared/adapters/apigateway/declared-apis.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { systemClock } from '../../shared/ports/clock.js';
import { ConfigError, parseBoolean, requireTable } from '../ingest/config.js';
import {
  DECLARED_APIS_ENV,
  type DeclaredApisSetting,
  declaredSyncTask,
  parseDeclaredApisSetting,
} from './declared-sync.js';
import { runSweep, SWEEP_TASKS } from './tasks.js';

function loadSweeperConfig(env: Readonly<Record<string, string | undefined>>): {
  tableName: string;
  emulateTtl: boolean;
  declaredApis?: DeclaredApisSetting;
} {
  const problems: string[] = [];
  const tableName = requireTable(env, problems);
  const emulateTtl = parseBoolean(env.LANTERN_SWEEP_EXPIRED, 'LANTERN_SWEEP_EXPIRED', problems);
  const declaredApis = parseDeclaredApisSetting(env[DECLARED_APIS_ENV], problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { tableName, emulateTtl, ...(declaredApis ? { declaredApis } : {}) };
}

const config = loadSweeperConfig(process.env);
const logger = new Logger({ serviceName: 'lantern-sweeper' });
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const store = createDynamoDbStore({ client, tableName: config.tableName });
const tasks = config.declaredApis ? [...SWEEP_TASKS, declaredSync(config.declaredApis)] : SWEEP_TASKS;

function declaredSync(setting: DeclaredApisSetting) {
  // More attempts than the default 3: control-plane reads share a low per-account rate.
  const apigateway = new APIGatewayClient({ maxAttempts: 5 });
  return declaredSyncTask({
    read: () =>
      readDeclaredRestApis({ client: apigateway, ...(setting.apis === 'ids' ? { apiIds: setting.ids } : {}) }),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
  });
}

export const handler = middy<ScheduledEvent, Record<string, Record<string, number>>>()
  .use(injectLambdaContext(logger))
  .handler(async () => {
    const results = await runSweep(
      {
        store,
        clock: systemClock,
        table: { client, tableName: config.tableName },
        emulateTtl: config.emulateTtl,
      },
      tasks,
    );
    logger.info('sweep', { results });
    return results;
  });
