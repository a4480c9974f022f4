/**
 * `lantern analyze` on the hostile corpus: the documented exit codes, a rejection summary and never a stack trace,
 * markup from the logs escaped in the HTML report, control characters kept off the terminal, and forged
 * X-Forwarded-For never taken as a caller.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../infra/cli/main.js';
import { EXIT } from '../../../infra/cli/usage.js';
import type { Report } from '../../../shared/engine/report.js';
import { FORGED_XFF, type HostileFiles, writeHostileFiles } from './corpus.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const bin = path.join(repoRoot, 'infra/cli/bin.mjs');
const STACK = /\n\s+at .+:\d+:\d+/;
let corpus: HostileFiles;
let out: string;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lantern-hostile-cli-'));
  corpus = await writeHostileFiles(path.join(dir, 'logs'), { seed: 9, bombBytes: 32 << 20, hugeLines: 2 });
  out = path.join(dir, 'out');
  mkdirSync(out);
});

afterAll(() => rmSync(path.dirname(corpus.dir), { recursive: true, force: true }));

/** Runs `lantern` in this process, capturing what it writes. */
async function lantern(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('lantern analyze on the hostile corpus (the real process)', () => {
  it('exits 0, prints a rejection summary, escapes markup in the HTML report, never trusts X-Forwarded-For', () => {
    // Prepare
    const json = path.join(out, 'report.json');
    const html = path.join(out, 'report.html');

    // Act
    const run = spawnSync(process.execPath, [bin, 'analyze', '--quiet', '--out', json, '--html', html, corpus.dir], {
      encoding: 'utf8',
      cwd: repoRoot,
      timeout: 120_000,
    });

    // Assess: the process
    expect(run.stderr).not.toMatch(STACK);
    expect(run.status).toBe(EXIT.ok);
    // The terminal summary: rejections by reason, and no byte from a log that could drive the terminal.
    expect(run.stdout).toMatch(/rejections: .*line-too-large \d/);
    expect(run.stdout).toMatch(/bad-gzip \d/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    // Corrupt times are rejected, so the report's range is the real one, not "from 1970 to 9999".
    expect(run.stdout).toMatch(/from 2024-\S+ to 2024-/);

    // The JSON report: every record accounted for.
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.summary.analysed + report.summary.rejected).toBe(report.summary.records);
    expect(report.summary.analysed).toBeGreaterThanOrEqual(corpus.goodRecords);
    expect(report.endpoints.some((e) => e.path.includes('<script>'))).toBe(true);

    // Forged X-Forwarded-For: evidence at most, never a caller.
    const peer = '198.51.100.23';
    const forged = FORGED_XFF.flatMap((x) => x.split(/,\s*/)).filter((x) => x !== peer);
    expect(report.entities.filter((e) => e.type === 'ip').map((e) => e.id)).toEqual([peer]);
    for (const entity of report.entities) {
      for (const f of forged) {
        expect(entity.id).not.toBe(f);
        expect(entity.links.ips).not.toContain(f);
      }
    }

    // The HTML report: the logs' markup shown as text, no script of theirs.
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/(&lt;|&#60;)script(&gt;|&#62;)alert/);
    expect(page).not.toMatch(/<script>alert|<img src=x|<svg onload/i);
    expect(page.match(/<script\b/g)).toHaveLength(1);
  });

  it('exits 3 with one clear line when no input is readable', () => {
    const run = spawnSync(process.execPath, [bin, 'analyze', path.join(corpus.dir, 'links', 'self.log')], {
      encoding: 'utf8',
      cwd: repoRoot,
    });
    expect(run.status).toBe(EXIT.noInput);
    expect(run.stderr).toBe(
      `lantern: cannot read ${path.join(corpus.dir, 'links', 'self.log')}: too many levels of symbolic links (a link loop)\n`,
    );
  });
});

describe('lantern analyze exit codes on hostile command lines', () => {
  it.each([
    ['a missing file', ['/nonexistent/access.log'], EXIT.noInput, /no such file or directory/],
    ['a device that never ends', ['/dev/zero'], EXIT.noInput, /not a file, directory or pipe/],
    ['an unknown format', ['--format', '<script>', '/dev/null'], EXIT.usage, /unknown --format/],
    [
      'a declared spec that is a device',
      ['--declared', '/dev/zero', path.join(repoRoot, 'test/fixtures/cloudfront-realtime/published-sample.log')],
      EXIT.usage,
      /declared API spec: cannot read \/dev\/zero: not a regular file/,
    ],
    ['an unknown option', ['--fields-from', 'x', '/dev/null'], EXIT.usage, /lantern: /],
    ['an unknown CloudFront field', ['--fields', 'bogus,<b>', '/dev/null'], EXIT.usage, /bad --fields: .*"bogus"/],
    [
      'a field list without the required fields',
      ['--fields', 'timestamp,c-ip', '/dev/null'],
      EXIT.usage,
      /bad --fields: .*needs/,
    ],
  ])('%s', async (_what, args, code, message) => {
    const run = await lantern(['analyze', '--quiet', ...args]);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('a tree with nothing but links and a FIFO has no input: exit 3', async () => {
    const run = await lantern(['analyze', '--quiet', path.join(corpus.dir, 'links')]);
    expect(run.code).toBe(EXIT.noInput);
    expect(run.stderr).toBe('lantern: no log files found under the given paths\n');
  });

  it('binary garbage alone is read and rejected record by record: exit 0, every record unknown-format', async () => {
    const run = await lantern(['analyze', '--quiet', '--json', path.join(corpus.dir, 'binary-garbage.log')]);
    expect(run.code).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary.analysed).toBe(0);
    expect(report.summary.rejected).toBe(report.summary.records);
    expect(Object.keys(report.rejections.byReason).sort()).toEqual(
      report.summary.records > 0 ? expect.arrayContaining(['unknown-format']) : [],
    );
  });
});
