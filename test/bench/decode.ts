/**
 * `npm run bench:decode`: decode throughput per log format on one core. Each format's generated file is read from
 * disk; only the decoding is timed (wall clock, and the process's CPU time, which the other users of a shared
 * machine do not inflate). Figures go to stdout and to bench-out/decode.json.
 *
 *   npm run bench:decode -- [--records 1000000]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { listInputs, readLines } from '../../shared/adapters/files/log-files.js';
import { LIMITS, LOG_FORMATS, type LogFormat } from '../../shared/decoders/decoder.js';
import { createLineDecoder } from '../../shared/decoders/index.js';
import { writeLogFile } from './log-file.js';
import { loadAverage } from './machine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(repoRoot, 'bench-out');

export interface DecodeFigure {
  format: LogFormat;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  cpuSeconds: number;
  recordsPerCpuSecond: number;
  rejected: number;
  loadAverage: [number, number, number];
}

/** Generates `count` records in `format` under `dir`, decodes them, deletes the file. */
export async function benchDecode(format: LogFormat, count: number, dir = outDir): Promise<DecodeFigure> {
  const file = path.join(dir, `decode-${format}.log`);
  await writeLogFile(format, file, count);
  const load = loadAverage();
  const [input] = await listInputs([file]);
  const decode = createLineDecoder(format);
  let records = 0;
  let rejected = 0;
  let elapsed = 0n;
  let cpuMicros = 0;
  for await (const chunk of readLines(input!, { maxLineBytes: LIMITS.maxLineBytes })) {
    const cpu = process.cpuUsage();
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
    const spent = process.cpuUsage(cpu);
    cpuMicros += spent.user + spent.system;
  }
  rmSync(file);
  const seconds = Number(elapsed) / 1e9;
  const cpuSeconds = cpuMicros / 1e6;
  return {
    format,
    records,
    seconds: Math.round(seconds * 100) / 100,
    recordsPerSecond: Math.round(records / seconds),
    cpuSeconds: Math.round(cpuSeconds * 100) / 100,
    recordsPerCpuSecond: Math.round(records / cpuSeconds),
    rejected,
    loadAverage: load,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { records: { type: 'string', default: process.env.BENCH_RECORDS ?? '1000000' } },
  });
  const count = Number(values.records);
  if (!Number.isInteger(count) || count <= 0) throw new Error('--records needs a positive whole number');
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const decode: DecodeFigure[] = [];
  console.log(
    `Decode throughput on a generated file of ${count.toLocaleString('en-US')} records per format, one core (decoding timed, reading not)`,
  );
  for (const format of LOG_FORMATS) {
    const figure = await benchDecode(format, count);
    decode.push(figure);
    console.log(
      `  ${format.padEnd(20)} ${figure.recordsPerSecond.toLocaleString('en-US').padStart(10)} records/s  ${figure.recordsPerCpuSecond.toLocaleString('en-US').padStart(10)} per CPU second  (${figure.seconds.toFixed(2)} s, rejected ${figure.rejected}, load ${figure.loadAverage.join(' ')})`,
    );
  }
  writeFileSync(
    path.join(outDir, 'decode.json'),
    `${JSON.stringify({ bench: 'decode', startedAt, decode }, null, 2)}\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
