import { formatSummary } from './summary.js';
import { EXIT, parseCommandLine } from './usage.js';

/** `lantern status`: the inventory and findings held by the local cloud (running, or kept with --data-dir). */
export async function runStatus(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, { 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false } });
  const { localReport, NoLocalStateError } = await import('../local/index.js');
  const dataDir = parsed.values['data-dir'];
  try {
    const { report, from } = await localReport(typeof dataDir === 'string' ? { dataDir } : {});
    if (parsed.values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`From ${from}\n\n${formatSummary(report)}`);
    return EXIT.ok;
  } catch (error: unknown) {
    if (error instanceof NoLocalStateError) {
      process.stderr.write(`lantern: ${error.message}\n`);
      return EXIT.noInput;
    }
    throw error;
  }
}
