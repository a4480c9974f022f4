/**
 * `npm run bench`: every benchmark in turn, each in its own process so that one's memory does not skew another's,
 * then bench/results.md composed from what they wrote to bench-out/ (test/bench/report.ts). A benchmark that fails
 * leaves its section "not measured"; the others are still reported.
 *
 * `npm run bench -- --quick`: every bench on small inputs, to check the whole chain in minutes; the report says so.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineFacts } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../../bench-out');

interface Bench {
  file: string;
  args?: string[];
  /** Arguments for `--quick`: small inputs, figures not to quote. */
  quick?: string[];
  /** Where the bench's standard output is kept for the report, for the benches that print their results. */
  stdoutTo?: string;
}

const BENCHES: Bench[] = [
  { file: 'decode.ts', quick: ['--records', '50000'] },
  { file: 'analyze.ts', quick: ['--records', '10000', '--large', '0'] },
  // discovery.ts writes no JSON: the report takes the markdown tables it prints.
  { file: 'discovery.ts', stdoutTo: 'discovery.txt', quick: ['--seeds', '1', '--only', 'spotify'] },
  {
    file: 'detection.ts',
    args: ['--json', path.join(outDir, 'detection.json')],
    quick: ['--quick', '--scenario', 'bola-enumeration'],
  },
  { file: 'pipeline.ts', quick: ['--minutes', '10'] },
];
const quick = process.argv.includes('--quick');

/** Runs one bench under tsx, its output shown as it comes; resolves to its exit code. */
function run(bench: Bench): Promise<number> {
  const args = [...(bench.args ?? []), ...(quick ? (bench.quick ?? []) : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, bench.file), ...args], {
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
const notes = path.join(outDir, 'notes.md');
if (quick) {
  writeFileSync(
    notes,
    '**Quick run** (`npm run bench -- --quick`): every bench on small inputs to check the chain; not figures to quote.\n',
  );
} else rmSync(notes, { force: true });
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
