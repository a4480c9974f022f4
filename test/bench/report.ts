/**
 * Composes bench/results.md from what the benchmarks left in bench-out/: `npm run bench` calls it at the end, and
 * `npx tsx test/bench/report.ts` re-composes from whatever JSON is there, so a partial run still gives a report.
 * A figure a benchmark did not write is shown as "not measured", never guessed.
 *
 *   npx tsx test/bench/report.ts [--from bench-out] [--to bench/results.md]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AnalyzeFigure, AnalyzeResults } from './analyze.js';
import type { DecodeFigure } from './decode.js';
import type { RunOutcome } from './detection/run.js';
import { table as detectionTable } from './detection.js';
import { type Machine, machineFacts } from './machine.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const NOT_MEASURED = 'not measured';

/** The section headings, in order: the test checks that a report has every one of them. */
export const SECTIONS = [
  'Machine',
  'Decode throughput per format',
  'lantern analyze per format',
  'lantern analyze peak memory',
  'Pipeline on the local cloud',
  'Discovery accuracy',
  'Detection accuracy',
  'Fault test on the local cloud',
  'Hot path',
] as const;

export interface BenchOutputs {
  machine?: Machine;
  decode?: { startedAt?: string; decode: DecodeFigure[] };
  analyze?: AnalyzeResults;
  /** bench-out/pipeline.json as pipeline.ts writes it: read field by field, since it is still growing. */
  pipeline?: Record<string, unknown>;
  /** The markdown tables discovery.ts prints (it writes no JSON). */
  discovery?: string;
  detection?: Array<{ set: string; run: RunOutcome }>;
  /** bench-out/faults.json as `npm run bench:faults` writes it (not run by `npm run bench`: it takes an hour). */
  faults?: FaultsResult;
  /** bench/hot-path.md: the profile of `lantern analyze` and what was changed for it, written by hand. */
  hotPath?: string;
  /** bench-out/notes.md: how this particular set of figures was taken, when it was not one plain `npm run bench`. */
  notes?: string;
}

/** Reads every benchmark's output under `dir`; a file that is absent or unreadable leaves its part unmeasured. */
export function readBenchOutputs(dir: string, hotPathFile = path.join(repoRoot, 'bench/hot-path.md')): BenchOutputs {
  const text = (name: string) => {
    const file = path.join(dir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  const json = <T>(name: string): T | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      process.stderr.write(`bench report: ${name} is not JSON; its section says ${NOT_MEASURED}\n`);
      return undefined;
    }
  };
  const outputs: BenchOutputs = {};
  const machine = json<Machine>('machine.json');
  const decode = json<BenchOutputs['decode']>('decode.json');
  const analyze = json<AnalyzeResults>('analyze.json');
  const pipeline = json<Record<string, unknown>>('pipeline.json');
  const discovery = text('discovery.txt');
  const detection = json<BenchOutputs['detection']>('detection.json');
  const faults = json<FaultsResult>('faults.json');
  const hotPath = existsSync(hotPathFile) ? readFileSync(hotPathFile, 'utf8') : undefined;
  const notes = text('notes.md');
  if (machine) outputs.machine = machine;
  if (decode) outputs.decode = decode;
  if (analyze) outputs.analyze = analyze;
  if (pipeline) outputs.pipeline = pipeline;
  if (discovery) outputs.discovery = discovery;
  if (detection) outputs.detection = detection;
  if (faults) outputs.faults = faults;
  if (hotPath) outputs.hotPath = hotPath;
  if (notes) outputs.notes = notes;
  return outputs;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const load = (l: readonly number[] | undefined) => (l ? l.map((n) => n.toFixed(2)).join(' ') : NOT_MEASURED);
const mib = (n: number) => `${int(n)} MiB`;

function machineSection(machine: Machine | undefined, composedAt: string): string[] {
  const facts = machine ?? machineFacts();
  const note = machine
    ? `Taken when the run started (${facts.takenAt}).`
    : `No bench-out/machine.json (the benches were run one by one): these facts were taken when the report was composed (${facts.takenAt}), not during the runs.`;
  return [
    `Composed ${composedAt}. ${note} The machine is shared: every figure carries the load average (1, 5, 15 min) at its start; wall-clock rates drop as load rises, rates per CPU second much less.`,
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${facts.cpuModel} |`,
    `| cores | ${facts.cores} |`,
    `| memory | ${facts.memoryGiB} GiB |`,
    `| Node | ${facts.node} |`,
    `| OS | ${facts.os} |`,
    `| load average at start | ${load(facts.loadAverage)} |`,
  ];
}

function decodeSection(decode: BenchOutputs['decode']): string[] {
  if (!decode || decode.decode.length === 0) return [NOT_MEASURED];
  const records = decode.decode[0]?.records ?? 0;
  return [
    `\`npm run bench:decode\`${decode.startedAt ? `, started ${decode.startedAt}` : ''}: ${int(records)} generated records per format, read from disk; only decoding is timed, in one thread.`,
    '',
    '| format | records/s | records per CPU second | seconds | rejected | load at start |',
    '|---|---:|---:|---:|---:|---|',
    ...decode.decode.map(
      (f) =>
        `| ${f.format} | ${int(f.recordsPerSecond)} | ${f.recordsPerCpuSecond ? int(f.recordsPerCpuSecond) : NOT_MEASURED} | ${f.seconds} | ${f.rejected} | ${load(f.loadAverage)} |`,
    ),
  ];
}

function analyzeRow(f: AnalyzeFigure): string {
  return `| ${f.format} | ${int(f.records)} | ${f.fileMiB} MiB | ${int(f.recordsPerSecond)} | ${int(f.recordsPerCpuSecond)} | ${f.seconds} | ${mib(f.peakRssMiB)} | ${int(f.endpoints)} | ${int(f.entities)} | ${load(f.loadAverage.start)} |`;
}

const ANALYZE_HEADER = [
  '| format | records | file | records/s | records per CPU second | seconds | peak RSS | endpoints | callers | load at start |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
];

function analyzeSection(analyze: AnalyzeResults | undefined): string[] {
  if (!analyze || analyze.perFormat.length === 0) return [NOT_MEASURED];
  return [
    `\`npm run bench:analyze\`, started ${analyze.startedAt}: \`lantern analyze --json\` in a child process per format (the engine runs on one thread; CPU time includes the runtime's helper threads and start-up). Wall clock covers the whole process: start-up, decoding, discovery, baselines, detection and the report.`,
    '',
    ...ANALYZE_HEADER,
    ...analyze.perFormat.map(analyzeRow),
  ];
}

/** The file sizes issue #9 asks the peak memory of. */
const MEMORY_TARGETS = [1_000_000, 10_000_000];

function memorySection(analyze: AnalyzeResults | undefined): string[] {
  const runs = [...(analyze?.perFormat.filter((f) => f.format === 'cloudfront-realtime') ?? [])];
  runs.push(...(analyze?.large ?? []));
  if (runs.length === 0) return [NOT_MEASURED];
  const lines = [
    'Peak resident memory of `lantern analyze` as the kernel counts it (maxRSS), CloudFront real-time input; the bench traffic has at most 50,000 distinct callers, all seen by about 1M records.',
    '',
    ...ANALYZE_HEADER,
    ...runs.map(analyzeRow),
  ];
  const missing = MEMORY_TARGETS.filter((target) => !runs.some((r) => r.records === target));
  if (missing.length > 0)
    lines.push(
      '',
      `${missing.map((n) => `${int(n)} records`).join(', ')}: ${NOT_MEASURED} (\`npm run bench:analyze -- --records 0 --large N\`).`,
    );
  return lines;
}

/** Pipeline figures shown, in order, by their path in pipeline.json; whichever it lacks is "not measured". */
const PIPELINE_FIELDS: ReadonlyArray<[path: string, label: string]> = [
  ['recordsPerSecond', 'log records/s end to end (put on Kinesis to processed)'],
  ['kinesisBytesPer1000', 'Kinesis bytes per 1,000 log records'],
  ['writeUnitsPer1000', 'DynamoDB write units per 1,000 log records'],
  ['readUnitsPer1000', 'DynamoDB read units per 1,000 log records'],
  ['writeRequestsPer1000', 'DynamoDB write requests per 1,000 log records'],
  ['steadyState.records', 'log records measured (after warm-up)'],
  ['steadyState.seconds', 'seconds'],
  ['failedInvocations', 'failed invocations'],
];

function at(doc: unknown, dotted: string): unknown {
  let value = doc;
  for (const key of dotted.split('.')) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

function pipelineSection(pipeline: Record<string, unknown> | undefined): string[] {
  if (!pipeline) return [NOT_MEASURED];
  const value = (dotted: string) => {
    const v = at(pipeline, dotted);
    return typeof v === 'number' ? (Number.isInteger(v) ? int(v) : String(Math.round(v * 10) / 10)) : NOT_MEASURED;
  };
  const lines = [
    `\`npm run bench:pipeline\`${typeof pipeline.startedAt === 'string' ? `, started ${pipeline.startedAt}` : ''}: records put on kinesalite, the local event source mapping, the real ingest handler, the DynamoDB store on dynalite. Emulators are far slower than AWS: the throughput is a floor, not a forecast.`,
    '',
    '| | |',
    '|---|---:|',
    ...PIPELINE_FIELDS.map(([dotted, label]) => `| ${label} | ${value(dotted)} |`),
    `| load before / after | ${load(at(pipeline, 'loadAverage.before') as number[] | undefined)} / ${load(at(pipeline, 'loadAverage.after') as number[] | undefined)} |`,
  ];
  const byKind = at(pipeline, 'writeUnitsByKind') as Record<string, { writeUnitsPer1000?: number }> | undefined;
  if (byKind && Object.keys(byKind).length > 0) {
    lines.push('', '| write units per 1,000 log records, by kind of document | |', '|---|---:|');
    for (const [kind, figures] of Object.entries(byKind))
      lines.push(`| ${kind} | ${figures.writeUnitsPer1000 ?? NOT_MEASURED} |`);
  }
  lines.push('', `Parameters: \`${JSON.stringify(pipeline.parameters ?? NOT_MEASURED)}\``);
  return lines;
}

/** discovery.ts prints progress, then its results as markdown: keep the table and the summary lines after it. */
function discoverySection(printed: string | undefined): string[] {
  if (!printed) return [NOT_MEASURED];
  const lines = printed.split('\n');
  const tableStart = lines.findIndex((l) => l.startsWith('| spec |'));
  if (tableStart < 0) return [NOT_MEASURED];
  const kept = lines.slice(tableStart).filter((l) => l.trim() !== '');
  const table = kept.filter((l) => l.startsWith('|'));
  const summary = kept.filter((l) => !l.startsWith('|'));
  return [
    '`npm run bench:discovery`: templates discovered from generated traffic against public API specs, scored against the specs.',
    '',
    ...table,
    // A blank line ends the table: a line right after it would be read as one more row.
    ...(summary.length > 0 ? ['', ...summary.map((l) => `${l}  `)] : []),
  ];
}

function detectionSection(detection: BenchOutputs['detection']): string[] {
  if (!detection || detection.length === 0) return [NOT_MEASURED];
  const lines = [
    '`npm run bench:detection`: simulated scenarios through the real engine; recall and precision per finding type.',
  ];
  for (const set of ['tuning', 'held-out']) {
    const runs = detection.filter((r) => r.set === set).map((r) => r.run);
    if (runs.length === 0) continue;
    const events = runs.reduce((n, r) => n + r.events, 0);
    const seeds = [...new Set(runs.map((r) => r.options.seed))].join(', ');
    lines.push('', `**${set}** (${runs.length} runs, seeds ${seeds}, ${int(events)} events)`, '', detectionTable(runs));
  }
  return lines;
}

/** What test/bench/faults.ts writes: the fields the report shows. */
export interface FaultsResult {
  startedAt?: string;
  loadAverage?: number[];
  config: { shards: number; batchSize: number; seed: number };
  input: { requests: number; poison: number; logRecords: number; kinesisRecords: number };
  reference: { seconds: number; recordsPerSecond: number };
  faulty: {
    seconds: number;
    recordsPerSecond: number;
    injected: {
      dynamo: {
        requests: number;
        throttled: number;
        serverErrors: number;
        lostAnswers: number;
        unprocessedItems: number;
      };
      crashes: number;
      redeliveredBatches: number;
      rewinds: number;
      restarts: number;
      deliveredRecords: number;
    };
  };
  checks: Array<{ name: string; passed: boolean; detail: string; gating: boolean }>;
  passed: boolean;
}

function faultsSection(faults: FaultsResult | undefined): string[] {
  // `npm run bench` does not run it (an hour for 1M records): `npm run bench:faults` writes bench-out/faults.json.
  if (!faults) return [NOT_MEASURED];
  const f = faults.faulty;
  const d = f.injected.dynamo;
  const cell = (text: string) => text.replace(/\|/g, '\\|').slice(0, 300);
  return [
    `\`npm run bench:faults\`${faults.startedAt ? `, started ${faults.startedAt}` : ''}${faults.loadAverage ? ` (load ${load(faults.loadAverage)})` : ''}: ${int(faults.input.requests)} requests and ${int(faults.input.poison)} poison records in ${int(faults.input.kinesisRecords)} Kinesis records, ${faults.config.shards} shard, batches of ${int(faults.config.batchSize)}, seed ${faults.config.seed}; kinesalite -> the real ingest and responder handlers -> dynalite, once without faults and once with them. **${faults.passed ? 'Every asserted check passed.' : 'Some asserted checks failed.'}**`,
    '',
    `- Fault-free run: ${faults.reference.seconds.toFixed(0)} s (${int(faults.reference.recordsPerSecond)} records/s). Faulty run: ${f.seconds.toFixed(0)} s (${int(f.recordsPerSecond)} records/s), ${int(f.injected.deliveredRecords)} Kinesis records delivered.`,
    `- Injected: ${int(d.requests)} DynamoDB requests through the fault proxy, ${int(d.throttled)} throttled, ${int(d.serverErrors)} 500s, ${int(d.lostAnswers)} answers lost after the write landed, ${int(d.unprocessedItems)} items left unprocessed by batch calls; ${f.injected.crashes} environments died mid-batch; ${f.injected.redeliveredBatches} batches redelivered after success; ${f.injected.rewinds} rewinds to an older checkpoint; ${f.injected.restarts} runner restarts.`,
    '',
    '| check | asserted | result | detail |',
    '|---|---|---|---|',
    ...faults.checks.map(
      (c) => `| ${cell(c.name)} | ${c.gating ? 'yes' : 'no'} | ${c.passed ? 'pass' : 'differs'} | ${cell(c.detail)} |`,
    ),
  ];
}

export function composeReport(outputs: BenchOutputs, composedAt = new Date().toISOString()): string {
  const bodies: Record<(typeof SECTIONS)[number], string[]> = {
    Machine: machineSection(outputs.machine, composedAt),
    'Decode throughput per format': decodeSection(outputs.decode),
    'lantern analyze per format': analyzeSection(outputs.analyze),
    'lantern analyze peak memory': memorySection(outputs.analyze),
    'Pipeline on the local cloud': pipelineSection(outputs.pipeline),
    'Discovery accuracy': discoverySection(outputs.discovery),
    'Detection accuracy': detectionSection(outputs.detection),
    'Fault test on the local cloud': faultsSection(outputs.faults),
    // Its own title dropped and its sections one level down, under this report's heading.
    'Hot path': outputs.hotPath
      ? [
          outputs.hotPath
            .replace(/^# .*\n+/, '')
            .replace(/^(#{2,}) /gm, '#$1 ')
            .trimEnd(),
        ]
      : [NOT_MEASURED],
  };
  const parts = [
    '# Lantern benchmark results',
    '',
    'Composed by `test/bench/report.ts` from `bench-out/*.json` (`npm run bench` runs every benchmark, then this). Do not edit by hand: re-run the benchmarks, or `npx tsx test/bench/report.ts` to re-compose.',
  ];
  if (outputs.notes) parts.push('', outputs.notes.trimEnd());
  for (const section of SECTIONS) parts.push('', `## ${section}`, '', ...bodies[section]);
  return `${parts.join('\n')}\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      from: { type: 'string', default: path.join(repoRoot, 'bench-out') },
      to: { type: 'string', default: path.join(repoRoot, 'bench/results.md') },
    },
  });
  writeFileSync(values.to, composeReport(readBenchOutputs(values.from)));
  console.log(`bench report written to ${path.relative(process.cwd(), values.to) || values.to}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
