/**
 * Faults for the local cloud's fault test (`npm run bench:faults`, test/integration/faults.test.ts), injected where
 * they happen in AWS so that the code under test handles them for real:
 * - a DynamoDB that misbehaves: an HTTP proxy on loopback in front of dynalite, given to the functions as their
 *   `AWS_ENDPOINT_URL_DYNAMODB`, answers a chosen fraction of requests itself with DynamoDB's own errors
 *   (throttling, 500), applies a write and then drops the connection before the answer (the client cannot know it
 *   landed), and applies only part of a BatchWriteItem/BatchGetItem (UnprocessedItems/UnprocessedKeys). The SDK's
 *   retries and the store's own then have to cope;
 * - an execution environment that dies mid-batch: after N writes have landed, the store becomes unreachable, the
 *   invocation fails as Lambda reports a crashed runtime (the mapping retries and bisects), and the next invocation
 *   gets a new environment (a cold start).
 * Delivery faults (redelivery, rewinds, restarts) are the event source mapping's: see poller.ts `DeliveryFaults`.
 * Nothing in functions/ or shared/ knows about any of this.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from '../../shared/simulate/prng.js';
import type { KinesisFunction } from './poller.js';

export interface DynamoFaultRates {
  /** Answered 400 ProvisionedThroughputExceededException (any operation). */
  throttle?: number;
  /** Answered 500 InternalServerError (any operation). */
  serverError?: number;
  /** A write applied by DynamoDB whose answer never arrives (the connection is reset). */
  lostAnswer?: number;
  /** A BatchWriteItem/BatchGetItem of which only the first half is applied, the rest returned unprocessed. */
  unprocessed?: number;
}

export interface DynamoFaultCounts {
  requests: number;
  throttled: number;
  serverErrors: number;
  lostAnswers: number;
  unprocessedBatches: number;
  unprocessedItems: number;
  /** Requests refused while the store was unreachable (a crashed environment, a runner being restarted). */
  refused: number;
  /** Writes DynamoDB applied (PutItem, UpdateItem, DeleteItem, BatchWriteItem calls). */
  writes: number;
}

export function noDynamoFaults(): DynamoFaultCounts {
  return {
    requests: 0,
    throttled: 0,
    serverErrors: 0,
    lostAnswers: 0,
    unprocessedBatches: 0,
    unprocessedItems: 0,
    refused: 0,
    writes: 0,
  };
}

export interface DynamoFaultProxy {
  endpoint: string;
  counts: DynamoFaultCounts;
  /** Changes the fault rates from now on (e.g. none, to let a run settle). */
  setRates(rates: DynamoFaultRates): void;
  /** Resolves once `writes` more writes have landed; the proxy is then down (every request refused) until `up()`. */
  crashAfterWrites(writes: number): Promise<void>;
  /** Forgets a crash armed with `crashAfterWrites` that has not fired. */
  disarm(): void;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const ERROR_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

function operationOf(req: http.IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? (target.split('.')[1] ?? '') : '';
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `fault-${Math.random().toString(36).slice(2)}`,
  });
  res.end(text);
}

type Json = Record<string, unknown>;

/**
 * Applies half of a BatchWriteItem/BatchGetItem: returns the request to forward and how to fold the held-back half
 * into DynamoDB's answer as UnprocessedItems/UnprocessedKeys (what DynamoDB does when a partition is throttled).
 * The answer may already leave keys unprocessed (a BatchGetItem answers at most 16 MB, dynalite about 1 MB): the
 * held-back half is added to them, never put in their place, or the caller would lose them without knowing.
 */
function splitBatch(
  operation: string,
  body: Json,
): { forward: Json | undefined; held: number; merge: (answer: Json) => Json } | undefined {
  const requestItems = body.RequestItems as Json | undefined;
  if (!requestItems) return undefined;
  const [table] = Object.keys(requestItems);
  if (table === undefined) return undefined;
  if (operation === 'BatchWriteItem') {
    const requests = requestItems[table] as unknown[];
    const keep = Math.floor(requests.length / 2);
    const rest = requests.slice(keep);
    return {
      forward: keep > 0 ? { ...body, RequestItems: { ...requestItems, [table]: requests.slice(0, keep) } } : undefined,
      held: rest.length,
      merge: (answer) => {
        const unprocessed = (answer.UnprocessedItems as Json | undefined) ?? {};
        const deferred = (unprocessed[table] as unknown[] | undefined) ?? [];
        return { ...answer, UnprocessedItems: { ...unprocessed, [table]: [...deferred, ...rest] } };
      },
    };
  }
  if (operation === 'BatchGetItem') {
    const entry = requestItems[table] as Json & { Keys: unknown[] };
    const keep = Math.floor(entry.Keys.length / 2);
    const rest = entry.Keys.slice(keep);
    return {
      forward:
        keep > 0
          ? { ...body, RequestItems: { ...requestItems, [table]: { ...entry, Keys: entry.Keys.slice(0, keep) } } }
          : undefined,
      held: rest.length,
      merge: (answer) => {
        const unprocessed = (answer.UnprocessedKeys as Json | undefined) ?? {};
        const deferred = (unprocessed[table] as { Keys?: unknown[] } | undefined)?.Keys ?? [];
        return {
          ...answer,
          Responses: (answer.Responses as Json | undefined) ?? { [table]: [] },
          UnprocessedKeys: { ...unprocessed, [table]: { ...entry, Keys: [...deferred, ...rest] } },
        };
      },
    };
  }
  return undefined;
}

export async function startDynamoFaultProxy(options: {
  /** dynalite's endpoint. */
  target: string;
  rates?: DynamoFaultRates;
  seed?: number;
}): Promise<DynamoFaultProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const random = new Random(options.seed ?? 1, 0xd1a0);
  let rates: DynamoFaultRates = { ...options.rates };
  let isDown = false;
  let crash: { remaining: number; fired: () => void } | undefined;
  const counts = noDynamoFaults();

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          agent,
          headers: { ...req.headers, host: target.host, 'content-length': body.length },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () =>
            resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }),
          );
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    counts.requests++;
    if (isDown) {
      counts.refused++;
      req.socket.destroy();
      return;
    }
    const operation = operationOf(req);
    const roll = random.next();
    const throttle = rates.throttle ?? 0;
    const serverError = rates.serverError ?? 0;
    if (roll < throttle) {
      counts.throttled++;
      sendJson(res, 400, {
        __type: `${ERROR_PREFIX}ProvisionedThroughputExceededException`,
        message:
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      });
      return;
    }
    if (roll < throttle + serverError) {
      counts.serverErrors++;
      sendJson(res, 500, { __type: `${ERROR_PREFIX}InternalServerError`, message: 'Internal server error' });
      return;
    }
    const write = WRITE_OPERATIONS.has(operation);
    let split: ReturnType<typeof splitBatch>;
    if ((operation === 'BatchWriteItem' || operation === 'BatchGetItem') && random.chance(rates.unprocessed ?? 0)) {
      split = splitBatch(operation, JSON.parse(body.toString('utf8')) as Json);
    }
    const lose = write && random.chance(rates.lostAnswer ?? 0);

    let answer: { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
    if (split && !split.forward) {
      answer = { status: 200, headers: {}, body: Buffer.from('{}') };
    } else {
      answer = await forward(req, split?.forward ? Buffer.from(JSON.stringify(split.forward)) : body);
    }
    if (write && answer.status === 200) {
      counts.writes++;
      if (crash && --crash.remaining <= 0) {
        // The environment dies now: this write landed, its answer and everything after it are lost.
        isDown = true;
        const fired = crash.fired;
        crash = undefined;
        fired();
      }
    }
    const lost = lose && answer.status === 200;
    if (isDown || lost) {
      if (lost && !isDown) counts.lostAnswers++;
      res.socket?.destroy();
      return;
    }
    if (split && answer.status === 200) {
      counts.unprocessedBatches++;
      counts.unprocessedItems += split.held;
      const text = JSON.stringify(split.merge(JSON.parse(answer.body.toString('utf8')) as Json));
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': String(answer.headers['x-amzn-requestid'] ?? 'fault'),
      });
      res.end(text);
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding') headers[name] = value;
    }
    headers['content-length'] = answer.body.length;
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => res.socket?.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    counts,
    setRates: (next) => {
      rates = { ...next };
    },
    crashAfterWrites: (writes) =>
      new Promise<void>((resolve) => {
        crash = { remaining: writes, fired: resolve };
      }),
    disarm: () => {
      crash = undefined;
    },
    down: () => {
      isDown = true;
    },
    up: () => {
      isDown = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface CrashPlan {
  /** Chance that an invocation's environment dies mid-batch. */
  rate: number;
  /** It dies after 1 to this many writes have landed (counted over every function behind the proxy). */
  maxWrites: number;
  seed?: number;
}

export interface CrashingFunction {
  fn: KinesisFunction;
  counts: { crashes: number; coldStarts: number };
}

/** How long a dead environment's invocation may take to notice that its store is gone. */
const ZOMBIE_TIMEOUT_MS = 60_000;

/**
 * A function whose execution environment may die mid-batch. `load(n)` starts environment n (a cold start: a fresh
 * module instance). When the crash fires, the proxy is down: the dead invocation's remaining requests fail, nothing
 * more of it lands; once it has stopped, the proxy comes back, the invocation is reported as a runtime crash (the
 * mapping retries and bisects) and the next invocation starts a new environment.
 */
export function crashingFunction(
  load: (environment: number) => Promise<KinesisFunction>,
  proxy: DynamoFaultProxy,
  plan: CrashPlan,
): CrashingFunction {
  const random = new Random(plan.seed ?? 1, 0xc4a5);
  const counts = { crashes: 0, coldStarts: 0 };
  let environment: Promise<KinesisFunction> | undefined;
  let armed = false;
  const fn: KinesisFunction = async (event, context) => {
    environment ??= load(++counts.coldStarts);
    const handler = await environment;
    if (armed || !random.chance(plan.rate)) return handler(event, context);
    armed = true;
    const writes = random.int(1, plan.maxWrites);
    const crashed = proxy.crashAfterWrites(writes).then(() => 'crashed' as const);
    const run = handler(event, context);
    const first = await Promise.race([
      run.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      crashed,
    ]);
    if (first === 'done') {
      proxy.disarm();
      armed = false;
      return run;
    }
    await Promise.race([run.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ZOMBIE_TIMEOUT_MS))]);
    counts.crashes++;
    environment = undefined;
    proxy.up();
    armed = false;
    throw new Error(
      `RequestId: ${context.awsRequestId} Error: Runtime exited with error: signal: killed (injected after ${writes} writes)`,
    );
  };
  return { fn, counts };
}
