/**
 * The fault test, short (the long one: `npm run bench:faults`, 1M records): about 10,000 records with poison among
 * them through kinesalite -> local event source mapping -> the real ingest and responder -> dynalite, once clean and
 * once with DynamoDB throttling, 500s, lost answers and partial batches, environments dying mid-batch, redelivered
 * batches, re-reads from older checkpoints and two runner restarts. Small batches, high fault rates: every kind of
 * fault happens several times.
 */
import { describe, expect, it } from 'vitest';
import { checkRun, type FaultPlan, faultTestInput, runThroughLocalCloud } from '../../infra/local/fault-run.js';

const FAULTS: FaultPlan = {
  dynamo: { throttle: 0.03, serverError: 0.02, lostAnswer: 0.03, unprocessed: 0.2 },
  crash: { rate: 0.3, maxWrites: 12 },
  redeliver: 0.25,
  rewind: 0.25,
  maxDelayMs: 20,
  restarts: [
    { at: 0.35, checkpoints: 'kept' },
    { at: 0.7, checkpoints: 'lost' },
  ],
};

describe('the local cloud under faults', () => {
  it('counts every record once and ends in the state of a fault-free run', async () => {
    // Prepare
    const input = faultTestInput({ requests: 10_000, seed: 3, poisonEvery: 200 });
    const options = { shards: 1, batchSize: 1000, windowMs: 200, seed: 3, drainTimeoutMs: 120_000 };
    // Act
    const reference = await runThroughLocalCloud(input, options);
    const faulty = await runThroughLocalCloud(input, { ...options, faults: FAULTS });
    // Assess
    const injected = faulty.counts;
    expect(injected.dynamo.throttled).toBeGreaterThan(0);
    expect(injected.dynamo.serverErrors).toBeGreaterThan(0);
    expect(injected.dynamo.lostAnswers).toBeGreaterThan(0);
    expect(injected.dynamo.unprocessedBatches).toBeGreaterThan(0);
    expect(injected.crashes).toBeGreaterThan(0);
    expect(injected.redeliveredBatches).toBeGreaterThan(0);
    expect(injected.rewinds).toBeGreaterThan(0);
    expect(injected.restarts).toBe(2);
    // The responder had work: findings were published and decided, actions taken.
    expect(reference.state.findings.size).toBeGreaterThan(0);
    expect(reference.state.targets.size).toBeGreaterThan(0);
    const failed = checkRun(input, faulty, reference).filter((c) => c.gating && !c.passed);
    expect(failed).toEqual([]);
  }, 240_000);
});
