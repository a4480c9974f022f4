import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureAnalyze } from '../../bench/analyze.js';
import { benchDecode } from '../../bench/decode.js';
import { runScenario } from '../../bench/detection/run.js';
import { machineFacts } from '../../bench/machine.js';
import { type BenchOutputs, composeReport, NOT_MEASURED, readBenchOutputs, SECTIONS } from '../../bench/report.js';

/** The body of one `## heading` section of a composed report. */
function section(report: string, heading: string): string {
  const start = report.indexOf(`\n## ${heading}\n`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + heading.length + 4);
  return report.slice(start, next < 0 ? undefined : next);
}

const DISCOVERY_PRINTED = [
  'Discovery benchmark: specs from x, seeds 1, volume 30 requests per operation (min 20,000)',
  '',
  '| spec | seed | ops | requests | truth | observed | precision | recall | F1 | over-split | over-merged | shadows found | zombies found | false shadows |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  '| petstore | 1 | 19 | 20000 | 13 | 13 | 1.000 | 1.000 | 1.000 | 0 | 0 | 1/1 | 1/1 | 0 |',
  '',
  'mean F1 1.000, worst 1.000 (petstore seed 1)',
].join('\n');

describe('bench report', () => {
  it('composes every section from short runs of the benches it reports', async () => {
    // Prepare: the real benches on a few records each, and a short detection scenario
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-bench-'));
    const decode = await benchDecode('alb', 2000, dir);
    const analyze = await measureAnalyze('cloudfront-realtime', 2000, dir);
    const run = await runScenario({ scenario: 'baseline', seed: 1, volume: 0.05 });
    const outputs: BenchOutputs = {
      machine: machineFacts(),
      decode: { decode: [decode] },
      analyze: { bench: 'analyze', startedAt: '2026-11-24T00:00:00.000Z', perFormat: [analyze], large: [] },
      pipeline: {
        parameters: { shards: 1 },
        recordsPerSecond: 812.46,
        writeUnitsPer1000: 41.2,
        steadyState: { records: 45000 },
        writeUnitsByKind: { 'entity own': { writeUnitsPer1000: 30.1 } },
      },
      discovery: DISCOVERY_PRINTED,
      detection: [{ set: 'tuning', run }],
      faults: {
        config: { shards: 1, batchSize: 10_000, seed: 1 },
        input: { requests: 1000, poison: 2, logRecords: 1002, kinesisRecords: 1002 },
        reference: { seconds: 10, recordsPerSecond: 100 },
        faulty: {
          seconds: 20,
          recordsPerSecond: 50,
          injected: {
            dynamo: { requests: 500, throttled: 7, serverErrors: 3, lostAnswers: 2, unprocessedItems: 40 },
            crashes: 1,
            redeliveredBatches: 1,
            rewinds: 0,
            restarts: 2,
            deliveredRecords: 1500,
          },
        },
        checks: [{ name: 'records in = analysed + rejected', passed: true, detail: '1002 in | ledger', gating: true }],
        passed: true,
      },
      notes: 'Taken one bench at a time.\n',
      hotPath: '# Hot path\n\nTop self time: countCaller.\n\n## Before\n\nGC 20 %.\n',
    };

    // Act
    const report = composeReport(outputs, '2026-11-24T12:00:00.000Z');

    // Assess
    expect(decode).toMatchObject({ format: 'alb', records: 2000, rejected: 0 });
    expect(analyze).toMatchObject({ format: 'cloudfront-realtime', records: 2000 });
    expect(analyze.peakRssMiB).toBeGreaterThan(0);
    expect(analyze.recordsPerCpuSecond).toBeGreaterThan(0);
    for (const heading of SECTIONS) expect(section(report, heading), heading).not.toBe('');
    expect(section(report, 'Decode throughput per format')).toContain(
      `| alb | ${decode.recordsPerSecond.toLocaleString('en-US')} |`,
    );
    expect(section(report, 'lantern analyze per format')).toContain('| cloudfront-realtime | 2,000 |');
    expect(section(report, 'lantern analyze peak memory')).toContain(
      `${analyze.peakRssMiB.toLocaleString('en-US')} MiB`,
    );
    expect(section(report, 'lantern analyze peak memory')).toContain(
      `1,000,000 records, 10,000,000 records: ${NOT_MEASURED}`,
    );
    const pipeline = section(report, 'Pipeline on the local cloud');
    expect(pipeline).toContain('| DynamoDB write units per 1,000 log records | 41.2 |');
    expect(pipeline).toContain(`| Kinesis bytes per 1,000 log records | ${NOT_MEASURED} |`);
    expect(pipeline).toContain('| log records/s end to end (put on Kinesis to processed) | 812.5 |');
    expect(pipeline).toContain('| log records measured (after warm-up) | 45,000 |');
    expect(pipeline).toContain('| entity own | 30.1 |');
    expect(section(report, 'Discovery accuracy')).toContain('| petstore | 1 |');
    expect(section(report, 'Discovery accuracy')).toContain('|\n\nmean F1 1.000');
    const notesAt = report.indexOf('\nTaken one bench at a time.\n');
    expect(notesAt).toBeGreaterThan(0);
    expect(notesAt).toBeLessThan(report.indexOf('## Machine'));
    expect(section(report, 'Discovery accuracy')).not.toContain('Discovery benchmark: specs from');
    expect(section(report, 'Detection accuracy')).toContain('**tuning** (1 runs, seeds 1,');
    const faults = section(report, 'Fault test on the local cloud');
    expect(faults).toContain('**Every asserted check passed.**');
    expect(faults).toContain('7 throttled, 3 500s, 2 answers lost');
    expect(faults).toContain('| records in = analysed + rejected | yes | pass | 1002 in \\| ledger |');
    expect(section(report, 'Hot path')).toContain('Top self time: countCaller.');
    expect(section(report, 'Hot path')).not.toContain('\n# Hot path');
    expect(section(report, 'Hot path')).toContain('\n### Before\n\nGC 20 %.');
  }, 120_000); // a child process and a simulation: slow on a busy machine, not a timing assertion

  it('says "not measured" for every bench that left nothing, and reads no broken JSON', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-bench-'));
    writeFileSync(path.join(dir, 'pipeline.json'), '{"bench": "pipeline", "requestsPer');
    writeFileSync(path.join(dir, 'discovery.txt'), 'crashed before printing its table\n');

    // Act
    const outputs = readBenchOutputs(dir, path.join(dir, 'no-hot-path.md'));
    const report = composeReport(outputs);

    // Assess
    expect(outputs.pipeline).toBeUndefined();
    expect(section(report, 'Machine')).toContain('taken when the report was composed');
    for (const heading of SECTIONS.filter((s) => s !== 'Machine'))
      expect(section(report, heading).trim(), heading).toBe(`## ${heading}\n\n${NOT_MEASURED}`);
  });
});
