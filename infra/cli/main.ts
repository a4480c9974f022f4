import { runAnalyze } from './analyze.js';
import { EXIT, USAGE, UsageError } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  analyze: async () => runAnalyze,
  inventory: async () => (await import('./inventory.js')).runInventory,
  simulate: async () => (await import('./simulate.js')).runSimulate,
  start: async () => (await import('./start.js')).runStart,
  status: async () => (await import('./status.js')).runStatus,
};

/** The `lantern` command line. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`lantern: unknown command ${name}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await (await load())(rest);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      process.stderr.write(`lantern: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    // A stack trace helps us, not the user reading a failed run; LANTERN_DEBUG=1 brings it back.
    const detail =
      error instanceof Error
        ? process.env.LANTERN_DEBUG
          ? (error.stack ?? error.message)
          : error.message
        : String(error);
    process.stderr.write(`lantern: ${detail}\n`);
    return EXIT.failure;
  }
}
