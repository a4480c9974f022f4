import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { makeCloudFrontRealtimeDecoder } from '../../decoders/cloudfront-realtime.js';
import { LIMITS } from '../../decoders/decoder.js';
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
    } catch (error: unknown) {
      throw new InputError(`cannot read ${p}: ${fileErrorText(error)}`);
    }
    if (stat.isDirectory()) {
      // Not followed: symbolic links (a link back up the tree would loop), pipes and devices (they never end).
      let entries: Awaited<ReturnType<typeof readTree>>;
      try {
        entries = await readTree(p);
      } catch (error: unknown) {
        throw new InputError(`cannot list ${p}: ${fileErrorText(error)}`);
      }
      const files = entries
        .filter((e) => e.isFile() && !e.name.startsWith('.') && !NOT_LOGS.test(e.name))
        .map((e) => path.join(e.parentPath ?? p, e.name))
        .sort();
      for (const file of files) {
        // Gone since the listing: reading it would fail the same way, so it is an unreadable input, not a crash.
        const size = await fs.stat(file).then(
          (s) => s.size,
          () => undefined,
        );
        inputs.push(await fileInput(file, size));
      }
    } else if (stat.isFile()) {
      inputs.push(await fileInput(p, stat.size));
    } else if (stat.isFIFO()) {
      // A pipe named on the command line (`<(zcat …)`) is read like standard input: it ends when its writer does.
      inputs.push(await fileInput(p, undefined));
    } else {
      // /dev/zero or /dev/urandom would be read for ever, a socket cannot be opened as a file.
      throw new InputError(`cannot read ${p}: not a file, directory or pipe`);
    }
  }
  return inputs;
}

const readTree = (dir: string) => fs.readdir(dir, { recursive: true, withFileTypes: true });

/** The words for a file system error a user can act on, never a stack. */
function fileErrorText(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links (a link loop)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  }
}

/**
 * A whole small file as text (a declared spec, an overrides file, a field list): a regular file of at most
 * `maxBytes`. A device, a pipe or a huge file is refused before it is read, instead of being read until memory runs
 * out (`--declared /dev/zero`).
 */
export async function readSmallFile(file: string, maxBytes: number): Promise<string> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(file);
  } catch (error: unknown) {
    throw new InputError(`cannot read ${file}: ${fileErrorText(error)}`);
  }
  if (!stat.isFile()) throw new InputError(`cannot read ${file}: not a regular file`);
  if (stat.size > maxBytes) throw new InputError(`cannot read ${file}: ${stat.size} bytes, more than ${maxBytes}`);
  const handle = await fs.open(file, 'r');
  try {
    // One byte more than allowed: a file that grew since its stat is refused too.
    const buffer = Buffer.alloc(stat.size + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new InputError(`cannot read ${file}: more than ${maxBytes} bytes`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The most a `.fields` sidecar holds: a few dozen field names. */
const MAX_SIDECAR_BYTES = 64 * 1024;

async function fileInput(file: string, size: number | undefined): Promise<LogInput> {
  const input: LogInput = { name: file, open: () => createReadStream(file, { highWaterMark: 1 << 20 }) };
  if (size !== undefined) input.size = size;
  const base = file.replace(/(\.gz)?$/, '').replace(/\.[^./]*$/, '');
  const sidecarFile = `${base}${FIELDS_SIDECAR}`;
  const sidecar = await fs.stat(sidecarFile).then(
    () => readSmallFile(sidecarFile, MAX_SIDECAR_BYTES),
    () => undefined,
  );
  if (sidecar !== undefined) {
    const fields = sidecar
      .split(/[\s,]+/)
      .map((f) => f.trim())
      .filter(Boolean);
    try {
      // A wrong field list would shift every column of every record: refuse it here, before any line is read.
      makeCloudFrontRealtimeDecoder(fields);
    } catch (error: unknown) {
      throw new InputError(`${sidecarFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    input.fields = fields;
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
  /** Gzip inflation ratio past which the rest of a file is rejected as a bomb (default `LIMITS.maxGzipRatio`). */
  maxGzipRatio?: number;
  /** Inflated bytes before the ratio is checked (default `LIMITS.gzipRatioFromBytes`). */
  gzipRatioFromBytes?: number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Yields the lines of one input in chunks. A gzip stream is recognised by its magic bytes, whatever the file is
 * called; concatenated gzip members are read as one stream (`cat a.gz b.gz`). A truncated or damaged gzip file
 * yields every line before the damage, then one `truncated-gzip` or `bad-gzip` rejection; so does a gzip bomb,
 * cut where it passes the inflation ratio. Lines end at `\n`; a `\r` before it (CRLF files) is not part of the line.
 */
export async function* readLines(input: LogInput, options: ReadOptions): AsyncGenerator<LineChunk> {
  const progress = { bytesRead: 0 };
  const opened = input.open();
  const maxRatio = options.maxGzipRatio ?? LIMITS.maxGzipRatio;
  const ratioFrom = options.gzipRatioFromBytes ?? LIMITS.gzipRatioFromBytes;
  let lineNumber = 1;
  let carry: Buffer | undefined;
  // True while dropping the rest of an over-long line that has already been counted and numbered.
  let skipping = false;
  let inflated = 0;
  const fed = { bytes: 0 };

  /** A line that began in an earlier chunk. */
  const carriedLine = (carried: Buffer, chunk: Buffer, start: number, nl: number): string => {
    const whole = Buffer.concat([carried, chunk.subarray(start, nl)]);
    const last = whole.length - 1;
    return whole.toString('utf8', 0, last >= 0 && whole[last] === CARRIAGE_RETURN ? last : whole.length);
  };
  const failure = (reason: Rejection['reason'], detail: string): LineChunk => ({
    lines: [],
    firstLine: lineNumber,
    rejections: [{ reason, where: `${input.name}:${lineNumber}`, detail, line: lineNumber }],
    bytesRead: progress.bytesRead,
  });

  try {
    const { source, gzip } = await sniffGzip(opened, progress, fed);
    for await (const chunk of source) {
      if (gzip) {
        inflated += chunk.length;
        if (inflated > ratioFrom && inflated > maxRatio * fed.bytes) {
          // The partial line at the cut belongs to the bomb: the rest of the file is one rejected record.
          yield failure(
            'bad-gzip',
            `gzip bomb: over ${maxRatio} times its compressed size (${inflated} bytes from ${fed.bytes}), rest of file not read`,
          );
          return;
        }
      }
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
            lines.push(carriedLine(carry, chunk, start, nl));
          } else {
            lines.push(chunk.toString('utf8', start, nl > start && chunk[nl - 1] === CARRIAGE_RETURN ? nl - 1 : nl));
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
    yield failure(truncated ? 'truncated-gzip' : 'bad-gzip', message);
    return;
  } finally {
    // Stopped early (a bomb, a damaged stream, a consumer that gave up): let go of the file now.
    if (opened !== process.stdin) opened.destroy();
  }
  if (carry && carry.length > 0) {
    const last = carry.length - 1;
    const end = carry[last] === CARRIAGE_RETURN ? last : carry.length;
    yield {
      lines: [carry.toString('utf8', 0, end)],
      firstLine: lineNumber,
      rejections: [],
      bytesRead: progress.bytesRead,
    };
  }
}

function overlong(name: string, line: number, bytes: number): Rejection & { line: number } {
  return { reason: 'line-too-large', where: `${name}:${line}`, detail: `${bytes} bytes`, line };
}

/** Peeks at the first two bytes; inflates when they are the gzip magic number. */
async function sniffGzip(
  stream: Readable,
  progress: { bytesRead: number },
  fed: { bytes: number },
): Promise<{ source: AsyncIterable<Buffer>; gzip: boolean }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return { source: (async function* () {})(), gzip: false };
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
  if (head.length < 2 || head[0] !== GZIP_MAGIC_0 || head[1] !== GZIP_MAGIC_1) return { source: raw, gzip: false };
  return { source: inflate(raw, fed), gzip: true };
}

/** Compressed bytes handed to gunzip at once: what one slice can inflate to (about 1030 times this) is the memory bound. */
const INFLATE_SLICE = 16 * 1024;
/** Inflated bytes waiting for the reader before the next slice is fed. */
const INFLATE_QUEUE = 1 << 20;

/**
 * Gunzip, fed in small slices and read in flowing mode. A stream iterator drops whatever output is still buffered
 * when gunzip fails, so the good members before trailing garbage would vanish uncounted; here every byte inflated
 * before the failure is yielded, then the failure is thrown. `fed` counts the compressed bytes given so far.
 */
async function* inflate(raw: AsyncIterable<Buffer>, fed: { bytes: number }): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  const queue: Buffer[] = [];
  let queued = 0;
  let failure: unknown;
  let finished = false;
  let wakeReader: (() => void) | undefined;
  let wakeFeeder: (() => void) | undefined;
  // A write whose callback will never come once gunzip has failed or closed.
  let abandonWrite: (() => void) | undefined;
  const wake = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  gunzip.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    wake();
  });
  gunzip.on('error', (error: unknown) => {
    failure ??= error;
    finished = true;
    abandonWrite?.();
    wakeFeeder?.();
    wake();
  });
  gunzip.on('end', () => {
    finished = true;
    wake();
  });
  gunzip.on('close', () => {
    finished = true;
    abandonWrite?.();
    wakeFeeder?.();
    wake();
  });
  const feed = async () => {
    try {
      for await (const chunk of raw) {
        for (let at = 0; at < chunk.length; at += INFLATE_SLICE) {
          if (finished) return;
          const slice = chunk.subarray(at, at + INFLATE_SLICE);
          fed.bytes += slice.length;
          // The write callback runs once the slice is inflated (its output already emitted: the stream flows).
          await new Promise<void>((resolve) => {
            abandonWrite = resolve;
            gunzip.write(slice, () => resolve());
          });
          while (queued > INFLATE_QUEUE && !finished) await new Promise<void>((resolve) => (wakeFeeder = resolve));
        }
      }
      if (!finished) gunzip.end();
    } catch (error: unknown) {
      failure ??= error;
      gunzip.destroy();
    }
  };
  void feed();
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        queued -= chunk.length;
        if (queued <= INFLATE_QUEUE) {
          wakeFeeder?.();
        }
        yield chunk;
        continue;
      }
      if (finished) {
        if (failure !== undefined) throw failure;
        return;
      }
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  } finally {
    gunzip.destroy();
  }
}
