/**
 * `npm run bench:faults`: the fault and load test of the local cloud (issue #9). About a million records through
 * kinesalite -> local event source mapping -> the real ingest and responder handlers -> dynalite, once without faults
 * and once with DynamoDB throttling, 500s, lost answers and partial batches, execution environments dying mid-batch,
 * redelivered batches, shards re-read from older checkpoints and two restarts of the runner; then the assertions of
 * infra/local/fault-run.ts `checkRun` on the two final states. Loopback only; bounded by `--minutes`.
 *
 *   npm run bench:faults -- [--requests 1000000] [--shards 1] [--batch-size 10000] [--seed 1] [--minutes 60] [--json]
 *   npm run bench:faults -- --reference-twice   (two fault-free runs: is the comparison itself deterministic?)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkRun,
  DEFAULT_FAULTS,
  faultTestInput,
  type RunOutcome,
  runThroughLocalCloud,
} from '../../infra/local/fault-run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Args {
  requests: number;
  shards: number;
  batchSize: number;
  seed: number;
  minutes: number;
  json: boolean;
  referenceTwice: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    requests: 1_000_000,
    shards: 1,
    batchSize: 10_000,
    seed: 1,
    minutes: 60,
    json: false,
    referenceTwice: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    if (a === '--requests') args.requests = next();
    else if (a === '--shards') args.shards = next();
    else if (a === '--batch-size') args.batchSize = next();
    else if (a === '--seed') args.seed = next();
    else if (a === '--minutes') args.minutes = next();
    else if (a === '--json') args.json = true;
    else if (a === '--reference-twice') args.referenceTwice = true;
    else if (a === '--') continue;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const rate = (records: number, ms: number) => Math.round((records * 1000) / Math.max(1, ms));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const deadline = setTimeout(() => {
    say(`bench:faults: over the ${args.minutes}-minute bound, stopping`);
    process.exit(2);
  }, args.minutes * 60_000);
  deadline.unref();

  const startedAt = new Date().toISOString();
  const loadAverage = loadavg();
  const input = faultTestInput({ requests: args.requests, seed: args.seed });
  say(
    `input: ${input.requests} requests + ${input.poison} poison records = ${input.logRecords} log records in ${input.records.length} Kinesis records`,
  );
  const common = { shards: args.shards, batchSize: args.batchSize, seed: args.seed, log: say };
  say('reference run (no faults)…');
  const reference = await runThroughLocalCloud(input, common);
  say(`  ${(reference.durationMs / 1000).toFixed(1)} s, ${rate(input.logRecords, reference.durationMs)} records/s`);
  let faulty: RunOutcome;
  if (args.referenceTwice) {
    say('second reference run (no faults)…');
    faulty = await runThroughLocalCloud(input, common);
  } else {
    say('faulty run…');
    faulty = await runThroughLocalCloud(input, { ...common, faults: DEFAULT_FAULTS });
  }
  say(`  ${(faulty.durationMs / 1000).toFixed(1)} s, ${rate(input.logRecords, faulty.durationMs)} records/s`);
  const checks = checkRun(input, faulty, reference, { shards: args.shards });
  const result = {
    bench: 'faults',
    startedAt,
    loadAverage,
    config: { ...args, faults: args.referenceTwice ? 'none (second reference)' : DEFAULT_FAULTS },
    input: {
      requests: input.requests,
      poison: input.poison,
      logRecords: input.logRecords,
      kinesisRecords: input.records.length,
    },
    reference: { seconds: reference.durationMs / 1000, recordsPerSecond: rate(input.logRecords, reference.durationMs) },
    faulty: {
      seconds: faulty.durationMs / 1000,
      recordsPerSecond: rate(input.logRecords, faulty.durationMs),
      injected: faulty.counts,
    },
    checks,
    passed: checks.every((c) => c.passed || !c.gating),
  };
  mkdirSync(path.join(repoRoot, 'bench-out'), { recursive: true });
  writeFileSync(path.join(repoRoot, 'bench-out/faults.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const c = faulty.counts;
    process.stdout.write(
      [
        `fault test: ${input.logRecords} log records (${input.poison} poison) in ${input.records.length} Kinesis records, ${args.shards} shards, batch ${args.batchSize}`,
        `  reference: ${result.reference.seconds.toFixed(1)} s (${result.reference.recordsPerSecond} records/s); faulty: ${result.faulty.seconds.toFixed(1)} s (${result.faulty.recordsPerSecond} records/s)`,
        `  DynamoDB: ${c.dynamo.requests} requests, ${c.dynamo.throttled} throttled, ${c.dynamo.serverErrors} 500s, ${c.dynamo.lostAnswers} answers lost after the write, ${c.dynamo.unprocessedBatches} partial batches (${c.dynamo.unprocessedItems} items unprocessed), ${c.dynamo.refused} refused while down`,
        `  ingest: ${c.crashes} environments crashed mid-batch, ${c.coldStarts} cold starts, ${c.invocations} invocations (${c.failedInvocations} failed), ${c.deliveredRecords} Kinesis records delivered`,
        `  delivery: ${c.redeliveredBatches} batches redelivered, ${c.rewinds} rewinds to an older checkpoint, ${c.restarts} runner restarts; responder ${c.responderInvocations} invocations; ${c.discarded} records given up on; ${c.republished} findings republished by reconciliation (reference: ${reference.counts.republished})`,
        ...checks.map((k) => `  ${k.passed ? 'PASS' : k.gating ? 'FAIL' : 'NOTE'} ${k.name}: ${k.detail}`),
        '',
      ].join('\n'),
    );
  }
  process.exitCode = result.passed ? 0 : 1;
}

await main();
