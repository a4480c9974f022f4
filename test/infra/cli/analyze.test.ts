import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyzeInputs } from '../../../infra/cli/analyze.js';
import { listInputs } from '../../../shared/adapters/files/log-files.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { encodeCwlEnvelopeBase64 } from '../../../shared/encoders/cwl-envelope.js';
import { encodeApiGateway, encodeCloudFrontRealtime } from '../../../shared/encoders/index.js';
import { makeApiEvent } from '../../helpers/events.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const fixtures = path.join(repoRoot, 'test/fixtures');
const bin = path.join(repoRoot, 'infra/cli/bin.mjs');

async function analyzePaths(paths: string[], format: 'auto' | 'cloudfront-realtime' = 'auto') {
  const inputs = await listInputs(paths);
  return analyzeInputs(inputs, { format, behindCloudFront: false }, createMemoryStore());
}

function realtimeLines(count: number, start = 0): string[] {
  return Array.from({ length: count }, (_, i) =>
    encodeCloudFrontRealtime(
      makeApiEvent({ time: 1_760_000_000_000 + (start + i) * 1000, path: `/v1/orders/${start + i}` }),
    ),
  );
}

function lantern(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, cwd: repoRoot });
}

describe('lantern analyze over the fixtures', () => {
  const dirs = readdirSync(fixtures).filter((d) => statSync(path.join(fixtures, d)).isDirectory());

  it.each(dirs)('accounts for every record of %s: records == analysed + rejected', async (dir) => {
    // Act
    const { report, unreadable } = await analyzePaths([path.join(fixtures, dir)]);

    // Assess
    expect(unreadable).toEqual([]);
    expect(report.summary.records).toBeGreaterThan(0);
    expect(report.summary.analysed + report.summary.rejected).toBe(report.summary.records);
    const byReason = Object.values(report.rejections.byReason).reduce((a, b) => a + (b ?? 0), 0);
    expect(byReason).toBe(report.summary.rejected);
  });

  it('reads the whole fixture tree at once, formats mixed', async () => {
    const { report } = await analyzePaths([fixtures]);
    expect(report.summary.analysed).toBeGreaterThan(0);
    expect(report.summary.analysed + report.summary.rejected).toBe(report.summary.records);
  });
});

describe('lantern analyze on damaged input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lantern-cli-'));

  it('keeps the good lines of a truncated gzip file and counts the cut as one rejection', async () => {
    // Prepare
    const whole = gzipSync(`${realtimeLines(2000).join('\n')}\n`);
    const file = path.join(dir, 'cut.log.gz');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));

    // Act
    const { report } = await analyzePaths([file]);

    // Assess
    expect(report.rejections.byReason['truncated-gzip']).toBe(1);
    expect(report.summary.analysed).toBeGreaterThan(500);
    expect(report.summary.analysed).toBeLessThan(2000);
    expect(report.summary.records).toBe(report.summary.analysed + report.summary.rejected);
  });

  it('rejects an over-long line without buffering it and without losing its neighbours', async () => {
    // Prepare: a 3 MiB line spans several read chunks
    const lines = realtimeLines(10);
    lines.splice(5, 0, `1760000000.000\t${'A'.repeat(3 * 1024 * 1024)}`);
    const file = path.join(dir, 'long.log');
    writeFileSync(file, `${lines.join('\n')}\n`);

    // Act
    const { report } = await analyzePaths([file]);

    // Assess
    expect(report.summary).toMatchObject({ records: 11, analysed: 10, rejected: 1 });
    expect(report.rejections.byReason['line-too-large']).toBe(1);
    expect(report.rejections.samples[0]?.where).toBe(`${file}:6`);
  });

  it('reads a CloudWatch Logs envelope line past 64 KiB (a Kinesis record takes up to 1 MiB)', async () => {
    // Prepare: an envelope of API Gateway lines with distinct ids, so that its gzip stays large
    const events = Array.from({ length: 1500 }, (_, i) =>
      makeApiEvent({
        source: 'apigw',
        time: 1_760_000_000_000 + i * 1000,
        requestId: `${i}-${createHash('sha256').update(String(i)).digest('hex')}`,
      }),
    );
    const line = encodeCwlEnvelopeBase64({
      logGroup: 'API-Gateway-Execution-Logs',
      logStream: 's',
      logEvents: events.map((e) => ({ timestamp: e.time, message: encodeApiGateway(e) })),
    });
    const file = path.join(dir, 'envelopes.jsonl');
    writeFileSync(file, `${line}\n`);
    // Act
    const { report } = await analyzePaths([file]);
    // Assess
    expect(line.length).toBeGreaterThan(64 * 1024);
    expect(report.summary).toMatchObject({ analysed: 1500, rejected: 0 });
  });

  it('names bad lines by file and line number, next to good ones', async () => {
    // Prepare
    const lines = realtimeLines(4);
    lines.splice(2, 0, 'not\ta\tlog\tline', '\u0000\u0001binary garbage');
    const file = path.join(dir, 'bad.log');
    writeFileSync(file, `${lines.join('\n')}\n`);

    // Act
    const { report } = await analyzePaths([file]);

    // Assess
    expect(report.summary).toMatchObject({ records: 6, analysed: 4, rejected: 2 });
    expect(report.rejections.samples.map((s) => s.where)).toEqual([`${file}:3`, `${file}:4`]);
  });

  it('handles a last line without a newline and CRLF line ends', async () => {
    const file = path.join(dir, 'crlf.log');
    writeFileSync(file, realtimeLines(3).join('\r\n'));
    const { report } = await analyzePaths([file]);
    expect(report.summary).toMatchObject({ records: 3, analysed: 3, rejected: 0 });
  });
});

describe('the lantern command', () => {
  it('prints the JSON report and exits 0', () => {
    const run = lantern(['analyze', '--json', path.join(fixtures, 'cloudfront-standard')]);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(['summary', ...Object.keys(report).slice(1)]);
    expect(report.summary.records).toBe(report.summary.analysed + report.summary.rejected);
  });

  it('reads standard input with -', () => {
    const input = `${[JSON.stringify({ requestId: 'r1', ip: '203.0.113.9', requestTime: '24/Nov/2026:10:00:00 +0000', httpMethod: 'GET', resourcePath: '/pets/{id}', status: '200', protocol: 'HTTP/1.1', responseLength: '12' }), encodeApiGateway(makeApiEvent({ source: 'apigw' }))].join('\n')}\n`;
    const run = lantern(['analyze', '--json', '-'], input);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ records: 2, analysed: 2 });
  });

  it('writes a self-contained HTML report in which log content is text, never markup', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-html-'));
    const logs = path.join(dir, 'hostile.log');
    const hostile = '<img src=x onerror=alert(1)>';
    writeFileSync(
      logs,
      `${encodeCloudFrontRealtime(makeApiEvent({ userAgent: hostile, path: '/v1/<script>x</script>' }))}\n`,
    );
    const html = path.join(dir, 'report.html');

    // Act
    const run = lantern(['analyze', '--html', html, logs]);

    // Assess
    expect(run.status).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).toMatch(/^<!doctype html>/i);
    expect(text).not.toContain(hostile);
    expect(text).not.toContain('<script>x</script>');
    expect(text).toMatch(/\/v1\/(&lt;|&#60;)script(&gt;|&#62;)x/);
    expect(text).not.toMatch(/(src|href)="https?:/);
  });

  it('exits 2 on a usage error', () => {
    expect(lantern(['analyze']).status).toBe(2);
    expect(lantern(['analyze', '--format', 'nginx', fixtures]).status).toBe(2);
    expect(lantern(['frobnicate']).status).toBe(2);
    expect(lantern(['start', '--minutes', 'soon']).stderr).toContain('--minutes must be a number ≥ 0.01, got soon');
    expect(lantern(['simulate', '--scenario', 'scanning', '--out', 'x', '--seed', 'abc']).status).toBe(2);
  });

  it('exits 3 when no input can be read', () => {
    const run = lantern(['analyze', '/nonexistent/logs']);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('/nonexistent/logs');
  });
});
