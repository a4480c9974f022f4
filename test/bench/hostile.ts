/**
 * `npm run bench:hostile`: the long version of the hostile-input tests (test/unit/hostile). `lantern analyze` runs
 * in a child process on each adversarial file, with the child's peak resident memory and CPU time as the kernel
 * counts them:
 *
 * - random paths: N distinct random paths on one host (a scanner or a path flood): endpoints must stay bounded by
 *   the templater's per-host budget, the excess counted as overflow, memory flat;
 * - gzip bombs: a file of zeros and a file of newlines, each inflating to `--bomb-gib` GiB, and CloudWatch Logs
 *   records that each inflate past the envelope cap: cut and rejected, memory flat, time bounded;
 * - 1 MiB fields: `--huge-lines` lines of 1 MiB between good lines: each dropped as it streams past.
 *
 * Then every line class of the corpus through every decoder, tallied by outcome (the table in the report).
 * Figures go to stdout and to bench-out/hostile.json (rewritten after each run).
 *
 *   npm run bench:hostile -- [--paths 1000000] [--bomb-gib 1] [--huge-lines 1000] [--cwl-bombs 200] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { decodeLine } from '../../shared/decoders/index.js';
import { encodeLine } from '../../shared/encoders/index.js';
import type { Report } from '../../shared/engine/report.js';
import { Random } from '../../shared/simulate/prng.js';
import {
  baseEvent,
  envelope,
  goodLine,
  gzipBombOfZeros,
  hostileCorpus,
  rawLine,
  writeStream,
} from '../unit/hostile/corpus.js';
import { loadAverage, machineFacts } from './machine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repoRoot, 'infra/cli/bin.mjs');

export interface HostileFigure {
  run: string;
  fileMiB: number;
  seconds: number;
  cpuSeconds?: number;
  peakRssMiB: number;
  exitCode: number;
  records: number;
  analysed: number;
  rejected: number;
  rejections: Report['rejections']['byReason'];
  endpoints: number;
  overflowRequests: number;
  probeRequests: number;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
}

function analyze(run: string, file: string, extra: string[] = []): HostileFigure {
  const start = loadAverage();
  const started = performance.now();
  const child = spawnSync(process.execPath, [bin, 'analyze', '--quiet', '--json', ...extra, file], {
    env: { ...process.env, LANTERN_REPORT_PEAK_RSS: '1' },
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0)
    throw new Error(`${run}: lantern analyze exited ${child.status ?? child.signal}: ${child.stderr}`);
  if (/\n\s+at .+:\d+:\d+/.test(child.stderr)) throw new Error(`${run}: a stack trace on stderr: ${child.stderr}`);
  const peakKib = Number(/peak-rss-kib: (\d+)/.exec(child.stderr)?.[1]);
  const cpuMicros = Number(/cpu-us: (\d+)/.exec(child.stderr)?.[1]);
  const report = JSON.parse(child.stdout) as Report;
  const s = report.summary;
  if (s.analysed + s.rejected !== s.records) throw new Error(`${run}: records ${s.records} != analysed + rejected`);
  return {
    run,
    fileMiB: Math.round((statSync(file).size / 2 ** 20) * 10) / 10,
    seconds: Math.round(seconds * 10) / 10,
    ...(cpuMicros > 0 ? { cpuSeconds: Math.round(cpuMicros / 1e5) / 10 } : {}),
    peakRssMiB: Math.round(peakKib / 1024),
    exitCode: child.status,
    records: s.records,
    analysed: s.analysed,
    rejected: s.rejected,
    rejections: report.rejections.byReason,
    endpoints: s.endpoints,
    overflowRequests: s.overflowRequests,
    probeRequests: s.probeRequests,
    loadAverage: { start, end: loadAverage() },
  };
}

const WORDS = ['users', 'orders', 'admin', 'api', 'v1', 'v2', 'files', 'search', 'export', 'debug', 'wp-login.php'];

/** A path no other line has: depth 1-6, segments of random words, numbers, hex, percent-escapes and junk. */
function randomPath(rng: Random, i: number): string {
  const depth = rng.int(1, 6);
  const segments: string[] = [];
  for (let d = 0; d < depth; d++) {
    const kind = rng.int(0, 5);
    if (kind === 0) segments.push(rng.pick(WORDS));
    else if (kind === 1) segments.push(String(rng.int(0, 1e9)));
    else if (kind === 2) segments.push(rng.hex(rng.int(4, 32)));
    else if (kind === 3) segments.push(`%${rng.hex(2)}${rng.pick(WORDS)}`);
    else segments.push(Array.from({ length: rng.int(1, 12) }, () => String.fromCharCode(rng.int(0x21, 0x7e))).join(''));
  }
  // The counter makes every path distinct whatever the draws.
  return `/${segments.join('/')}/${i.toString(36)}`;
}

async function writeRandomPaths(file: string, count: number): Promise<void> {
  const rng = new Random(9, 1);
  await writeStream(file, function* () {
    let chunk: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = baseEvent('cloudfront-realtime', i, {
        path: randomPath(rng, i),
        clientIp: `203.0.113.${i % 250}`,
        status: rng.pick([200, 404, 403, 500]),
      });
      chunk.push(encodeLine(event, 'cloudfront-realtime'));
      if (chunk.length === 10_000) {
        yield `${chunk.join('\n')}\n`;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield `${chunk.join('\n')}\n`;
  });
}

/** Every line class through `decodeLine`, tallied: class -> outcome (`accepted` or the reason) -> count. */
function classTable(bomb: Buffer): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const h of hostileCorpus(9, bomb)) {
    const key = `${h.format} ${h.cls}`;
    const row = table[key] ?? {};
    table[key] = row;
    const r = decodeLine(h.format, h.line);
    const outcomes = r.kind === 'records' ? r.outcomes.map((o) => (o.ok ? 'accepted' : o.reason)) : [r.kind];
    for (const o of outcomes) row[o] = (row[o] ?? 0) + 1;
  }
  return table;
}

function line(f: HostileFigure): string {
  const reasons = Object.entries(f.rejections)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${f.run.padEnd(26)} ${String(f.fileMiB).padStart(8)} MiB  ${String(f.seconds).padStart(6)} s${f.cpuSeconds !== undefined ? ` (${f.cpuSeconds} s CPU)` : ''}  peak RSS ${f.peakRssMiB} MiB  records ${f.records.toLocaleString('en-US')} (analysed ${f.analysed.toLocaleString('en-US')})  endpoints ${f.endpoints}  overflow ${f.overflowRequests.toLocaleString('en-US')}  probes ${f.probeRequests.toLocaleString('en-US')}  rejections: ${reasons || 'none'}`;
}

function wholeNumber(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${option} needs a whole number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      paths: { type: 'string', default: '1000000' },
      'bomb-gib': { type: 'string', default: '1' },
      'huge-lines': { type: 'string', default: '1000' },
      'cwl-bombs': { type: 'string', default: '200' },
      out: { type: 'string', default: path.join(repoRoot, 'bench-out/hostile.json') },
    },
  });
  const paths = wholeNumber(values.paths, 'paths');
  const bombBytes = wholeNumber(values['bomb-gib'], 'bomb-gib') * 2 ** 30;
  const hugeLines = wholeNumber(values['huge-lines'], 'huge-lines');
  const cwlBombs = wholeNumber(values['cwl-bombs'], 'cwl-bombs');
  mkdirSync(path.dirname(values.out), { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), 'lantern-bench-hostile-'));
  const results = {
    bench: 'hostile' as const,
    startedAt: new Date().toISOString(),
    machine: machineFacts(),
    runs: [] as HostileFigure[],
    classes: {} as Record<string, Record<string, number>>,
  };
  const save = () => writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
  const measure = async (run: string, file: string, write: () => Promise<void>) => {
    await write();
    try {
      const figure = analyze(run, file);
      results.runs.push(figure);
      console.log(line(figure));
      save();
    } finally {
      rmSync(file, { force: true });
    }
  };

  try {
    console.log(`load average ${loadAverage().join(' ')} on ${results.machine.cores} cores`);
    if (paths > 0) {
      const file = path.join(dir, 'random-paths.log');
      await measure(`random paths ×${paths.toLocaleString('en-US')}`, file, () => writeRandomPaths(file, paths));
    }
    if (bombBytes > 0) {
      const zeros = path.join(dir, 'bomb-zeros.log.gz');
      await measure(`gzip bomb: ${bombBytes / 2 ** 30} GiB zeros`, zeros, async () =>
        writeFileSync(zeros, await gzipBombOfZeros(bombBytes)),
      );
      const newlines = path.join(dir, 'bomb-newlines.log.gz');
      await measure(`gzip bomb: ${bombBytes / 2 ** 30} GiB newlines`, newlines, async () =>
        writeFileSync(newlines, await gzipBombOfZeros(bombBytes, 0x0a)),
      );
    }
    if (cwlBombs > 0) {
      // Each record inflates to 40 MiB (past the 8 MiB envelope cap) from 41 KB: one base64 line each, good ones between.
      const file = path.join(dir, 'cwl-bombs.log');
      const bomb = (await gzipBombOfZeros(40 << 20)).toString('base64');
      await measure(`cwl bombs ×${cwlBombs}`, file, () =>
        writeStream(file, function* () {
          for (let i = 0; i < cwlBombs; i++) {
            yield `${gzipSync(envelope([goodLine('apigw', i)])).toString('base64')}\n`;
            yield `${bomb}\n`;
          }
        }),
      );
    }
    if (hugeLines > 0) {
      const file = path.join(dir, 'huge-fields.log');
      const huge = rawLine('cloudfront-realtime', 'userAgent', 'X'.repeat(1 << 20));
      await measure(`1 MiB fields ×${hugeLines}`, file, () =>
        writeStream(file, function* () {
          for (let i = 0; i < hugeLines; i++) yield `${goodLine('cloudfront-realtime', i)}\n${huge}\n`;
          yield `${goodLine('cloudfront-realtime', hugeLines)}\n`;
        }),
      );
    }
    results.classes = classTable(await gzipBombOfZeros(40 << 20));
    save();
    console.log(
      `\n${Object.keys(results.classes).length} line classes; outcomes in ${path.relative(repoRoot, values.out)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
