/**
 * `npm run bench` (decode part): decode throughput per log format on one core, and the peak memory of
 * `lantern analyze` on a generated CloudFront real-time file of 1M records (and of 250k, to show that memory
 * does not grow with file size). Figures go to stdout as a table and to bench-out/decode.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listInputs, readLines } from '../../shared/adapters/files/log-files.js';
import { LIMITS, type LogFormat } from '../../shared/decoders/decoder.js';
import { createLineDecoder } from '../../shared/decoders/index.js';
import {
  encodeApiGateway,
  encodeCwlEnvelopeBase64,
  encodeLine,
  w3cHeaderLines,
} from '../../shared/encoders/index.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { benchTraffic } from './traffic.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repoRoot, 'bench-out');
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const CHUNK = 100_000;
const CWL_EVENTS_PER_ENVELOPE = 50;

function encodeChunk(format: LogFormat, events: ApiEvent[]): string[] {
  switch (format) {
    case 'cwl': {
      const lines: string[] = [];
      for (let i = 0; i < events.length; i += CWL_EVENTS_PER_ENVELOPE) {
        const group = events.slice(i, i + CWL_EVENTS_PER_ENVELOPE);
        lines.push(
          encodeCwlEnvelopeBase64({
            logGroup: 'API-Gateway-Execution-Logs_bench/prod',
            logStream: 'bench',
            logEvents: group.map((e) => ({ timestamp: e.time, message: encodeApiGateway({ ...e, source: 'apigw' }) })),
          }),
        );
      }
      return lines;
    }
    default:
      return events.map((e) => encodeLine({ ...e, source: format }, format));
  }
}

interface DecodeFigure {
  format: LogFormat;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  rejected: number;
}

/** Writes a generated log file of `count` records in `format` (CWL: 50 log events per envelope line). */
async function writeLogFile(format: LogFormat, file: string, count: number, seed = 7): Promise<void> {
  const out = createWriteStream(file);
  if (format === 'cloudfront-standard') out.write(`${w3cHeaderLines().join('\n')}\n`);
  const traffic = benchTraffic(count, seed);
  for (let done = 0; done < count; done += CHUNK) {
    const events: ApiEvent[] = [];
    for (let i = 0; i < CHUNK && done + i < count; i++) events.push(traffic.next().value as ApiEvent);
    if (!out.write(`${encodeChunk(format, events).join('\n')}\n`))
      await new Promise((resolve) => out.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** Decode throughput on a generated file: lines are read from disk, only the decoding is timed. */
async function benchDecode(format: LogFormat): Promise<DecodeFigure> {
  const file = path.join(outDir, `decode-${format}.log`);
  await writeLogFile(format, file, RECORDS);
  const [input] = await listInputs([file]);
  const decode = createLineDecoder(format);
  let records = 0;
  let rejected = 0;
  let elapsed = 0n;
  for await (const chunk of readLines(input!, { maxLineBytes: LIMITS.maxLineBytes })) {
    const started = process.hrtime.bigint();
    for (const line of chunk.lines) {
      const result = decode(line);
      if (result.kind !== 'records') continue;
      for (const outcome of result.outcomes) {
        records++;
        if (!outcome.ok) rejected++;
      }
    }
    elapsed += process.hrtime.bigint() - started;
  }
  rmSync(file);
  const seconds = Number(elapsed) / 1e9;
  return { format, records, seconds, recordsPerSecond: Math.round(records / seconds), rejected };
}

interface AnalyzeFigure {
  records: number;
  fileMiB: number;
  seconds: number;
  recordsPerSecond: number;
  peakRssMiB: number;
  endpoints: number;
  /** Distinct callers: what the in-memory state grows with (bounded per caller), unlike records. */
  entities: number;
}

function benchAnalyze(file: string, records: number): AnalyzeFigure {
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'infra/cli/bin.mjs'), 'analyze', '--quiet', '--json', file],
    { env: { ...process.env, LANTERN_REPORT_PEAK_RSS: '1' }, maxBuffer: 1 << 30, encoding: 'utf8' },
  );
  const seconds = (Date.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`lantern analyze failed (${child.status}): ${child.stderr}`);
  const peak = /peak-rss-kib: (\d+)/.exec(child.stderr);
  const report = JSON.parse(child.stdout) as { summary: { records: number; endpoints: number; entities: number } };
  if (report.summary.records !== records)
    throw new Error(`expected ${records} records, report says ${report.summary.records}`);
  return {
    records,
    fileMiB: Math.round(statSync(file).size / 2 ** 20),
    seconds,
    recordsPerSecond: Math.round(records / seconds),
    peakRssMiB: peak ? Math.round(Number(peak[1]) / 1024) : -1,
    endpoints: report.summary.endpoints,
    entities: report.summary.entities,
  };
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const formats: LogFormat[] = ['cloudfront-realtime', 'cloudfront-standard', 'apigw', 'cwl', 'alb'];
  const decode: DecodeFigure[] = [];
  console.log(
    `Decode throughput on a generated file of ${RECORDS.toLocaleString('en-US')} records per format, one core (decoding timed, reading not)`,
  );
  for (const format of formats) {
    const figure = await benchDecode(format);
    decode.push(figure);
    console.log(
      `  ${format.padEnd(20)} ${figure.recordsPerSecond.toLocaleString('en-US').padStart(10)} records/s  (${figure.seconds.toFixed(2)} s, rejected ${figure.rejected})`,
    );
  }

  const analyze: AnalyzeFigure[] = [];
  console.log('\nlantern analyze end to end on a CloudFront real-time file (separate process)');
  for (const count of [Math.round(RECORDS / 4), RECORDS]) {
    const file = path.join(outDir, `cloudfront-realtime-${count}.log`);
    await writeLogFile('cloudfront-realtime', file, count, 11);
    const figure = benchAnalyze(file, count);
    analyze.push(figure);
    console.log(
      `  ${count.toLocaleString('en-US').padStart(9)} records  ${String(figure.fileMiB).padStart(4)} MiB  ${figure.recordsPerSecond.toLocaleString('en-US').padStart(8)} records/s  peak RSS ${figure.peakRssMiB} MiB  (${figure.endpoints} endpoints, ${figure.entities} callers)`,
    );
  }
  writeFileSync(path.join(outDir, 'decode.json'), `${JSON.stringify({ decode, analyze }, null, 2)}\n`);
}

await main();
