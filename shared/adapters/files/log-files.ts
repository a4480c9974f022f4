import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Rejection } from '../../events/api-event.js';

/**
 * Reads log files as they are on disk: plain or gzip, one file, a directory tree, or standard input,
 * streamed in chunks (a file is never loaded whole) and cut into lines with a bound on line length.
 */

export interface LogInput {
  /** What to call it in rejections and progress: a path or `-`. */
  name: string;
  open(): Readable;
  size?: number;
  /**
   * CloudFront real-time field list from a sidecar file `NAME.fields` beside `NAME.log` (one field per line or
   * comma-separated): real-time logs carry no header, so a saved file needs its configuration next to it.
   */
  fields?: string[];
}

const FIELDS_SIDECAR = '.fields';

export class InputError extends Error {
  override name = 'InputError';
}

/**
 * In a directory, files that are documentation, source or configuration rather than logs are passed over
 * (a file named on the command line is always read, whatever its name). Logs are `.log`, `.jsonl`, `.gz`, `.txt`,
 * or have no extension at all, as AWS names them.
 */
const NOT_LOGS = /\.(md|markdown|ts|js|mjs|cjs|map|json|ya?ml|toml|html|css|png|jpe?g|svg|pdf|fields)$/i;

/** Expands the command line's paths: directories recursively (sorted, hidden files skipped), `-` for stdin. */
export async function listInputs(paths: readonly string[]): Promise<LogInput[]> {
  const inputs: LogInput[] = [];
  for (const p of paths) {
    if (p === '-') {
      inputs.push({ name: '-', open: () => process.stdin });
      continue;
    }
    let stat: Awaited<ReturnType<typeof fs.stat>>;
    try {
      stat = await fs.stat(p);
    } catch {
      throw new InputError(`cannot read ${p}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const entries = await fs.readdir(p, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((e) => e.isFile() && !e.name.startsWith('.') && !NOT_LOGS.test(e.name))
        .map((e) => path.join(e.parentPath ?? p, e.name))
        .sort();
      for (const file of files) inputs.push(await fileInput(file, (await fs.stat(file)).size));
    } else {
      inputs.push(await fileInput(p, stat.size));
    }
  }
  return inputs;
}

async function fileInput(file: string, size: number): Promise<LogInput> {
  const input: LogInput = { name: file, size, open: () => createReadStream(file, { highWaterMark: 1 << 20 }) };
  const base = file.replace(/(\.gz)?$/, '').replace(/\.[^./]*$/, '');
  const sidecar = await fs.readFile(`${base}${FIELDS_SIDECAR}`, 'utf8').catch(() => undefined);
  if (sidecar !== undefined) {
    input.fields = sidecar
      .split(/[\s,]+/)
      .map((f) => f.trim())
      .filter(Boolean);
  }
  return input;
}

/** A run of lines read from one input, numbered from `firstLine` (1-based). */
export interface LineChunk {
  lines: string[];
  firstLine: number;
  /** Problems at the byte level: over-long lines (their place in `lines` is an empty string), a cut gzip stream. */
  rejections: Array<Rejection & { line: number }>;
  /** Bytes read from disk so far (compressed), for progress. */
  bytesRead: number;
}

export interface ReadOptions {
  maxLineBytes: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const NEWLINE = 0x0a;

/**
 * Yields the lines of one input in chunks. A gzip stream is recognised by its magic bytes, whatever the file is
 * called. A truncated gzip file yields every line before the cut, then one `truncated-gzip` rejection.
 */
export async function* readLines(input: LogInput, options: ReadOptions): AsyncGenerator<LineChunk> {
  const progress = { bytesRead: 0 };
  const source = await sniffGzip(input.open(), progress);
  let lineNumber = 1;
  let carry: Buffer | undefined;
  // True while dropping the rest of an over-long line that has already been counted and numbered.
  let skipping = false;

  try {
    for await (const chunk of source) {
      const lines: string[] = [];
      const rejections: LineChunk['rejections'] = [];
      const firstLine = lineNumber;
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        if (skipping) {
          skipping = false;
        } else {
          const length = (carry?.length ?? 0) + nl - start;
          if (length > options.maxLineBytes) {
            lines.push('');
            rejections.push(overlong(input.name, lineNumber, length));
          } else if (carry) {
            lines.push(Buffer.concat([carry, chunk.subarray(start, nl)]).toString('utf8'));
          } else {
            lines.push(chunk.toString('utf8', start, nl));
          }
          carry = undefined;
          lineNumber++;
        }
        start = nl + 1;
      }
      if (start < chunk.length && !skipping) {
        const rest = chunk.subarray(start);
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        if (carry.length > options.maxLineBytes) {
          // Never buffer an unbounded line: count it now and drop its bytes until its newline.
          lines.push('');
          rejections.push(overlong(input.name, lineNumber, carry.length));
          carry = undefined;
          skipping = true;
          lineNumber++;
        }
      }
      yield { lines, firstLine, rejections, bytesRead: progress.bytesRead };
    }
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const truncated = code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message);
    if (!truncated && code !== 'Z_DATA_ERROR') throw error;
    // The partial line at the cut belongs to the damaged tail: the tail is one rejected record.
    yield {
      lines: [],
      firstLine: lineNumber,
      rejections: [
        {
          reason: truncated ? 'truncated-gzip' : 'bad-gzip',
          where: `${input.name}:${lineNumber}`,
          detail: message,
          line: lineNumber,
        },
      ],
      bytesRead: progress.bytesRead,
    };
    return;
  }
  if (carry && carry.length > 0) {
    yield { lines: [carry.toString('utf8')], firstLine: lineNumber, rejections: [], bytesRead: progress.bytesRead };
  }
}

function overlong(name: string, line: number, bytes: number): Rejection & { line: number } {
  return { reason: 'line-too-large', where: `${name}:${line}`, detail: `${bytes} bytes`, line };
}

/** Peeks at the first two bytes; pipes through gunzip when they are the gzip magic number. */
async function sniffGzip(stream: Readable, progress: { bytesRead: number }): Promise<AsyncIterable<Buffer>> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return (async function* () {})();
  const head = first.value;
  progress.bytesRead += head.length;
  const raw = (async function* () {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      progress.bytesRead += next.value.length;
      yield next.value;
    }
  })();
  if (head.length < 2 || head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) return raw;
  const gunzip = createGunzip();
  void (async () => {
    try {
      for await (const chunk of raw) {
        if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    } catch (error: unknown) {
      gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  return gunzip;
}
