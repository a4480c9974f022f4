/**
 * `npm run bench:detection`: simulate every scenario over several seeds, volumes and attack speeds, run the real
 * engine over each, and report per finding type recall, precision, false positives per 1,000 legitimate entities
 * and the simulated time from an attacker's first request to its first finding.
 *
 * Two sets: the TUNING set (seeds 1 and 2, normal volume and speed, every scenario except the held-out ones) is
 * what thresholds were chosen on; the HELD-OUT set (other seeds, half and double volume, 3× faster and 3× slower
 * attacks, and the `credential-stuffing-distributed` and `mixed` scenarios) was not looked at while tuning.
 *
 *   npm run bench:detection                 # both sets
 *   npm run bench:detection -- --quick      # seed 1 of every scenario only
 *   npm run bench:detection -- --json out.json
 *   npm run bench:detection -- --quick --through apigw   # events read back from API Gateway logs (fields it lacks are gone)
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { FINDING_TYPES, type FindingType } from '../../shared/detection/finding.js';
import { LOG_SOURCES, type LogSource } from '../../shared/events/api-event.js';
import { SCENARIO_NAMES, type ScenarioName, type SimulateOptions } from '../../shared/simulate/simulate.js';
import { type RunOutcome, runScenario } from './detection/run.js';

export const HELD_OUT_SCENARIOS: readonly ScenarioName[] = ['credential-stuffing-distributed', 'mixed'];
/** Added after the held-out set was fixed, to develop the low-and-slow rule against: tuning seeds only, so the held-out set stays as it was. */
export const TUNING_ONLY_SCENARIOS: readonly ScenarioName[] = ['credential-stuffing-slow'];

export function benchmarkPlan(quick: boolean): Array<{ set: 'tuning' | 'held-out'; options: SimulateOptions }> {
  const plan: Array<{ set: 'tuning' | 'held-out'; options: SimulateOptions }> = [];
  for (const scenario of SCENARIO_NAMES) {
    const heldOut = HELD_OUT_SCENARIOS.includes(scenario);
    for (const seed of quick ? [1] : [1, 2]) plan.push({ set: heldOut ? 'held-out' : 'tuning', options: { scenario, seed } });
    if (quick || TUNING_ONLY_SCENARIOS.includes(scenario)) continue;
    plan.push({ set: 'held-out', options: { scenario, seed: 101, volume: 0.5, attackSpeed: 3 } });
    plan.push({ set: 'held-out', options: { scenario, seed: 102, volume: 2, attackSpeed: 1 } });
    plan.push({ set: 'held-out', options: { scenario, seed: 103, volume: 1, attackSpeed: 0.3 } });
  }
  return plan;
}

interface Row {
  expected: number;
  found: number;
  flaggedMalicious: number;
  flaggedLegitimate: number;
  latencies: number[];
  fastLatencies: number[];
}

function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${Math.round(ms / 1000)} s`);
const ratio = (a: number, b: number) => (b === 0 ? '–' : (a / b).toFixed(3));

export function table(runs: readonly RunOutcome[]): string {
  const rows = new Map<FindingType, Row>();
  for (const type of FINDING_TYPES) rows.set(type, { expected: 0, found: 0, flaggedMalicious: 0, flaggedLegitimate: 0, latencies: [], fastLatencies: [] });
  let legitimate = 0;
  let legitimateFlagged = 0;
  for (const run of runs) {
    legitimate += run.legitimateEntities;
    legitimateFlagged += new Set(run.legitimateFlagged.map((f) => f.split(' ')[1])).size;
    for (const type of FINDING_TYPES) {
      const row = rows.get(type) as Row;
      const o = run.byType[type];
      row.expected += o.expected;
      row.found += o.found;
      row.flaggedMalicious += o.flaggedMalicious;
      row.flaggedLegitimate += o.flaggedLegitimate;
      row.latencies.push(...o.latencies);
      row.fastLatencies.push(...o.fastLatencies);
    }
  }
  const lines = [
    '| type | malicious | found | recall | flagged (malicious / legit) | precision | FP per 1,000 legit | time to finding p50 / max (fast attacks) | p50 (all) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [type, row] of rows) {
    const flagged = row.flaggedMalicious + row.flaggedLegitimate;
    lines.push(
      `| ${type} | ${row.expected} | ${row.found} | ${ratio(row.found, row.expected)} | ${row.flaggedMalicious} / ${row.flaggedLegitimate} | ${ratio(row.flaggedMalicious, flagged)} | ${legitimate > 0 ? ((1000 * row.flaggedLegitimate) / legitimate).toFixed(2) : '–'} | ${seconds(quantile(row.fastLatencies, 0.5))} / ${seconds(quantile(row.fastLatencies, 1))} | ${seconds(quantile(row.latencies, 0.5))} |`,
    );
  }
  lines.push(
    `| **any** | | | | | | **${legitimate > 0 ? ((1000 * legitimateFlagged) / legitimate).toFixed(2) : '–'}** (${legitimateFlagged} of ${legitimate} legitimate entities) | | |`,
  );
  return lines.join('\n');
}

function configName(options: SimulateOptions): string {
  return `seed ${options.seed} · volume ${options.volume ?? 1} · speed ${options.attackSpeed ?? 1}`;
}

/** Per scenario and run configuration: malicious entities found / expected, and legitimate entities flagged. */
export function scenarioTable(results: ReadonlyArray<{ run: RunOutcome }>): string {
  const configs = [...new Set(results.map((r) => configName(r.run.options)))];
  const scenarios = [...new Set(results.map((r) => r.run.options.scenario))];
  const lines = [`| scenario | ${configs.join(' | ')} |`, `|---|${configs.map(() => '---').join('|')}|`];
  for (const scenario of scenarios) {
    const cells = configs.map((config) => {
      const hit = results.find((r) => r.run.options.scenario === scenario && configName(r.run.options) === config);
      if (!hit) return '';
      const found = FINDING_TYPES.reduce((n, t) => n + hit.run.byType[t].found, 0);
      const expected = FINDING_TYPES.reduce((n, t) => n + hit.run.byType[t].expected, 0);
      const legit = new Set(hit.run.legitimateFlagged.map((f) => f.split(' ')[1])).size;
      return `${found}/${expected}${legit > 0 ? ` · ${legit} FP` : ''}`;
    });
    lines.push(`| ${scenario} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** `a,a,b` -> `a×2, b`. */
function summarise(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name)).join(', ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonAt = args.indexOf('--json');
  const only = args.indexOf('--scenario');
  const formatAt = args.indexOf('--through');
  const through = formatAt >= 0 ? (args[formatAt + 1] as LogSource) : undefined;
  if (through !== undefined && !LOG_SOURCES.includes(through)) throw new Error(`--through must be one of ${LOG_SOURCES.join(', ')}`);
  let plan = benchmarkPlan(quick);
  if (only >= 0) plan = plan.filter((p) => p.options.scenario === args[only + 1]);
  const results: Array<{ set: string; run: RunOutcome }> = [];
  for (const { set, options } of plan) {
    const run = await runScenario(options, {}, through);
    results.push({ set, run });
    const found = FINDING_TYPES.reduce((n, t) => n + run.byType[t].found, 0);
    const expected = FINDING_TYPES.reduce((n, t) => n + run.byType[t].expected, 0);
    process.stderr.write(
      `${set.padEnd(8)} ${options.scenario.padEnd(32)} seed ${String(options.seed).padEnd(4)} volume ${options.volume ?? 1} speed ${options.attackSpeed ?? 1}: ${run.events} events, found ${found}/${expected}, legit flagged ${run.legitimateFlagged.length}${run.missed.length ? `, missed ${summarise(run.missed.map((m) => m.attack))} (${run.missed.filter((m) => m.atEnd).length} in the last 2 minutes)` : ''}${run.legitimateFlagged.length ? ` [${run.legitimateFlagged.slice(0, 3).join('; ')}]` : ''} (${run.ms} ms)\n`,
    );
  }
  for (const set of ['tuning', 'held-out', 'all']) {
    const runs = results.filter((r) => set === 'all' || r.set === set).map((r) => r.run);
    if (runs.length === 0) continue;
    const events = runs.reduce((n, r) => n + r.events, 0);
    process.stdout.write(`\n### ${set} (${runs.length} runs, ${events} events)\n\n${table(runs)}\n`);
  }
  for (const set of ['tuning', 'held-out']) {
    const missed = results.filter((r) => r.set === set).flatMap((r) => r.run.missed);
    if (missed.length === 0) continue;
    const atEnd = missed.filter((m) => m.atEnd).length;
    process.stdout.write(`\n${set}: ${missed.length} malicious entities missed, ${atEnd} of them with their last request in the run's last 2 minutes (${summarise(missed.map((m) => m.type))})\n`);
  }
  process.stdout.write(`\n### per scenario (malicious entities found / expected · legitimate entities flagged)\n\n${scenarioTable(results)}\n`);
  if (jsonAt >= 0 && args[jsonAt + 1]) writeFileSync(args[jsonAt + 1] as string, JSON.stringify(results, null, 1));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
