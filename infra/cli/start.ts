import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAnalyze } from './analyze.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `npm start`: until the local cloud lands (issue #5), analyses the bundled sample logs and prints the report,
 * so that a fresh clone shows what Lantern does in one command.
 */
export async function runStart(argv: string[]): Promise<number> {
  const sample = path.join(repoRoot, 'test/fixtures/mixed');
  process.stdout.write(`Analysing the bundled sample logs in ${path.relative(process.cwd(), sample) || sample}\n\n`);
  return runAnalyze([...argv, sample]);
}
