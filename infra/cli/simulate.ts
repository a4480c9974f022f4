import { parseArgs } from 'node:util';
import { writeSimulation } from '../../shared/adapters/files/simulation-writer.js';
import { LOG_SOURCES, type LogSource } from '../../shared/events/api-event.js';
import { SCENARIO_NAMES, type ScenarioName, SimulationError } from '../../shared/simulate/simulate.js';
import { EXIT, UsageError } from './usage.js';

/**
 * `lantern simulate --scenario NAME --out DIR`: realistic logs of a small API business, legitimate users plus one
 * named attack, and `ground-truth.json` saying which entities are malicious and why.
 */
export async function runSimulate(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string', default: 'cloudfront-realtime' },
        minutes: { type: 'string' },
        seed: { type: 'string' },
        volume: { type: 'string' },
        speed: { type: 'string' },
        gzip: { type: 'boolean', default: false },
      },
    });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const scenario = values.scenario as string | undefined;
  if (!scenario || !SCENARIO_NAMES.includes(scenario as ScenarioName)) {
    throw new UsageError(`simulate needs --scenario, one of ${SCENARIO_NAMES.join(', ')}`);
  }
  if (typeof values.out !== 'string') throw new UsageError('simulate needs --out DIR');
  const format = String(values.format) as LogSource;
  if (!LOG_SOURCES.includes(format)) throw new UsageError(`unknown --format ${format}: use ${LOG_SOURCES.join(', ')}`);
  const number = (name: string): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got ${raw}`);
    return value;
  };
  const minutes = number('minutes');
  const seed = number('seed');
  const volume = number('volume');
  const attackSpeed = number('speed');
  try {
    const written = await writeSimulation({
      scenario: scenario as ScenarioName,
      out: values.out,
      format,
      gzip: values.gzip === true,
      ...(minutes !== undefined ? { minutes, attackStartMinute: Math.min(40, Math.floor(minutes / 2)) } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(volume !== undefined ? { volume } : {}),
      ...(attackSpeed !== undefined ? { attackSpeed } : {}),
    });
    process.stdout.write(
      `${written.truth.events.toLocaleString('en-US')} requests in ${written.files.length} file(s) under ${values.out}, ` +
        `${written.truth.malicious.length} malicious entities; ground truth in ${written.truthFile}\n`,
    );
    return EXIT.ok;
  } catch (error: unknown) {
    if (error instanceof SimulationError) throw new UsageError(error.message);
    throw error;
  }
}
