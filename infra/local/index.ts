/**
 * `npm start` / `lantern start`: Lantern's serverless pipeline on this machine. Starts the local cloud (dynalite,
 * kinesalite), the real ingest and sweeper handlers behind a local Kinesis event source mapping, feeds the stream
 * (the user's log files, or the simulator's traffic), shows progress, and runs until Ctrl-C or `minutes`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, ScheduledEvent } from 'aws-lambda';
import { INGEST_EVENT_SOURCE_MAPPING } from '../../functions/ingest/mapping.js';
import type { CapacityMeter } from '../../shared/adapters/dynamodb/capacity.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { countDocuments } from '../../shared/adapters/dynamodb/sweep.js';
import { loadRunStats } from '../../shared/engine/analyze.js';
import { buildReport, type Report } from '../../shared/engine/report.js';
import type { ScenarioName } from '../../shared/simulate/simulate.js';
import { localDocumentClient } from './clients.js';
import { functionPath, type LocalCloud, loadFunctionModule, loadHandler, startLocalCloud } from './cloud.js';
import { putRecords, replayFiles } from './feed.js';
import { type EventSourceMappingOptions, KinesisEventSourcePoller } from './poller.js';
import { simulatedTraffic } from './traffic.js';

/** Puts records on the stream until done or aborted (the simulator plugs in here). */
export type TrafficSource = (
  put: (records: readonly Uint8Array[]) => Promise<void>,
  signal: AbortSignal,
) => Promise<void>;

export interface StartLocalOptions {
  /** Stop after this many minutes (fractions allowed). Default: run until Ctrl-C (or `signal`). */
  minutes?: number;
  /** Replay these log files or directories (CloudFront real-time lines, API Gateway JSON lines, CWL envelopes). */
  logs?: string[];
  /** Traffic to feed instead of `logs`. Default: the simulator's `mixed` scenario (seed 1, 90 simulated minutes). */
  traffic?: TrafficSource;
  /** Simulator scenario and seed for the default traffic. */
  scenario?: ScenarioName;
  seed?: number;
  /** Keep the local cloud's state in this directory (default: memory, gone on exit). */
  dataDir?: string;
  /** CloudFront real-time log field list of the replayed files (default: Lantern's recommended set). */
  fields?: string[];
  /** API Gateway APIs only reachable through CloudFront. */
  behindCloudFront?: boolean;
  /** Log stream shards (default 1: one ordered stream, as `lantern analyze` reads the same logs; more shards run invocations concurrently). */
  shards?: number;
  /** Event source mapping (default: the stack's, functions/ingest/mapping.ts, with a 2 s window and 3 retries). */
  mapping?: EventSourceMappingOptions;
  /** Run the sweeper every this many ms (default 60,000). */
  sweepEveryMs?: number;
  /** Progress and messages (default: stderr). */
  out?: NodeJS.WritableStream;
  /** Stop when aborted (besides Ctrl-C and `minutes`). */
  signal?: AbortSignal;
  /** Stop as soon as the traffic has been fed and every record processed (default: keep running). */
  exitWhenDone?: boolean;
  /** Handle SIGINT/SIGTERM (default true; tests turn it off). */
  handleSignals?: boolean;
  /**
   * Run the responder on the findings stream (default true when functions/responder exists), with the local
   * enforcer (records what it would block, touches nothing) in this mode (default `monitor`).
   */
  respond?: boolean;
  responseMode?: 'monitor' | 'enforce';
  /** Serve the console over the local state (default true) and print its URL with its access token. */
  console?: boolean;
}

export interface LocalRunResult {
  report: Report;
  /** Records delivered to the ingest function (retries included). */
  delivered: number;
  durationMs: number;
  /** DynamoDB units the ingest function consumed. */
  writeUnits: number;
  readUnits: number;
  failedInvocations: number;
  /** Records the mapping gave up on (on-failure destination). */
  discarded: number;
  /** Finding events the ingest function published on the findings stream. */
  findingsPublished: number;
  /** Finding events the responder received, retries included (0 when it did not run). */
  findingEvents: number;
}

type IngestHandler = (event: KinesisStreamEvent, context: Context) => Promise<KinesisStreamBatchResponse>;
type SweepHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

export async function startLocal(options: StartLocalOptions = {}): Promise<LocalRunResult> {
  const out = options.out ?? process.stderr;
  const say = (line = '') => out.write(`${line}\n`);
  const started = Date.now();
  const stop = new AbortController();
  const stopOn = (signal: AbortSignal | undefined) =>
    signal?.addEventListener('abort', () => stop.abort(), { once: true });
  stopOn(options.signal);

  const fields = options.fields;
  const logs = options.logs ?? [];
  let traffic = options.traffic;
  if (!traffic && logs.length === 0) {
    const simulated = simulatedTraffic({
      ...(options.scenario ? { scenario: options.scenario } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    say(
      `Traffic: the simulator, scenario ${options.scenario ?? 'mixed'}, seed ${options.seed ?? 1} (${simulated.events} requests). Your own logs: --logs PATH.`,
    );
    traffic = simulated;
  }

  const cloud = await startLocalCloud({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    shards: options.shards ?? 1,
  });
  let poller: KinesisEventSourcePoller | undefined;
  let responder: KinesisEventSourcePoller | undefined;
  let consoleServer: { close(): Promise<void> } | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    say('\nStopping (Ctrl-C again to quit at once)…');
    stop.abort();
  };
  if (options.handleSignals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const env: Record<string, string> = { LANTERN_FINDINGS_STREAM: cloud.findingsStreamName };
    if (fields) env.LANTERN_CLOUDFRONT_FIELDS = fields.join(',');
    if (options.behindCloudFront) env.LANTERN_APIGW_BEHIND_CLOUDFRONT = 'true';
    const ingestModule = await loadFunctionModule(cloud, functionPath('ingest'), env);
    const ingest = ingestModule.handler as IngestHandler;
    const capacity = ingestModule.consumedCapacity as CapacityMeter | undefined;
    const sweep = await loadHandler<SweepHandler>(cloud, functionPath('sweeper'));

    const discarded: string[] = [];
    poller = new KinesisEventSourcePoller(cloud.kinesis, cloud.streamName, ingest, {
      // The stack's mapping, with a shorter window and fewer retries: a local run should show progress promptly.
      batchSize: INGEST_EVENT_SOURCE_MAPPING.batchSize,
      maximumBatchingWindowMs: 2000,
      bisectBatchOnFunctionError: INGEST_EVENT_SOURCE_MAPPING.bisectBatchOnFunctionError,
      reportBatchItemFailures: INGEST_EVENT_SOURCE_MAPPING.reportBatchItemFailures,
      startingPosition: INGEST_EVENT_SOURCE_MAPPING.startingPosition,
      maximumRetryAttempts: 3,
      ...(options.dataDir ? { checkpointFile: path.join(options.dataDir, 'checkpoints.json') } : {}),
      onFailure: (f) => discarded.push(`${f.records.length} records of ${f.shardId}: ${f.reason}`),
      ...options.mapping,
    });
    await poller.start();
    if (options.respond ?? true) responder = await startResponder(cloud, options.responseMode ?? 'monitor', say);
    writeRunningState(cloud, options.dataDir);
    printWhereToLook(say, cloud, options.dataDir);
    if (options.console ?? true) {
      const { startLocalConsole } = await import('../console/local.js');
      consoleServer = await startLocalConsole({
        store: cloud.store(),
        mode: options.responseMode ?? 'monitor',
        log: (line) => say(line),
      });
      say();
    }

    const sweepEvery = options.sweepEveryMs ?? 60_000;
    sweepTimer = setInterval(() => {
      sweep({} as ScheduledEvent, { functionName: 'lantern-sweeper' } as Context).catch((error: unknown) =>
        say(`sweeper failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, sweepEvery);

    const progress = startProgress(say, out, cloud, poller, capacity);
    progressTimer = progress.timer;

    if (options.minutes !== undefined) {
      const timer = setTimeout(() => stop.abort(), options.minutes * 60_000);
      stop.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }

    const until = options.exitWhenDone
      ? 'Stops once every record is processed.'
      : `Still running: ${options.minutes !== undefined ? `stops after ${options.minutes} min` : 'Ctrl-C to stop'}.`;
    const feeding = (async () => {
      if (traffic) {
        let put = 0;
        await traffic(async (records) => {
          await putRecords(cloud.kinesis, cloud.streamName, records);
          put += records.length;
        }, stop.signal);
        if (!stop.signal.aborted) say(`Put ${put} Kinesis records on the stream. ${until}`);
        return;
      }
      if (logs.length === 0) return;
      const total = await replayFiles(cloud.kinesis, cloud.streamName, logs, {
        ...(fields ? { realtimeFields: fields } : {}),
        shouldStop: () => stop.signal.aborted,
        onFile: (p) =>
          say(
            p.skipped
              ? `  skipped ${path.relative(process.cwd(), p.file)}: ${p.skipped}`
              : `  replayed ${path.relative(process.cwd(), p.file)}: ${p.lines} lines as ${p.records} records (${p.format})`,
          ),
      });
      say(`Replayed ${total.lines} lines as ${total.records} Kinesis records. ${until}`);
    })();
    await Promise.race([
      feeding,
      new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true })),
    ]);
    await feeding.catch((error: unknown) =>
      say(`feeding the stream failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    if (options.exitWhenDone && !stop.signal.aborted)
      await poller
        .waitIdle(options.minutes !== undefined ? options.minutes * 60_000 : 3_600_000)
        .catch(() => undefined);
    else if (!stop.signal.aborted)
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));

    // Deliver what is already on the stream before stopping (bounded).
    await poller.waitIdle(15_000).catch(() => say('(stopping with records still on the stream)'));
    await poller.stop();
    await responder?.waitIdle(10_000).catch(() => say('(stopping with finding events not yet answered)'));
    await responder?.stop();
    clearInterval(progressTimer);
    progress.tick();

    const report = await buildReport(cloud.store());
    const result: LocalRunResult = {
      report,
      delivered: poller.stats.records,
      durationMs: Date.now() - started,
      writeUnits: capacity?.writeUnits ?? 0,
      readUnits: capacity?.readUnits ?? 0,
      failedInvocations: poller.stats.failedInvocations,
      discarded: poller.stats.discardedRecords,
      findingsPublished: await countStreamRecords(cloud.kinesis, cloud.findingsStreamName),
      findingEvents: responder?.stats.records ?? 0,
    };
    printSummary(say, result, discarded, options.dataDir);
    return result;
  } finally {
    clearInterval(sweepTimer);
    clearInterval(progressTimer);
    if (options.handleSignals ?? true) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await poller?.stop();
    await responder?.stop();
    await consoleServer?.close();
    removeRunningState(options.dataDir);
    await cloud.close();
  }
}

/**
 * The responder (another engineer's function) on the findings stream, if it is there and starts: the local enforcer
 * records decisions without touching any edge. A responder that cannot start does not stop the local cloud.
 */
async function startResponder(
  cloud: LocalCloud,
  mode: 'monitor' | 'enforce',
  say: (line?: string) => void,
): Promise<KinesisEventSourcePoller | undefined> {
  const modulePath = functionPath('responder');
  if (!existsSync(modulePath)) return undefined;
  try {
    const handler = await loadHandler<IngestHandler>(cloud, modulePath, 'handler', {
      LANTERN_ENFORCER: 'local',
      LANTERN_RESPONSE_MODE: mode,
    });
    const responder = new KinesisEventSourcePoller(cloud.kinesis, cloud.findingsStreamName, handler, {
      functionName: 'lantern-responder',
      batchSize: 100,
      maximumBatchingWindowMs: 500,
      onFailure: (f) => say(`responder gave up on ${f.records.length} finding events: ${f.reason}`),
    });
    await responder.start();
    return responder;
  } catch (error: unknown) {
    say(`(responder not started: ${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** Records on a stream (all shards, from the start): the emulator keeps them all for the run. */
async function countStreamRecords(kinesis: KinesisClient, streamName: string): Promise<number> {
  const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: streamName }));
  let count = 0;
  for (const shard of StreamDescription?.Shards ?? []) {
    let iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      count += page.Records?.length ?? 0;
      if (!page.Records?.length || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return count;
}

/** Where a running local cloud says where it is (so that `lantern status` can read its tables). */
export function runningStatePath(dataDir?: string): string {
  return dataDir
    ? path.join(dataDir, 'local-cloud.json')
    : path.join(tmpdir(), `lantern-local-${process.getuid?.() ?? 'user'}.json`);
}

export interface RunningLocalCloud {
  pid: number;
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  tableName: string;
  streamName: string;
  startedAt: string;
}

function writeRunningState(cloud: LocalCloud, dataDir: string | undefined): void {
  const state: RunningLocalCloud = {
    pid: process.pid,
    dynamoEndpoint: cloud.dynamoEndpoint,
    kinesisEndpoint: cloud.kinesisEndpoint,
    tableName: cloud.tableName,
    streamName: cloud.streamName,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(runningStatePath(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

function removeRunningState(dataDir: string | undefined): void {
  const file = runningStatePath(dataDir);
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as RunningLocalCloud;
    if (state.pid === process.pid) rmSync(file);
  } catch {
    // nothing to remove
  }
}

/** The running local cloud announced for `dataDir` (or the default one), if its process is alive. */
export function findRunningLocalCloud(dataDir?: string): RunningLocalCloud | undefined {
  const file = runningStatePath(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as RunningLocalCloud;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}

export class NoLocalStateError extends Error {
  override name = 'NoLocalStateError';
}

/**
 * The report of the local state (`lantern status`): from the running local cloud if there is one, else from the
 * tables kept in `dataDir`.
 */
export async function localReport(options: { dataDir?: string } = {}): Promise<{ report: Report; from: string }> {
  const running = findRunningLocalCloud(options.dataDir);
  if (running) {
    const client = localDocumentClient(running.dynamoEndpoint);
    try {
      const report = await buildReport(createDynamoDbStore({ client, tableName: running.tableName }));
      return { report, from: `the local cloud running as process ${running.pid} (${running.dynamoEndpoint})` };
    } finally {
      client.destroy();
    }
  }
  if (!options.dataDir)
    throw new NoLocalStateError(
      'no local cloud is running: start one with `npm start`, or name the state it kept with --data-dir DIR',
    );
  if (!existsSync(path.join(options.dataDir, 'dynamodb')))
    throw new NoLocalStateError(
      `${options.dataDir} holds no local state (run \`npm start -- --data-dir ${options.dataDir}\` first)`,
    );
  const cloud = await startLocalCloud({ dataDir: options.dataDir, shards: 1 });
  try {
    return { report: await buildReport(cloud.store()), from: `the state kept in ${options.dataDir}` };
  } finally {
    await cloud.close();
  }
}

function printWhereToLook(say: (l?: string) => void, cloud: LocalCloud, dataDir: string | undefined): void {
  say('Lantern local cloud is up (the same handlers as in AWS, on emulators):');
  say(`  Kinesis   (kinesalite) ${cloud.kinesisEndpoint}  stream ${cloud.streamName}`);
  say(`  DynamoDB  (dynalite)   ${cloud.dynamoEndpoint}  table ${cloud.tableName}`);
  say(
    `  State: ${dataDir ? `on disk in ${dataDir}${cloud.persistent.kinesis ? '' : ' (DynamoDB only: the stream is in memory)'}` : 'in memory (use --data-dir DIR to keep it)'}`,
  );
  say('  Look inside while it runs:');
  say(`    aws dynamodb scan --endpoint-url ${cloud.dynamoEndpoint} --table-name ${cloud.tableName} --max-items 5`);
  say(
    `    aws kinesis put-record --endpoint-url ${cloud.kinesisEndpoint} --stream-name ${cloud.streamName} --partition-key k --cli-binary-format raw-in-base64-out --data "$(head -1 YOUR-CLOUDFRONT-REALTIME.log)"`,
  );
  say();
}

function startProgress(
  say: (l?: string) => void,
  out: NodeJS.WritableStream,
  cloud: LocalCloud,
  poller: KinesisEventSourcePoller,
  capacity: CapacityMeter | undefined,
): { timer: NodeJS.Timeout; tick: () => void } {
  const store = cloud.store();
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  let last = { at: Date.now(), records: 0 };
  let lastLine = '';
  let busy = false;
  const table = { client: cloud.documents, tableName: cloud.tableName };
  const count = (collection: 'endpoints' | 'findings') => countDocuments(table, collection);
  const tick = () => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const run = await loadRunStats(store);
        const records = run?.records ?? 0;
        const now = Date.now();
        const rate = ((records - last.records) * 1000) / Math.max(1, now - last.at);
        last = { at: now, records };
        const wcu =
          capacity && records > 0 ? ` · ${((capacity.writeUnits * 1000) / records).toFixed(1)} WCU/1k records` : '';
        const line = `  ${records.toLocaleString('en-US')} records (${Math.round(rate).toLocaleString('en-US')}/s) · ${await count('endpoints')} endpoints · ${await count('findings')} findings · ${run?.rejected ?? 0} rejected${wcu}${poller.stats.failedInvocations ? ` · ${poller.stats.failedInvocations} failed invocations` : ''}`;
        if (tty) out.write(`\r${line.padEnd(lastLine.length)}`);
        else if (line !== lastLine) say(line);
        lastLine = line;
      } catch {
        // progress is best effort
      } finally {
        busy = false;
      }
    })();
  };
  return { timer: setInterval(tick, tty ? 1000 : 5000), tick };
}

function printSummary(
  say: (l?: string) => void,
  r: LocalRunResult,
  discarded: readonly string[],
  dataDir: string | undefined,
): void {
  const s = r.report.summary;
  say();
  say(
    `Done after ${(r.durationMs / 1000).toFixed(0)} s: ${s.records} records (${s.analysed} analysed, ${s.rejected} rejected), ${s.endpoints} endpoints, ${s.entities} callers, ${s.findings} findings.`,
  );
  if (s.records > 0)
    say(
      `DynamoDB: ${r.writeUnits} write units (${((r.writeUnits * 1000) / s.records).toFixed(1)} per 1,000 records), ${r.readUnits} read units.`,
    );
  for (const e of r.report.endpoints.slice(0, 10))
    say(`  ${String(e.requests).padStart(7)}  ${e.method.padEnd(6)} ${e.host}${e.path}`);
  if (r.report.endpoints.length > 10) say(`  … and ${r.report.endpoints.length - 10} more`);
  for (const f of r.report.findings.slice(0, 10)) say(`  [${f.severity}] ${f.summary}`);
  if (r.findingsPublished > 0) {
    say(
      `${r.findingsPublished} finding events published on the findings stream${r.findingEvents > 0 ? `, ${r.findingEvents} delivered to the responder (local enforcer: nothing was blocked for real)` : ''}.`,
    );
  }
  for (const d of discarded) say(`  gave up on ${d}`);
  say();
  say(
    dataDir
      ? `State kept in ${dataDir}: run again with the same --data-dir to continue.`
      : 'State was in memory. Next: `lantern analyze PATH` for a one-off report, or `--data-dir DIR` to keep the local state.',
  );
}
