/** `--data-dir`: the local state survives a restart, and `localReport` reads it back (what `lantern status` shows). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { localReport, NoLocalStateError, startLocal } from '../../infra/local/index.js';
import { apiGatewayLines, cloudFrontLines } from './traffic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lantern-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local state on disk', () => {
  it('keeps the tables across runs and reports them when nothing runs', async () => {
    // Prepare
    const logs = path.join(dir, 'logs');
    const dataDir = path.join(dir, 'state');
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    writeFileSync(path.join(logs, 'cloudfront.log'), `${cloudFrontLines(40).join('\n')}\n`);
    writeFileSync(path.join(logs, 'apigw.jsonl'), `${apiGatewayLines(20).join('\n')}\n`);
    const run = () =>
      startLocal({
        logs: [logs],
        dataDir,
        exitWhenDone: true,
        minutes: 2,
        shards: 1,
        handleSignals: false,
        out: new PassThrough(),
      });
    // Act
    const first = await run();
    const afterFirst = await localReport({ dataDir });
    const second = await run();
    // Assess
    expect(first.report.summary.records).toBe(60);
    expect(afterFirst.report.summary).toEqual(first.report.summary);
    expect(afterFirst.from).toContain(dataDir);
    expect(second.report.summary.records).toBe(120);
    expect(second.report.summary.endpoints).toBe(first.report.summary.endpoints);
    await expect(localReport({ dataDir: path.join(dir, 'nothing') })).rejects.toBeInstanceOf(NoLocalStateError);
  }, 120_000);
});
