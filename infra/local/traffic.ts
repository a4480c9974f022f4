/**
 * Traffic for the local cloud from the simulator (shared/simulate): a seeded shop API population plus an attack
 * scenario, encoded as the production sources would put it on the stream — CloudFront real-time lines one per
 * record, API Gateway access-log lines in CloudWatch Logs envelopes.
 */

import { encodeApiGateway, encodeCloudFrontRealtime } from '../../shared/encoders/index.js';
import type { ApiEvent } from '../../shared/events/api-event.js';
import { type ScenarioName, type SimulateOptions, simulate } from '../../shared/simulate/simulate.js';
import { recordsFromLines } from './feed.js';
import type { TrafficSource } from './index.js';

export interface SimulatedTrafficOptions extends Partial<SimulateOptions> {
  scenario?: ScenarioName;
  /** Records put per call (default 2,000). */
  chunk?: number;
  /** Told how many requests were put so far. */
  onProgress?: (put: number, total: number) => void;
}

/** Kinesis records of simulated events, in time order. */
export function recordsOfEvents(events: readonly ApiEvent[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let apigw: string[] = [];
  const flush = () => {
    if (apigw.length > 0) out.push(...recordsFromLines('apigw', apigw));
    apigw = [];
  };
  for (const event of events) {
    if (event.source === 'apigw') {
      apigw.push(encodeApiGateway(event));
      if (apigw.length >= 50) flush();
    } else {
      flush();
      out.push(Buffer.from(encodeCloudFrontRealtime(event), 'utf8'));
    }
  }
  flush();
  return out;
}

export function simulatedTraffic(options: SimulatedTrafficOptions = {}): TrafficSource & { events: number } {
  const { chunk = 2000, onProgress, ...simulateOptions } = options;
  const simulation = simulate({ ...simulateOptions, scenario: options.scenario ?? 'mixed' });
  const records = recordsOfEvents(simulation.events);
  const source = async (put: (records: readonly Uint8Array[]) => Promise<void>, signal: AbortSignal) => {
    for (let i = 0; i < records.length && !signal.aborted; i += chunk) {
      await put(records.slice(i, i + chunk));
      onProgress?.(Math.min(records.length, i + chunk), records.length);
    }
  };
  return Object.assign(source, { events: simulation.events.length });
}
