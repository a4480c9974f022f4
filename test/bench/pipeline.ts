/**
 * `npm run bench:pipeline`: the local pipeline end to end — records put on kinesalite, the local event source
 * mapping, the REAL ingest handler, the DynamoDB store on dynalite — and what it costs in DynamoDB write units.
 *
 *   npm run bench:pipeline -- [--minutes 60] [--volume 3] [--batch-size 10000] [--window-ms 2000] [--shards 1] [--json]
 *   npm run bench:pipeline -- --synthetic [--records 60000] [--warmup 20000] [--callers 2000] [--ids 50] …
 *
 * Traffic: by default the simulator's legitimate population (`baseline` scenario, shared/simulate), as CloudFront
 * real-time records; the first quarter warms up (creates the documents), the rest is measured: the figures are
 * for steady state, where a batch updates documents that exist. `--synthetic`: a controlled mix instead (fixed
 * endpoints, callers drawn with a heavy-tailed popularity, 80 % CloudFront lines and 20 % API Gateway lines in
 * CloudWatch Logs envelopes of 50), to see how write units follow the number of distinct callers and paths.
 * Throughput is put-to-processed on emulators (dynalite is far slower than DynamoDB): a floor, not a forecast.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { functionPath, loadFunctionModule, startLocalCloud } from '../../infra/local/cloud.js';
import { putRecords, recordsFromLines } from '../../infra/local/feed.js';
import { KinesisEventSourcePoller } from '../../infra/local/poller.js';
import { recordsOfEvents } from '../../infra/local/traffic.js';
import {
  type CapacityMeter,
  subtractBreakdowns,
  type WriteBreakdown,
} from '../../shared/adapters/dynamodb/capacity.js';
import { encodeApiGateway, encodeCloudFrontRealtime } from '../../shared/encoders/index.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { simulate } from '../../shared/simulate/simulate.js';
import { loadAverage } from './machine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repoRoot, 'bench-out');

interface Args {
  synthetic: boolean;
  minutes: number;
  volume: number;
  records: number;
  warmup: number;
  batchSize: number;
  windowMs: number;
  shards: number;
  callers: number;
  /** Distinct ids per `{id}` path segment (1: every request of an endpoint has the same path). */
  ids: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    synthetic: false,
    minutes: 60,
    volume: 3,
    records: 60_000,
    warmup: 20_000,
    batchSize: 10_000,
    windowMs: 2000,
    shards: 1,
    callers: 2000,
    ids: 50,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--synthetic') args.synthetic = true;
    else if (a === '--minutes') args.minutes = next();
    else if (a === '--volume') args.volume = next();
    else if (a === '--records') args.records = next();
    else if (a === '--warmup') args.warmup = next();
    else if (a === '--batch-size') args.batchSize = next();
    else if (a === '--window-ms') args.windowMs = next();
    else if (a === '--shards') args.shards = next();
    else if (a === '--callers') args.callers = next();
    else if (a === '--ids') args.ids = Math.max(1, next());
    else if (a === '--json') args.json = true;
    else if (a === '--') continue;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const ENDPOINTS = [
  ['GET', '/v1/users/{id}'],
  ['GET', '/v1/orders/{id}'],
  ['POST', '/v1/orders'],
  ['GET', '/v1/products'],
  ['GET', '/v1/products/{id}'],
  ['GET', '/v1/search'],
  ['POST', '/v1/login'],
  ['GET', '/health'],
  ['PUT', '/v1/cart/items/{id}'],
  ['DELETE', '/v1/cart/items/{id}'],
  ['GET', '/v1/cart'],
  ['POST', '/v1/checkout'],
] as const;

/** Deterministic pseudo-random numbers (xorshift32): the same traffic on every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function traffic(count: number, from: number, callers: number, ids: number): { cloudfront: string[]; apigw: string[] } {
  const random = rng(from + 1);
  const cloudfront: string[] = [];
  const apigw: string[] = [];
  const t0 = Date.now() - 3_600_000;
  for (let i = from; i < from + count; i++) {
    const [method, template] = ENDPOINTS[Math.floor(random() ** 2 * ENDPOINTS.length)] as readonly [string, string];
    // Heavy tail: a few callers make most requests.
    const caller = Math.floor(random() ** 3 * callers);
    const path = template.replace('{id}', String(Math.floor(random() * ids)));
    const event: ApiEvent = {
      time: t0 + i * 20,
      source: 'cloudfront-realtime',
      requestId: `bench-${i}`,
      host: 'api.example.com',
      method,
      path,
      status: random() < 0.03 ? 404 : random() < 0.01 ? 500 : 200,
      bytesOut: 200 + Math.floor(random() * 3000),
      latencyMs: 5 + Math.floor(random() * 200),
      clientIp: `10.${(caller >> 16) & 255}.${(caller >> 8) & 255}.${caller & 255}`,
      userAgent: 'bench/1.0',
      authenticated: caller % 2 === 0,
    };
    if (random() < 0.8) cloudfront.push(encodeCloudFrontRealtime(event));
    else
      apigw.push(
        encodeApiGateway({ ...event, source: 'apigw', host: 'internal.example.com', stage: 'prod', apiId: 'bench1' }),
      );
  }
  return { cloudfront, apigw };
}

type Handler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cloud = await startLocalCloud({ shards: args.shards, prefix: 'bench' });
  try {
    const mod = await loadFunctionModule(cloud, functionPath('ingest'));
    const handler = mod.handler as Handler;
    const capacity = mod.consumedCapacity as CapacityMeter;
    const poller = new KinesisEventSourcePoller(cloud.kinesis, cloud.streamName, handler, {
      batchSize: args.batchSize,
      maximumBatchingWindowMs: args.windowMs,
      pollIntervalMs: 50,
    });
    await poller.start();

    const startedAt = new Date().toISOString();
    let warmup: Uint8Array[];
    let measured: Uint8Array[];
    let warmupRecords: number;
    let measuredRecords: number;
    if (args.synthetic) {
      const records = (count: number, from: number) => {
        const lines = traffic(count, from, args.callers, args.ids);
        return [
          ...recordsFromLines('cloudfront-realtime', lines.cloudfront),
          ...recordsFromLines('apigw', lines.apigw),
        ];
      };
      warmup = records(args.warmup, 0);
      measured = records(args.records, args.warmup);
      warmupRecords = args.warmup;
      measuredRecords = args.records;
    } else {
      const { events } = simulate({
        scenario: 'baseline',
        minutes: args.minutes,
        volume: args.volume,
        attackStartMinute: 0,
      });
      const cut = Math.floor(events.length / 4);
      warmup = recordsOfEvents(events.slice(0, cut));
      measured = recordsOfEvents(events.slice(cut));
      warmupRecords = cut;
      measuredRecords = events.length - cut;
    }

    // The bytes put on the stream, as Kinesis counts them (data + partition key), of the records it accepted.
    const putBytes = { total: 0 };
    cloud.kinesis.middlewareStack.add(
      (next) => async (call) => {
        const result = await next(call);
        const input = call.input as { Records?: Array<{ Data?: Uint8Array; PartitionKey?: string }> };
        const output = result.output as { Records?: Array<{ ErrorCode?: string }> };
        if (input.Records && output.Records) {
          input.Records.forEach((record, i) => {
            if (output.Records?.[i]?.ErrorCode) return;
            putBytes.total += (record.Data?.length ?? 0) + Buffer.byteLength(record.PartitionKey ?? '', 'utf8');
          });
        }
        return result;
      },
      { step: 'initialize', name: 'benchKinesisBytes' },
    );

    const pass = async (records: readonly Uint8Array[], count: number) => {
      const before = {
        ...capacity,
        byCollection: structuredClone(capacity.byCollection),
        byKind: structuredClone(capacity.byKind),
      };
      const bytesBefore = putBytes.total;
      const invocations = poller.stats.invocations;
      const started = performance.now();
      await putRecords(cloud.kinesis, cloud.streamName, records, 4);
      const put = performance.now() - started;
      await poller.waitIdle(600_000);
      const elapsed = performance.now() - started;
      return {
        records: count,
        kinesisRecords: records.length,
        kinesisBytes: putBytes.total - bytesBefore,
        invocations: poller.stats.invocations - invocations,
        seconds: elapsed / 1000,
        putSeconds: put / 1000,
        recordsPerSecond: count / (elapsed / 1000),
        writeUnits: capacity.writeUnits - before.writeUnits,
        readUnits: capacity.readUnits - before.readUnits,
        writeRequests: capacity.writeRequests - before.writeRequests,
        byCollection: subtractBreakdowns(capacity.byCollection, before.byCollection),
        byKind: subtractBreakdowns(capacity.byKind, before.byKind),
      };
    };

    const loadBefore = loadAverage();
    if (warmupRecords > 0) await pass(warmup, warmupRecords);
    const steady = await pass(measured, measuredRecords);
    await poller.stop();
    const perThousand = (n: number) => Math.round((n * 1000 * 10) / steady.records) / 10;
    const perThousandBreakdown = (breakdown: Record<string, WriteBreakdown>) =>
      Object.fromEntries(
        Object.entries(breakdown)
          .filter(([, b]) => b.items > 0)
          .sort(([, a], [, b]) => b.writeUnits - a.writeUnits)
          .map(([name, b]) => [
            name,
            {
              writeUnitsPer1000: perThousand(b.writeUnits),
              writesPer1000: perThousand(b.items),
              createdPer1000: perThousand(b.created),
              writesByUnits: b.byUnits,
            },
          ]),
      );
    const result = {
      bench: 'pipeline',
      startedAt,
      parameters: {
        traffic: args.synthetic
          ? { synthetic: true, callers: args.callers, ids: args.ids }
          : { simulator: 'baseline', minutes: args.minutes, volume: args.volume },
        batchSize: args.batchSize,
        batchingWindowMs: args.windowMs,
        shards: args.shards,
        warmupRecords,
        measuredRecords: steady.records,
      },
      /** Log records (one per request) analysed at steady state, end to end per second of wall clock. */
      recordsPerSecond: Math.round(steady.recordsPerSecond),
      writeUnitsPer1000: perThousand(steady.writeUnits),
      readUnitsPer1000: perThousand(steady.readUnits),
      writeRequestsPer1000: perThousand(steady.writeRequests),
      kinesisBytesPer1000: Math.round((steady.kinesisBytes * 1000) / steady.records),
      writeUnitsByCollection: perThousandBreakdown(steady.byCollection),
      writeUnitsByKind: perThousandBreakdown(steady.byKind),
      steadyState: {
        records: steady.records,
        kinesisRecords: steady.kinesisRecords,
        kinesisBytes: steady.kinesisBytes,
        invocations: steady.invocations,
        seconds: Math.round(steady.seconds * 100) / 100,
        putSeconds: Math.round(steady.putSeconds * 100) / 100,
        writeUnits: steady.writeUnits,
        readUnits: steady.readUnits,
        writeRequests: steady.writeRequests,
      },
      failedInvocations: poller.stats.failedInvocations,
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'pipeline.json'), `${JSON.stringify(result, null, 2)}\n`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const lines = [
        `pipeline (kinesalite -> local event source mapping -> ingest handler -> dynalite), ${args.synthetic ? `synthetic traffic (${args.callers} callers, ${args.ids} ids per path)` : `simulated traffic (baseline, ${args.minutes} min, volume ${args.volume})`}, steady state after ${warmupRecords} records`,
        `  ${steady.records} log records in ${steady.kinesisRecords} Kinesis records, ${steady.invocations} invocations (batch ${args.batchSize}, window ${args.windowMs} ms, ${args.shards} shards); load ${result.loadAverage.before.join(' ')}`,
        `  throughput: ${result.recordsPerSecond} records/s end to end (${steady.seconds.toFixed(1)} s; put ${steady.putSeconds.toFixed(1)} s)`,
        `  Kinesis: ${result.kinesisBytesPer1000} bytes put per 1,000 records (data + partition key)`,
        `  DynamoDB: ${result.writeUnitsPer1000} write units per 1,000 records (aim < 50), ${result.readUnitsPer1000} read units, ${result.writeRequestsPer1000} write requests`,
        '  write units per 1,000 records by kind of document (writes, of which created; writes by units each):',
        ...Object.entries(result.writeUnitsByKind).map(
          ([name, b]) =>
            `    ${name.padEnd(22)} ${String(b.writeUnitsPer1000).padStart(6)}  (${b.writesPer1000} writes, ${b.createdPer1000} created; ${Object.entries(
              b.writesByUnits,
            )
              .map(([units, n]) => `${n}×${units}`)
              .join(' ')})`,
        ),
        '',
      ];
      process.stdout.write(lines.join('\n'));
    }
  } finally {
    await cloud.close();
  }
}

await main();
