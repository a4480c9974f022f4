/**
 * The local cloud: dynalite + kinesalite in this process, with the stack's table (from shared/store/tables.ts) and
 * log stream created, and the REAL Lambda handlers driven by a local Kinesis event source mapping.
 * Handlers learn where DynamoDB is the way they do in AWS: from the environment (`AWS_ENDPOINT_URL_DYNAMODB`, the
 * SDK's own variable), so nothing in them knows it is local.
 */

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  type KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapacityMeter } from '../../shared/adapters/dynamodb/capacity.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { ensureTables } from '../../shared/adapters/dynamodb/tables.js';
import type { Store } from '../../shared/ports/store.js';
import { STATE_TABLE, STATE_TABLE_ENV, TABLES, type TableDefinition } from '../../shared/store/tables.js';
import {
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDocumentClient,
  localDynamoClient,
  localKinesisClient,
} from './clients.js';
import { type Emulator, startDynalite, startKinesalite } from './emulators.js';

export interface LocalCloudOptions {
  /** Keep the emulators' state here (default: in memory, gone on exit). */
  dataDir?: string;
  /** Shards of the log stream (default 2). */
  shards?: number;
  /** Prefix of table and stream names (default `lantern-local`). */
  prefix?: string;
  /** Fixed ports (default: any free port). */
  dynamoPort?: number;
  kinesisPort?: number;
}

export interface LocalCloud {
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  tableName: string;
  streamName: string;
  streamArn: string;
  /** The findings stream (ingest publishes new and escalated findings on it; the responder consumes it). */
  findingsStreamName: string;
  persistent: { dynamo: boolean; kinesis: boolean };
  dynamo: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  kinesis: KinesisClient;
  /** A store on the local table (for the runner's progress and tests; the handlers make their own). */
  store(options?: { capacity?: CapacityMeter }): Store;
  /** The environment the stack gives the functions, pointing at the emulators. */
  functionEnv: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const prefix = options.prefix ?? 'lantern-local';
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const emulators: Emulator[] = [];
  try {
    const dynamoEmulator = await startDynalite({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.dynamoPort ? { port: options.dynamoPort } : {}),
    });
    emulators.push(dynamoEmulator);
    const kinesisEmulator = await startKinesalite({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.kinesisPort ? { port: options.kinesisPort } : {}),
    });
    emulators.push(kinesisEmulator);

    const tableNameOf = (definition: TableDefinition) => `${prefix}-${definition.id}`;
    const dynamo = localDynamoClient(dynamoEmulator.endpoint);
    await ensureTables(dynamo, TABLES, tableNameOf);

    const streamName = `${prefix}-logs`;
    const findingsStreamName = `${prefix}-findings`;
    const kinesis = localKinesisClient(kinesisEmulator.endpoint);
    const streamArn = await createStream(kinesis, streamName, options.shards ?? 2);
    // The responder's input: one shard, one writer to the edge (as in the stack).
    await createStream(kinesis, findingsStreamName, 1);

    const tableName = tableNameOf(STATE_TABLE);
    const documents = localDocumentClient(dynamoEmulator.endpoint);
    return {
      dynamoEndpoint: dynamoEmulator.endpoint,
      kinesisEndpoint: kinesisEmulator.endpoint,
      tableName,
      streamName,
      streamArn,
      findingsStreamName,
      persistent: { dynamo: dynamoEmulator.persistent, kinesis: kinesisEmulator.persistent },
      dynamo,
      documents,
      kinesis,
      store: (o = {}) =>
        createDynamoDbStore({ client: documents, tableName, ...(o.capacity ? { capacity: o.capacity } : {}) }),
      functionEnv: {
        [STATE_TABLE_ENV]: tableName,
        AWS_REGION: LOCAL_REGION,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEmulator.endpoint,
        AWS_ENDPOINT_URL_KINESIS: kinesisEmulator.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        // Local runs print progress, not Lambda's structured logs and metrics.
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'WARN',
        LANTERN_SWEEP_EXPIRED: 'true',
      },
      close: async () => {
        kinesis.destroy();
        dynamo.destroy();
        documents.destroy();
        for (const emulator of emulators.reverse()) await emulator.close();
      },
    };
  } catch (error: unknown) {
    for (const emulator of emulators.reverse()) await emulator.close();
    throw error;
  }
}

async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<string> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (error: unknown) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; ; i++) {
    const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    if (StreamDescription?.StreamStatus === 'ACTIVE') return StreamDescription.StreamARN ?? '';
    if (i > 200) throw new Error(`stream ${name} did not become active`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Loads a function's real handler module as Lambda would at cold start, with the stack's environment pointing at
 * the emulators. One process = one set of handlers: the environment is process-wide and read once per module.
 */
export async function loadHandler<T>(
  cloud: LocalCloud,
  modulePath: string,
  exportName = 'handler',
  env: Record<string, string> = {},
): Promise<T> {
  const handler = (await loadFunctionModule(cloud, modulePath, env))[exportName];
  if (typeof handler !== 'function') throw new Error(`${modulePath} has no function export ${exportName}`);
  return handler as T;
}

/** Environment each function module was last loaded with: a different one needs a new module instance. */
const loadedWith = new Map<string, string>();
let coldStarts = 0;

/**
 * The function's module (its handler and whatever else it exports), loaded with the stack's environment. Loading
 * it again with a different environment (another local cloud in the same process) is a new cold start: a fresh
 * module instance, since a handler reads its configuration once, when its module loads.
 */
export async function loadFunctionModule(
  cloud: LocalCloud,
  modulePath: string,
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const environment = { ...cloud.functionEnv, ...env };
  Object.assign(process.env, environment);
  const key = JSON.stringify(environment);
  const previous = loadedWith.get(modulePath);
  loadedWith.set(modulePath, key);
  const specifier =
    previous === undefined || previous === key
      ? modulePath
      : `${pathToFileURL(modulePath).href}?cold-start=${++coldStarts}`;
  return (await import(specifier)) as Record<string, unknown>;
}

export function functionPath(name: 'ingest' | 'sweeper' | 'responder'): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../functions', name, 'handler.ts');
}
