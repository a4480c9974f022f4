/**
 * The file reader and `analyze` on the file-level hostile corpus: bombs cut and rejected, damaged gzip keeps what
 * came before the damage, 1 MiB lines dropped as they stream past, links and devices refused with a clear message.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeInputs } from '../../../infra/cli/analyze.js';
import { InputError, type LineChunk, listInputs, readLines } from '../../../shared/adapters/files/log-files.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { LIMITS } from '../../../shared/decoders/decoder.js';
import { goodLine, type HostileFiles, writeHostileFiles } from './corpus.js';

const HUGE_LINES = 6;
let corpus: HostileFiles;

beforeAll(async () => {
  corpus = await writeHostileFiles(mkdtempSync(path.join(tmpdir(), 'lantern-hostile-')), {
    seed: 9,
    bombBytes: 64 << 20,
    hugeLines: HUGE_LINES,
  });
});

afterAll(() => rmSync(corpus.dir, { recursive: true, force: true }));

async function readAll(name: string): Promise<{ lines: string[]; rejections: LineChunk['rejections'] }> {
  const [input] = await listInputs([path.join(corpus.dir, name)]);
  const lines: string[] = [];
  const rejections: LineChunk['rejections'] = [];
  for await (const chunk of readLines(input!, { maxLineBytes: LIMITS.maxLineBytes })) {
    lines.push(...chunk.lines);
    rejections.push(...chunk.rejections);
  }
  return { lines, rejections };
}

describe('reading hostile files', () => {
  it('cuts a gzip bomb of zeros at the inflation ratio and rejects the rest of the file as one record', async () => {
    // Act
    const { lines, rejections } = await readAll('bomb-zeros.log.gz');

    // Assess: one endless line (dropped as too long while it streams), then the bomb itself.
    expect(lines.filter((l) => l !== '')).toEqual([]);
    expect(rejections.map((r) => r.reason)).toEqual(['line-too-large', 'bad-gzip']);
    expect(rejections[1]?.detail).toMatch(/^gzip bomb: over 200 times its compressed size/);
  });

  it('cuts a gzip bomb of blank lines the same way', async () => {
    // Prepare: counted, not collected (tens of millions of blank lines).
    const [input] = await listInputs([path.join(corpus.dir, 'bomb-newlines.log.gz')]);
    let blank = 0;
    let other = 0;
    const reasons: string[] = [];

    // Act
    // A lower floor than the default: the same cut, sooner (the tree below meets the default one).
    const floor = 4 << 20;
    for await (const chunk of readLines(input!, { maxLineBytes: LIMITS.maxLineBytes, gzipRatioFromBytes: floor })) {
      for (const line of chunk.lines)
        if (line === '') blank++;
        else other++;
      reasons.push(...chunk.rejections.map((r) => r.reason));
    }

    // Assess
    expect(reasons).toEqual(['bad-gzip']);
    expect(other).toBe(0);
    expect(blank).toBeGreaterThanOrEqual(floor);
    expect(blank).toBeLessThan(floor + (1 << 20));
  });

  it('keeps the lines before the cut of a truncated gzip file, then one truncated-gzip rejection', async () => {
    const { lines, rejections } = await readAll('truncated.log.gz');
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.slice(0, 3)).toEqual([0, 1, 2].map((i) => goodLine('cloudfront-realtime', i)));
    expect(rejections.map((r) => r.reason)).toEqual(['truncated-gzip']);
  });

  it('reads concatenated gzip members as one stream', async () => {
    const { lines, rejections } = await readAll('concatenated.log.gz');
    expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => goodLine('cloudfront-realtime', i)));
    expect(rejections).toEqual([]);
  });

  it('keeps what inflated before trailing garbage and rejects the garbage; NUL padding is no garbage', async () => {
    // Node's gunzip reports garbage without the output of its last step (at most 16 KiB inflated): what came out
    // before that is kept, and the rejection says where the file went wrong.
    const garbage = await readAll('trailing-garbage.log.gz');
    expect(garbage.lines.length).toBeGreaterThan(2000 - 200);
    expect(garbage.lines.slice(0, 2)).toEqual([0, 1].map((i) => goodLine('cloudfront-realtime', i)));
    expect(garbage.rejections.map((r) => r.reason)).toEqual(['bad-gzip']);

    const padded = await readAll('nul-padded.log.gz');
    expect(padded.lines).toEqual([0, 1, 2].map((i) => goodLine('cloudfront-realtime', i)));
    expect(padded.rejections).toEqual([]);
  });

  it('drops 1 MiB lines as they stream past and keeps the lines between them', async () => {
    const { lines, rejections } = await readAll('huge-fields.log');
    expect(rejections.map((r) => r.reason)).toEqual(Array(HUGE_LINES).fill('line-too-large'));
    expect(lines.filter((l) => l !== '')).toHaveLength(HUGE_LINES + 1);
    expect(rejections[0]?.where).toMatch(/huge-fields\.log:2$/);
  });

  it('reads CRLF files without the CR', async () => {
    const { lines } = await readAll('crlf.log');
    expect(lines).toEqual([1, 2, 3].map((i) => goodLine('cloudfront-realtime', i)));
  });

  it('reads empty files, plain or gzip, as no lines', async () => {
    expect(await readAll('empty.log')).toEqual({ lines: [], rejections: [] });
    expect(await readAll('empty.log.gz')).toEqual({ lines: [], rejections: [] });
  });

  it('refuses a link to itself, a device and a missing file with a message, never a stack', async () => {
    await expect(listInputs([path.join(corpus.dir, 'links', 'self.log')])).rejects.toThrow(
      new InputError(
        `cannot read ${path.join(corpus.dir, 'links', 'self.log')}: too many levels of symbolic links (a link loop)`,
      ),
    );
    await expect(listInputs(['/dev/zero'])).rejects.toThrow('cannot read /dev/zero: not a file, directory or pipe');
    await expect(listInputs([path.join(corpus.dir, 'nope.log')])).rejects.toThrow(/no such file or directory$/);
  });

  it('lists a tree with a link loop, a FIFO and garbage without following the links or opening the FIFO', async () => {
    const inputs = await listInputs([corpus.dir]);
    const names = inputs.map((i) => path.relative(corpus.dir, i.name));
    expect(names).not.toContain('pipe.log');
    expect(names.some((n) => n.startsWith('links'))).toBe(false);
    expect(names).toContain('binary-garbage.log');
  });

  it.runIf(existsSync('/usr/bin/mkfifo') || existsSync('/bin/mkfifo'))(
    'reads a FIFO named on the command line until its writer closes it',
    async () => {
      // Prepare
      const fifo = path.join(corpus.dir, 'pipe.log');
      const writer = spawn('sh', [
        '-c',
        `printf '%s\\n%s\\n' "$0" "$1" > "${fifo}"`,
        goodLine('alb', 1),
        goodLine('alb', 2),
      ]);
      const written = new Promise((resolve) => writer.once('close', resolve));

      // Act
      const [input] = await listInputs([fifo]);
      const lines: string[] = [];
      for await (const chunk of readLines(input!, { maxLineBytes: LIMITS.maxLineBytes })) lines.push(...chunk.lines);
      await written;

      // Assess
      expect(input?.size).toBeUndefined();
      expect(lines).toEqual([goodLine('alb', 1), goodLine('alb', 2)]);
    },
  );

  it('refuses a .fields sidecar that names no real-time log field, before reading a line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lantern-sidecar-'));
    writeFileSync(path.join(dir, 'custom.log'), `${goodLine('cloudfront-realtime', 1)}\n`);
    writeFileSync(path.join(dir, 'custom.fields'), 'timestamp,<script>,c-ip\n');
    await expect(listInputs([path.join(dir, 'custom.log')])).rejects.toThrow(
      /custom\.fields: Unknown CloudFront real-time log field "<script>"/,
    );
  });
});

describe('analyze over the whole hostile tree', () => {
  it('accounts for every record, keeps every good one, and names a reason for every rejection', async () => {
    // Act
    const inputs = await listInputs([corpus.dir]);
    const { report, unreadable } = await analyzeInputs(
      inputs,
      { format: 'auto', behindCloudFront: false },
      createMemoryStore(),
    );

    // Assess
    const s = report.summary;
    expect(unreadable).toEqual([]);
    expect(s.analysed + s.rejected).toBe(s.records);
    expect(s.analysed).toBeGreaterThanOrEqual(corpus.goodRecords);
    const reasons = report.rejections.byReason;
    expect(Object.values(reasons).reduce((a, b) => a + (b ?? 0), 0)).toBe(s.rejected);
    for (const reason of [
      'line-too-large',
      'bad-gzip',
      'truncated-gzip',
      'unknown-format',
      'field-too-large',
      'bad-timestamp',
      'not-json',
    ] as const) {
      expect(reasons[reason], reason).toBeGreaterThan(0);
    }
    for (const sample of report.rejections.samples) expect(sample.where).toMatch(/:\d+(#\d+)?$/);
  });
});
