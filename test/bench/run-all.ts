/**
 * `npm run bench`: every benchmark in turn, each in its own process so that one's memory does not skew another's,
 * then bench/results.md composed from what they wrote to bench-out/ (test/bench/report.ts). A benchmark that fails
 * leaves its section "not measured"; the others are still reported.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../../bench-out');

interface Bench {
  file: string;
  args?: string[];
  /** Where the bench's standard output is kept for the report, for the benches that print their results. */
  stdoutTo?: string;
}

const BENCHES: Bench[] = [
  { file: 'decode.ts' },
  { file: 'analyze.ts' },
  // discovery.ts writes no JSON: the report takes the markdown tables it prints.
  { file: 'discovery.ts', stdoutTo: 'discovery.txt' },
  { file: 'detection.ts', args: ['--json', path.join(outDir, 'detection.json')] },
  { file: 'pipeline.ts' },
];

/** Runs one bench under tsx, its output shown as it comes; resolves to its exit code. */
function run(bench: Bench): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, bench.file), ...(bench.args ?? [])], {
    stdio: ['ignore', bench.stdoutTo ? 'pipe' : 'inherit', 'inherit'],
  });
  if (bench.stdoutTo && child.stdout) {
    const kept = createWriteStream(path.join(outDir, bench.stdoutTo));
    child.stdout.pipe(kept);
    child.stdout.pipe(process.stdout, { end: false });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'machine.json'), `${JSON.stringify(machineFacts(), null, 2)}\n`);
let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n=== ${bench.file.replace(/\.ts$/, '')} ===`);
  const code = await run(bench);
  if (code !== 0) {
    failed++;
    console.error(`${bench.file} failed with exit code ${code}`);
  }
}
console.log('\n=== report ===');
if ((await run({ file: 'report.ts' })) !== 0) failed++;
process.exitCode = failed > 0 ? 1 : 0;
