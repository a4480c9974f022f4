import { SCENARIO_NAMES, type ScenarioName } from '../../shared/simulate/simulate.js';
import { EXIT, numberOption, parseCommandLine, UsageError } from './usage.js';

/**
 * `npm start` / `lantern start`: the local cloud (dynalite + kinesalite in-process) running the real Lambda
 * handlers, fed by simulated traffic or by the user's own log files, until Ctrl-C or `--minutes`.
 */
export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    minutes: { type: 'string' },
    logs: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
    scenario: { type: 'string' },
    seed: { type: 'string' },
    fields: { type: 'string' },
    'behind-cloudfront': { type: 'boolean', default: false },
    'exit-when-done': { type: 'boolean', default: false },
    mode: { type: 'string', default: 'monitor' },
  });
  const minutes = numberOption(values, 'minutes', 0.01);
  const seed = numberOption(values, 'seed', 0);
  const scenario = values.scenario as string | undefined;
  if (scenario !== undefined && !SCENARIO_NAMES.includes(scenario as ScenarioName)) {
    throw new UsageError(`unknown --scenario ${scenario}: use ${SCENARIO_NAMES.join(', ')}`);
  }
  const mode = String(values.mode);
  if (mode !== 'monitor' && mode !== 'enforce') throw new UsageError(`--mode must be monitor or enforce, got ${mode}`);
  const { startLocal } = await import('../local/index.js');
  await startLocal({
    ...(minutes !== undefined ? { minutes } : {}),
    ...(Array.isArray(values.logs) ? { logs: values.logs.map(String) } : {}),
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    ...(scenario !== undefined ? { scenario: scenario as ScenarioName } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(typeof values.fields === 'string'
      ? {
          fields: values.fields
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean),
        }
      : {}),
    behindCloudFront: values['behind-cloudfront'] === true,
    exitWhenDone: values['exit-when-done'] === true,
    responseMode: mode,
  });
  return EXIT.ok;
}
