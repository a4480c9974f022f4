/**
 * `npm run bench:analyze`: `lantern analyze` end to end — read, decode, discover, baseline, detect, report — per
 * input format, each in a child process (one core: the engine is single-threaded), with the child's peak resident
 * memory and CPU time as the kernel counts them; then large CloudFront real-time files for the memory at scale.
 * Files are generated as a stream beforehand, so generating ten million records does not itself need the memory.
 * Figures go to stdout and to bench-out/analyze.json (rewritten after each run, so a stopped run keeps what it measured).
 *
 *   npm run bench:analyze -- [--records 250000] [--large 1000000,10000000] [--formats alb,cwl] [--out FILE]
 *                            [--node-flags "--max-old-space-size=1024"]
 *
 * `--large 0` skips the large runs, `--records 0` the runs per format. At ~10k records/s the default takes about
 * 25 minutes, the 10M-record run most of it; each large run prints its estimate from the rate of the one before.
 * `--node-flags` are given to node in each child: the peak resident memory follows how far V8 lets its heap grow
 * between collections (about three times the live heap here) as much as what the engine keeps, and a heap limit
 * shows the second apart from the first (bench/hot-path.md, memory).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { LOG_FORMATS, type LogFormat } from '../../shared/decoders/decoder.js';
import { writeLogFile } from './log-file.js';
import { loadAverage } from './machine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'infra/cli/bin.mjs');

export interface AnalyzeFigure {
  format: LogFormat;
  records: number;
  fileMiB: number;
  /** Wall clock of the whole child process, start-up and report included. */
  seconds: number;
  recordsPerSecond: number;
  /** User + system CPU time of the child: the figure least skewed by other work on a shared machine. */
  cpuSeconds: number;
  recordsPerCpuSecond: number;
  peakRssMiB: number;
  endpoints: number;
  /** Distinct callers: what the in-memory state grows with (bounded per caller), unlike records. */
  entities: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  /** Flags node ran the child with, when any. */
  nodeFlags?: string[];
}

export interface AnalyzeResults {
  bench: 'analyze';
  startedAt: string;
  perFormat: AnalyzeFigure[];
  /** The large runs, smallest first. */
  large: AnalyzeFigure[];
}

/** Generates `records` records in `format` under `dir`, runs `lantern analyze` over them, deletes the file. */
export async function measureAnalyze(
  format: LogFormat,
  records: number,
  dir: string,
  nodeFlags: readonly string[] = [],
): Promise<AnalyzeFigure> {
  const file = path.join(dir, `analyze-${format}-${records}.log`);
  await writeLogFile(format, file, records, 11);
  try {
    const fileMiB = Math.round((statSync(file).size / 2 ** 20) * 10) / 10;
    const start = loadAverage();
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [...nodeFlags, bin, 'analyze', '--quiet', '--json', '--format', format, file],
      {
        env: { ...process.env, LANTERN_REPORT_PEAK_RSS: '1' },
        maxBuffer: 1 << 30,
        encoding: 'utf8',
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (child.status !== 0)
      throw new Error(`lantern analyze failed (${child.status ?? child.signal}): ${child.stderr}`);
    const peakKib = Number(/peak-rss-kib: (\d+)/.exec(child.stderr)?.[1]);
    const cpuMicros = Number(/cpu-us: (\d+)/.exec(child.stderr)?.[1]);
    if (!(peakKib > 0 && cpuMicros > 0))
      throw new Error(`lantern analyze did not report its resource use: ${child.stderr}`);
    const report = JSON.parse(child.stdout) as {
      summary: { records: number; rejected: number; endpoints: number; entities: number };
    };
    if (report.summary.records !== records || report.summary.rejected !== 0)
      throw new Error(
        `expected ${records} records, none rejected; the report says ${report.summary.records} (${report.summary.rejected} rejected)`,
      );
    const cpuSeconds = cpuMicros / 1e6;
    return {
      format,
      records,
      fileMiB,
      seconds: Math.round(seconds * 10) / 10,
      recordsPerSecond: Math.round(records / seconds),
      cpuSeconds: Math.round(cpuSeconds * 10) / 10,
      recordsPerCpuSecond: Math.round(records / cpuSeconds),
      peakRssMiB: Math.round(peakKib / 1024),
      endpoints: report.summary.endpoints,
      entities: report.summary.entities,
      loadAverage: { start, end: loadAverage() },
      ...(nodeFlags.length > 0 ? { nodeFlags: [...nodeFlags] } : {}),
    };
  } finally {
    rmSync(file, { force: true });
  }
}

function describe(figure: AnalyzeFigure): string {
  return `${figure.format.padEnd(20)} ${figure.records.toLocaleString('en-US').padStart(10)} records ${String(figure.fileMiB).padStart(7)} MiB  ${figure.recordsPerSecond.toLocaleString('en-US').padStart(7)} records/s  ${figure.recordsPerCpuSecond.toLocaleString('en-US').padStart(7)} per CPU second  peak RSS ${figure.peakRssMiB} MiB  (${figure.endpoints} endpoints, ${figure.entities} callers, load ${figure.loadAverage.start.join(' ')}${figure.nodeFlags ? `, node ${figure.nodeFlags.join(' ')}` : ''})`;
}

function wholeNumber(text: string, option: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${option} needs a whole number of at least ${min}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '250000' },
      large: { type: 'string', default: '1000000,10000000' },
      formats: { type: 'string', default: LOG_FORMATS.join(',') },
      out: { type: 'string', default: path.join(repoRoot, 'bench-out/analyze.json') },
      'node-flags': { type: 'string', default: '' },
    },
  });
  const records = wholeNumber(values.records, 'records', 0);
  const large = values.large
    .split(',')
    .map((n) => wholeNumber(n.trim(), 'large', 0))
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
  const formats = values.formats.split(',').map((f) => f.trim()) as LogFormat[];
  const unknown = formats.filter((f) => !LOG_FORMATS.includes(f));
  if (unknown.length > 0) throw new Error(`unknown --formats ${unknown.join(', ')}: use ${LOG_FORMATS.join(', ')}`);
  const dir = path.dirname(values.out);
  mkdirSync(dir, { recursive: true });
  const results: AnalyzeResults = { bench: 'analyze', startedAt: new Date().toISOString(), perFormat: [], large: [] };
  const save = () => writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);

  if (records > 0)
    console.log(
      `lantern analyze end to end, ${records.toLocaleString('en-US')} records per format, one child process each`,
    );
  for (const format of records > 0 ? formats : []) {
    const figure = await measureAnalyze(format, records, dir, nodeFlags);
    results.perFormat.push(figure);
    save();
    console.log(`  ${describe(figure)}`);
  }
  const format: LogFormat = 'cloudfront-realtime';
  for (const count of large) {
    const known = results.large.at(-1) ?? results.perFormat.find((f) => f.format === format);
    const estimate = known
      ? `, about ${Math.ceil((known.seconds * count) / known.records / 60)} min at the rate of ${known.records.toLocaleString('en-US')}`
      : '';
    console.log(`\nlantern analyze on ${count.toLocaleString('en-US')} ${format} records${estimate}`);
    const figure = await measureAnalyze(format, count, dir, nodeFlags);
    results.large.push(figure);
    save();
    console.log(`  ${describe(figure)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
