/**
 * Generated log files for the benchmarks, in any input format, written as a stream: a file of ten million records
 * needs no more memory than one chunk of them.
 */
import { createWriteStream } from 'node:fs';
import type { LogFormat } from '../../shared/decoders/decoder.js';
import { encodeApiGateway, encodeCwlEnvelopeBase64, encodeLine, w3cHeaderLines } from '../../shared/encoders/index.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { benchTraffic } from './traffic.js';

const CHUNK = 100_000;
/** API Gateway log events per CloudWatch Logs envelope (one envelope per line). */
export const CWL_EVENTS_PER_ENVELOPE = 50;

function encodeChunk(format: LogFormat, events: ApiEvent[]): string[] {
  if (format !== 'cwl') return events.map((e) => encodeLine({ ...e, source: format }, format));
  const lines: string[] = [];
  for (let i = 0; i < events.length; i += CWL_EVENTS_PER_ENVELOPE) {
    const group = events.slice(i, i + CWL_EVENTS_PER_ENVELOPE);
    lines.push(
      encodeCwlEnvelopeBase64({
        logGroup: 'API-Gateway-Execution-Logs_bench/prod',
        logStream: 'bench',
        logEvents: group.map((e) => ({ timestamp: e.time, message: encodeApiGateway({ ...e, source: 'apigw' }) })),
      }),
    );
  }
  return lines;
}

/** Writes `count` records of bench traffic to `file` in `format`, waiting for the disk between chunks. */
export async function writeLogFile(format: LogFormat, file: string, count: number, seed = 7): Promise<void> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  // A write error also surfaces through end()'s callback: this copy only ends a wait for 'drain'.
  failed.catch(() => undefined);
  if (format === 'cloudfront-standard') out.write(`${w3cHeaderLines().join('\n')}\n`);
  const traffic = benchTraffic(count, seed);
  for (let done = 0; done < count; done += CHUNK) {
    const events: ApiEvent[] = [];
    for (let i = 0; i < CHUNK && done + i < count; i++) events.push(traffic.next().value as ApiEvent);
    if (!out.write(`${encodeChunk(format, events).join('\n')}\n`))
      await Promise.race([new Promise((resolve) => out.once('drain', resolve)), failed]);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
