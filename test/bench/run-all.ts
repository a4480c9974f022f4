/** `npm run bench`: every benchmark in turn, each in its own process so that one's memory does not skew another's. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ['decode.ts', 'discovery.ts', 'detection.ts', 'pipeline.ts'];
let failed = 0;
for (const bench of benches) {
  const file = path.join(here, bench);
  if (!existsSync(file)) continue;
  console.log(`\n=== ${bench.replace(/\.ts$/, '')} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`${bench} failed with exit code ${run.status}`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
