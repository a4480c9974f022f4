import { writeSimulation } from '../../shared/adapters/files/simulation-writer.js';
import { LOG_SOURCES, type LogSource } from '../../shared/events/api-event.js';
import { SCENARIO_NAMES, type ScenarioName, SimulationError } from '../../shared/simulate/simulate.js';
import { EXIT, numberOption, parseCommandLine, UsageError } from './usage.js';

/**
 * `lantern simulate --scenario NAME --out DIR`: realistic logs of a small API business, legitimate users plus one
 * named attack, and `ground-truth.json` saying which entities are malicious and why.
 */
export async function runSimulate(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    scenario: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string', default: 'cloudfront-realtime' },
    minutes: { type: 'string' },
    seed: { type: 'string' },
    volume: { type: 'string' },
    speed: { type: 'string' },
    gzip: { type: 'boolean', default: false },
  });
  const scenario = values.scenario as string | undefined;
  if (!scenario || !SCENARIO_NAMES.includes(scenario as ScenarioName)) {
    throw new UsageError(`simulate needs --scenario, one of ${SCENARIO_NAMES.join(', ')}`);
  }
  if (typeof values.out !== 'string') throw new UsageError('simulate needs --out DIR');
  const format = String(values.format) as LogSource;
  if (!LOG_SOURCES.includes(format)) throw new UsageError(`unknown --format ${format}: use ${LOG_SOURCES.join(', ')}`);
  const minutes = numberOption(values, 'minutes');
  const seed = numberOption(values, 'seed');
  const volume = numberOption(values, 'volume');
  const attackSpeed = numberOption(values, 'speed');
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
