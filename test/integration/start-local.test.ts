/**
 * `startLocal` end to end: simulated traffic through kinesalite, the event source mapping and the real handlers into
 * dynalite, compared with the same events analysed by the engine on the in-memory store (what `lantern analyze` does).
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startLocal } from '../../infra/local/index.js';
import { recordsOfEvents, simulatedTraffic } from '../../infra/local/traffic.js';
import { createRecordDecoder } from '../../shared/adapters/kinesis/records.js';
import { createMemoryStore } from '../../shared/adapters/memory/memory-store.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import { buildReport } from '../../shared/engine/report.js';
import { systemClock } from '../../shared/ports/clock.js';
import { simulate } from '../../shared/simulate/simulate.js';
import { kinesisEvent } from '../helpers/kinesis-events.js';

describe('startLocal', () => {
  it('leaves the same inventory and findings in DynamoDB as the in-memory engine has for the same traffic', async () => {
    // Prepare
    const options = { scenario: 'credential-stuffing' as const, minutes: 50, attackStartMinute: 35, seed: 3 };
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    // Act
    const result = await startLocal({
      traffic: simulatedTraffic(options),
      shards: 1,
      exitWhenDone: true,
      minutes: 3,
      handleSignals: false,
      out,
    });
    // Assess
    // The reference reads the same log records (the simulated events as CloudFront writes them: no session cookie).
    const reference = createMemoryStore();
    const { events } = simulate(options);
    const records = kinesisEvent(recordsOfEvents(events)).Records;
    const decode = createRecordDecoder();
    for (let i = 0; i < records.length; i += 10_000) {
      for (const batch of decode(records.slice(i, i + 10_000)))
        await analyzeBatch(batch, { store: reference, clock: systemClock });
    }
    const expected = await buildReport(reference);
    const local = result.report;
    expect(local.summary.records).toBe(events.length);
    expect(local.summary.analysed).toBe(expected.summary.analysed);
    expect(local.endpoints.map((e) => [e.method, e.path, e.requests])).toEqual(
      expected.endpoints.map((e) => [e.method, e.path, e.requests]),
    );
    expect(local.findings.map((f) => f.id).sort()).toEqual(expected.findings.map((f) => f.id).sort());
    expect(local.findings.map((f) => f.type)).toContain('credential-stuffing');
    expect(result.failedInvocations).toBe(0);
    // Findings went onto the findings stream, and the responder (if present) received them.
    expect(result.findingEvents).toBeGreaterThanOrEqual(local.findings.length);
    expect(printed).toContain('Lantern local cloud is up');
    expect(printed).toMatch(/Lantern console: http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}/);
    expect(printed).toMatch(/write units \([\d.]+ per 1,000 records\)/);
  }, 240_000);
});
