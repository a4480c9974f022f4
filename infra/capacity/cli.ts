/**
 * `npm run bench:capacity`: the capacity model (infra/capacity/model.ts) at 1k, 10k and 100k requests/s with the
 * stack's default settings and the measured per-record figures; which limit each rate approaches, the rate at which
 * each limit is hit, and a simulation of one shard's consumer. Prints Markdown tables (docs/scaling.md is made from
 * them) and writes bench-out/capacity.json.
 *
 *   npm run bench:capacity -- [--rates 1000,10000,100000] [--pipeline bench-out/pipeline.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelInputs } from './inputs.js';
import { capacityReport } from './report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function parseArgs(argv: string[]): { rates: number[]; pipeline: string } {
  let rates = [1_000, 10_000, 100_000];
  let pipeline = path.join(repoRoot, 'bench-out/pipeline.json');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rates') {
      rates = (argv[++i] ?? '').split(',').map(Number);
      if (rates.length === 0 || rates.some((r) => !Number.isFinite(r) || r <= 0))
        throw new Error('--rates needs positive numbers, comma-separated');
    } else if (a === '--pipeline') {
      // `--pipeline none`: the documented figures, as on a clean clone.
      const value = argv[++i] ?? '';
      pipeline = value === 'none' ? '' : path.resolve(value);
    } else throw new Error(`unknown option ${a} (known: --rates, --pipeline)`);
  }
  return { rates, pipeline };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { inputs, sources } = defaultModelInputs(args.pipeline || undefined);
  const report = capacityReport(inputs, sources, args.rates);
  console.log(report.markdown);

  mkdirSync(path.join(repoRoot, 'bench-out'), { recursive: true });
  const file = path.join(repoRoot, 'bench-out/capacity.json');
  writeFileSync(
    file,
    `${JSON.stringify({ bench: 'capacity', startedAt: new Date().toISOString(), ...report.json }, null, 2)}\n`,
  );
  console.log(`\nwrote ${path.relative(repoRoot, file)}`);
}

main();
