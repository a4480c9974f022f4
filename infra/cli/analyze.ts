import { writeFile } from 'node:fs/promises';
import {
  InputError,
  type LogInput,
  listInputs,
  readLines,
  readSmallFile,
} from '../../shared/adapters/files/log-files.js';
import { createMemoryStore } from '../../shared/adapters/memory/memory-store.js';
import { makeCloudFrontRealtimeDecoder } from '../../shared/decoders/cloudfront-realtime.js';
import { LIMITS, LOG_FORMATS, type LogFormat } from '../../shared/decoders/decoder.js';
import { type DeclaredOperation, DeclaredSpecError, parseDeclaredSpec } from '../../shared/discovery/declared.js';
import { OverridesError, parseOverrides } from '../../shared/discovery/overrides.js';
import { analyzeBatch } from '../../shared/engine/analyze.js';
import { saveDeclared, saveOverrides } from '../../shared/engine/discovery-state.js';
import { emptyBatchBuffer, type FormatChoice, InputDecoder } from '../../shared/engine/input-decoder.js';
import { buildReport, type Report } from '../../shared/engine/report.js';
import { systemClock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';
import { writeHtmlReport } from './html.js';
import { formatSummary, printable } from './summary.js';
import { type CommandOptions, EXIT, parseCommandLine, UsageError } from './usage.js';

/** Records handed to the engine at once: large enough to amortise the store round trip, small enough to stream. */
const BATCH_RECORDS = 5000;
/**
 * Store writes after which a document no batch has read or written is kept compacted (shared/adapters/memory): past
 * the caller packs' half-hour horizon a pack is never read again, and in a run the file's event time passes, not the
 * wall clock their expiry is set by, so they would stay live to the end. A batch writes five or six collections:
 * this is some 30 batches. Shorter (40 writes) also compacts callers seen less often, a quarter less live heap at
 * 500k records, but re-parsing them cost 12 % more CPU there and 36 % at 2.5M (bench/hot-path.md, memory).
 */
const COMPACT_AFTER_WRITES = 160;

export interface AnalyzeOptions {
  paths: string[];
  /** OpenAPI 3 / Swagger 2 files of the APIs the organisation declares it serves (JSON or YAML). */
  declared: string[];
  /** Earlier versions of those specs: an endpoint that was declared there and is gone now is a zombie. */
  previousDeclared: string[];
  /** A JSON file of discovery overrides (split, pin-static, declare). */
  overrides?: string;
  /** Write the self-contained HTML report here. */
  html?: string;
  format: FormatChoice;
  fields?: string[];
  behindCloudFront: boolean;
  json: boolean;
  out?: string;
  quiet: boolean;
}

export function parseAnalyzeArgs(
  argv: string[],
  extra: CommandOptions = {},
): AnalyzeOptions & { extra: Record<string, unknown> } {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      format: { type: 'string', default: 'auto' },
      fields: { type: 'string' },
      'behind-cloudfront': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      declared: { type: 'string', multiple: true },
      'previous-declared': { type: 'string', multiple: true },
      overrides: { type: 'string' },
      html: { type: 'string' },
      ...extra,
    },
    true,
  );
  const format = String(values.format);
  if (format !== 'auto' && !LOG_FORMATS.includes(format as LogFormat)) {
    throw new UsageError(`unknown --format ${format}: use auto, ${LOG_FORMATS.join(', ')}`);
  }
  if (positionals.length === 0) throw new UsageError('analyze needs at least one PATH (or - for standard input)');
  const fields =
    typeof values.fields === 'string'
      ? values.fields
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean)
      : undefined;
  if (fields) {
    // Refused here, as a usage error, rather than when the first input is opened halfway through a run.
    try {
      makeCloudFrontRealtimeDecoder(fields);
    } catch (error: unknown) {
      throw new UsageError(`bad --fields: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    paths: positionals,
    declared: list(values.declared),
    previousDeclared: list(values['previous-declared']),
    ...(typeof values.overrides === 'string' ? { overrides: values.overrides } : {}),
    ...(typeof values.html === 'string' ? { html: values.html } : {}),
    extra: Object.fromEntries(Object.keys(extra ?? {}).map((k) => [k, values[k]])),
    format: format as FormatChoice,
    ...(fields ? { fields } : {}),
    behindCloudFront: values['behind-cloudfront'] === true,
    json: values.json === true,
    ...(typeof values.out === 'string' ? { out: values.out } : {}),
    quiet: values.quiet === true,
  };
}

export interface AnalyzeResult {
  report: Report;
  /** Inputs that could not be opened or read at all. */
  unreadable: Array<{ name: string; error: string }>;
  inputs: number;
}

/** Streams every input through the decoders and the engine into `store`, then builds the report. */
export async function analyzeInputs(
  inputs: readonly LogInput[],
  options: Pick<AnalyzeOptions, 'format' | 'fields' | 'behindCloudFront'>,
  store: Store,
  onProgress?: (records: number, bytes: number) => void,
): Promise<AnalyzeResult> {
  const context = { store, clock: systemClock };
  const unreadable: AnalyzeResult['unreadable'] = [];
  let buffer = emptyBatchBuffer();
  let records = 0;
  let bytesBefore = 0;
  const flush = async () => {
    if (buffer.events.length + buffer.rejections.length + buffer.controlMessages === 0) return;
    const batch = buffer;
    buffer = emptyBatchBuffer();
    await analyzeBatch(batch, context);
  };

  for (const input of inputs) {
    const decoder = new InputDecoder(input.name, {
      format: options.format,
      ...((options.fields ?? input.fields) ? { fields: options.fields ?? input.fields } : {}),
      behindCloudFront: options.behindCloudFront,
    });
    let bytes = 0;
    try {
      // A CloudWatch Logs envelope line (named, or perhaps what auto-detection finds) may be a whole Kinesis record;
      // the line decoders reject their own lines past LIMITS.maxLineBytes.
      const maxLineBytes =
        options.format === 'cwl' || options.format === 'auto' ? LIMITS.maxRecordLineBytes : LIMITS.maxLineBytes;
      for await (const chunk of readLines(input, { maxLineBytes })) {
        const before = buffer.events.length + buffer.rejections.length;
        for (const { line: _line, ...rejection } of chunk.rejections) buffer.rejections.push(rejection);
        for (let i = 0; i < chunk.lines.length; i++)
          decoder.push(chunk.lines[i] as string, chunk.firstLine + i, buffer);
        records += buffer.events.length + buffer.rejections.length - before;
        bytes = chunk.bytesRead;
        onProgress?.(records, bytesBefore + bytes);
        if (buffer.events.length + buffer.rejections.length >= BATCH_RECORDS) await flush();
      }
    } catch (error: unknown) {
      if (error instanceof InputError || isFileError(error)) {
        unreadable.push({ name: input.name, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      throw error;
    }
    bytesBefore += bytes;
  }
  await flush();
  return { report: await buildReport(store), unreadable, inputs: inputs.length };
}

function isFileError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The largest declared spec or overrides file read (the largest public specs are a few MiB). */
const MAX_SPEC_BYTES = 64 * 1024 * 1024;

/**
 * Loads what the organisation declares (specs, previous specs) and the user's discovery overrides into the store
 * before any traffic is analysed. A spec or overrides file that cannot be used is a usage error: analysing without
 * it would classify every endpoint wrongly.
 */
export async function prepareStore(
  store: Store,
  options: Pick<AnalyzeOptions, 'declared' | 'previousDeclared' | 'overrides'>,
): Promise<void> {
  const readSpecs = async (files: readonly string[]) => {
    const operations: DeclaredOperation[] = [];
    for (const file of files) {
      let text: string;
      try {
        text = await readSmallFile(file, MAX_SPEC_BYTES);
      } catch (error: unknown) {
        throw new UsageError(
          error instanceof InputError
            ? `declared API spec: ${error.message}`
            : `cannot read the declared API spec ${file}`,
        );
      }
      try {
        operations.push(...parseDeclaredSpec(text).operations);
      } catch (error: unknown) {
        if (error instanceof DeclaredSpecError) throw new UsageError(`${file}: ${error.message}`);
        throw error;
      }
    }
    return operations;
  };
  if (options.previousDeclared.length > 0) await saveDeclared(store, await readSpecs(options.previousDeclared));
  if (options.declared.length > 0) await saveDeclared(store, await readSpecs(options.declared));
  if (options.overrides) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(await readSmallFile(options.overrides, MAX_SPEC_BYTES));
    } catch (error: unknown) {
      throw new UsageError(
        `cannot read the overrides file ${options.overrides}: ${error instanceof Error ? error.message : error}`,
      );
    }
    try {
      await saveOverrides(store, parseOverrides(overrides, options.overrides));
    } catch (error: unknown) {
      if (error instanceof OverridesError) throw new UsageError(error.message);
      throw error;
    }
  }
}

export async function runAnalyze(argv: string[]): Promise<number> {
  const options = parseAnalyzeArgs(argv);
  const outcome = await analyzeCommandLine(options);
  if (typeof outcome === 'number') return outcome;
  const json = `${JSON.stringify(outcome.report, null, 2)}\n`;
  if (options.out) await writeFile(options.out, json);
  if (options.html) await writeHtmlReport(options.html, outcome.report);
  if (options.json) process.stdout.write(json);
  else process.stdout.write(formatSummary(outcome.report));
  return EXIT.ok;
}

/** Reads, decodes and analyses the command line's inputs; returns the result, or an exit code when nothing could be read. */
export async function analyzeCommandLine(options: AnalyzeOptions): Promise<AnalyzeResult | number> {
  let inputs: LogInput[];
  try {
    inputs = await listInputs(options.paths);
  } catch (error: unknown) {
    if (error instanceof InputError) {
      process.stderr.write(`lantern: ${error.message}\n`);
      return EXIT.noInput;
    }
    throw error;
  }
  if (inputs.length === 0) {
    process.stderr.write('lantern: no log files found under the given paths\n');
    return EXIT.noInput;
  }

  const totalBytes = inputs.reduce((sum, i) => sum + (i.size ?? 0), 0);
  const showProgress = !options.quiet && process.stderr.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  const progress = (records: number, bytes: number) => {
    const now = Date.now();
    if (!showProgress || now - lastDraw < 500) return;
    lastDraw = now;
    const rate = Math.round(records / Math.max(0.001, (now - started) / 1000));
    const share = totalBytes > 0 ? ` ${Math.min(100, Math.round((bytes / totalBytes) * 100))}%` : '';
    process.stderr.write(
      `\r  ${records.toLocaleString('en-US')} records${share} · ${rate.toLocaleString('en-US')}/s   `,
    );
  };

  const store = createMemoryStore({ copy: false, compactAfter: COMPACT_AFTER_WRITES });
  await prepareStore(store, options);
  const result = await analyzeInputs(inputs, options, store, progress);
  if (showProgress) process.stderr.write('\r\x1b[K');
  for (const u of result.unreadable)
    process.stderr.write(`lantern: could not read ${printable(u.name, 200)}: ${printable(u.error, 200)}\n`);
  if (result.unreadable.length === result.inputs) return EXIT.noInput;
  return result;
}
