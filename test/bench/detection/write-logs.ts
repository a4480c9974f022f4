import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ApiEvent, LogSource } from '../../../shared/events/api-event.js';
import { createLineDecoder } from '../../../shared/decoders/index.js';
import { encodeAlb, encodeApiGateway, encodeCloudFrontRealtime, encodeCloudFrontStandard, w3cHeaderLines } from '../../../shared/encoders/index.js';
import { type GroundTruth, type SimulateOptions, simulate } from '../../../shared/simulate/simulate.js';

/**
 * Writes a simulation as log files, the way each service delivers them, plus `ground-truth.json`.
 * This is the file-writing half of `lantern simulate`; the events and truth come from the pure `simulate`.
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

const EXTENSIONS: Record<LogSource, string> = {
  'cloudfront-realtime': 'log',
  'cloudfront-standard': 'log',
  apigw: 'log',
  alb: 'log',
};

export function encode(event: ApiEvent, format: LogSource): string {
  switch (format) {
    case 'cloudfront-realtime':
      return encodeCloudFrontRealtime(event);
    case 'cloudfront-standard':
      return encodeCloudFrontStandard(event);
    case 'apigw':
      return encodeApiGateway(event);
    case 'alb':
      return encodeAlb(event);
  }
}

export async function writeSimulation(options: WriteOptions): Promise<Written> {
  const format = options.format ?? 'cloudfront-realtime';
  const perFile = options.perFile ?? 20_000;
  const { events, truth } = simulate({ ...options, source: format });
  await mkdir(options.out, { recursive: true });
  const files: string[] = [];
  for (let i = 0, part = 0; i < events.length; i += perFile, part++) {
    const lines = events.slice(i, i + perFile).map((e) => encode(e, format));
    if (format === 'cloudfront-standard') lines.unshift(...w3cHeaderLines());
    const name = `${truth.scenario}-${format}-${String(part).padStart(4, '0')}.${EXTENSIONS[format]}${options.gzip ? '.gz' : ''}`;
    const file = path.join(options.out, name);
    const text = `${lines.join('\n')}\n`;
    await writeFile(file, options.gzip ? gzipSync(text) : text);
    files.push(file);
  }
  const truthFile = path.join(options.out, 'ground-truth.json');
  await writeFile(truthFile, `${JSON.stringify({ format, ...truth }, null, 2)}\n`);
  return { files, truthFile, truth };
}

/**
 * The events as Lantern would read them back from `format`'s log: each is encoded and decoded, so fields the
 * format cannot carry (country and ASN in API Gateway logs, principal and API key in CloudFront logs) are gone.
 */
export function throughLog(events: readonly ApiEvent[], format: LogSource): ApiEvent[] {
  const decode = createLineDecoder(format);
  if (format === 'cloudfront-standard') for (const line of w3cHeaderLines()) decode(line);
  return events.map((event) => {
    const result = decode(encode(event, format));
    const outcome = result.kind === 'records' ? result.outcomes[0] : undefined;
    if (!outcome?.ok) throw new Error(`simulated ${format} record not read back: ${outcome && !outcome.ok ? outcome.reason : result.kind}`);
    return outcome.event;
  });
}
