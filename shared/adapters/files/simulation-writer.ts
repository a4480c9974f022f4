import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeLine, w3cHeaderLines } from '../../encoders/index.js';
import type { LogSource } from '../../events/api-event.js';
import { type GroundTruth, type SimulateOptions, simulate } from '../../simulate/simulate.js';

/**
 * Writes a simulation as log files, the way each service delivers them, plus `ground-truth.json`.
 * The file-writing half of `lantern simulate`; the events and truth come from the pure `simulate`.
 */
export interface WriteOptions extends SimulateOptions {
  /** Log format to write. Default `cloudfront-realtime`. */
  format?: LogSource;
  /** Directory to write into (created). */
  out: string;
  /** Requests per file (a delivery's worth). Default 20,000. */
  perFile?: number;
  /** Gzip the log files, as S3 deliveries are. Default false. */
  gzip?: boolean;
}

export interface Written {
  files: string[];
  truthFile: string;
  truth: GroundTruth;
}

export async function writeSimulation(options: WriteOptions): Promise<Written> {
  const format = options.format ?? 'cloudfront-realtime';
  const perFile = options.perFile ?? 20_000;
  const { events, truth } = simulate({ ...options, source: format });
  await mkdir(options.out, { recursive: true });
  const files: string[] = [];
  for (let i = 0, part = 0; i < events.length; i += perFile, part++) {
    const lines = events.slice(i, i + perFile).map((e) => encodeLine(e, format));
    if (format === 'cloudfront-standard') lines.unshift(...w3cHeaderLines());
    const name = `${truth.scenario}-${format}-${String(part).padStart(4, '0')}.log${options.gzip ? '.gz' : ''}`;
    const file = path.join(options.out, name);
    const text = `${lines.join('\n')}\n`;
    await writeFile(file, options.gzip ? gzipSync(text) : text);
    files.push(file);
  }
  const truthFile = path.join(options.out, 'ground-truth.json');
  await writeFile(truthFile, `${JSON.stringify({ format, ...truth }, null, 2)}\n`);
  return { files, truthFile, truth };
}
