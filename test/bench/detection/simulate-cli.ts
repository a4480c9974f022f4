/**
 * `npm run simulate -- --scenario NAME [--minutes N] [--format F] [--seed N] [--volume X] [--speed X] --out DIR`:
 * writes a simulated scenario as log files plus ground-truth.json (until `lantern simulate` is wired in the CLI,
 * which calls the same `writeSimulation`).
 */
import { LOG_SOURCES, type LogSource } from '../../../shared/events/api-event.js';
import { SCENARIO_NAMES, type ScenarioName } from '../../../shared/simulate/simulate.js';
import { writeSimulation } from './write-logs.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function number(args: string[], name: string): number | undefined {
  const value = option(args, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const scenario = option(args, 'scenario') as ScenarioName | undefined;
  const out = option(args, 'out');
  const format = (option(args, 'format') ?? 'cloudfront-realtime') as LogSource;
  if (!scenario || !SCENARIO_NAMES.includes(scenario) || !out || !LOG_SOURCES.includes(format)) {
    process.stderr.write(
      `usage: npm run simulate -- --scenario ${SCENARIO_NAMES.join('|')} --out DIR [--format ${LOG_SOURCES.join('|')}] [--minutes N] [--seed N] [--volume X] [--speed X] [--gzip]\n`,
    );
    process.exitCode = 2;
    return;
  }
  const minutes = number(args, 'minutes');
  const seed = number(args, 'seed');
  const volume = number(args, 'volume');
  const attackSpeed = number(args, 'speed');
  const written = await writeSimulation({
    scenario,
    out,
    format,
    gzip: args.includes('--gzip'),
    ...(minutes !== undefined ? { minutes, attackStartMinute: Math.min(40, Math.floor(minutes / 2)) } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(volume !== undefined ? { volume } : {}),
    ...(attackSpeed !== undefined ? { attackSpeed } : {}),
  });
  process.stderr.write(`${written.truth.events} requests in ${written.files.length} file(s), ${written.truth.malicious.length} malicious entities; truth in ${written.truthFile}\n`);
}

await main();
