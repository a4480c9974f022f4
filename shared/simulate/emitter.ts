import type { ApiEvent, LogSource } from '../events/api-event.js';
import type { Random } from './prng.js';
import { HOST, type Network, RESPONSE_BYTES } from './world.js';

/** Who sends a request: an address in a network, a user agent, and whatever credentials it carries. */
export interface Client {
  ip: string;
  network: Network;
  userAgent: string;
  principal?: string;
  apiKeyId?: string;
  session?: string;
}

export interface RequestSpec {
  method: string;
  path: string;
  /** The template, for the response size table; defaults to the path. */
  template?: string;
  query?: string;
  status: number;
  /** Response size; drawn around the template's typical size when absent. */
  bytes?: number;
}

const EDGES: Record<string, string> = { US: 'IAD89-P1', CA: 'YTO50-C1', GB: 'LHR61-P2', DE: 'FRA56-P5', FR: 'CDG52-P1', IE: 'DUB56-P1' };

/** Collects the simulated requests as ApiEvents, fully populated (each log format keeps what it can carry). */
export class Emitter {
  readonly events: ApiEvent[] = [];
  private counter = 0;

  constructor(
    private readonly source: LogSource,
    readonly start: number,
    readonly end: number,
    private readonly seed: number,
  ) {}

  request(random: Random, time: number, client: Client, spec: RequestSpec): void {
    if (time < this.start || time >= this.end) return;
    const typical = RESPONSE_BYTES[spec.template ?? spec.path] ?? 1_000;
    const ok = spec.status >= 200 && spec.status < 300;
    const bytes = spec.bytes ?? (ok ? Math.round(typical * (0.75 + 0.5 * random.next())) : random.int(120, 260));
    const authenticated = client.principal !== undefined || client.apiKeyId !== undefined;
    this.counter++;
    const event: ApiEvent = {
      time: Math.floor(time),
      source: this.source,
      requestId: `sim${this.seed.toString(36)}-${this.counter.toString(36)}-${random.hex(8)}`,
      host: HOST,
      method: spec.method,
      path: spec.path,
      ...(spec.query ? { query: spec.query } : {}),
      status: spec.status,
      bytesIn: spec.method === 'GET' ? 0 : random.int(80, 900),
      bytesOut: bytes,
      latencyMs: Math.round(15 + random.exponential(ok ? 40 : 10) + bytes / 50_000),
      clientIp: client.ip,
      userAgent: client.userAgent,
      country: client.network.country,
      asn: client.network.asn,
      edgeLocation: EDGES[client.network.country] ?? 'FRA56-P5',
      ...(client.apiKeyId ? { apiKeyId: client.apiKeyId } : {}),
      ...(client.principal ? { principal: client.principal } : {}),
      ...(client.session ? { session: client.session } : {}),
      authenticated,
    };
    this.events.push(event);
  }
}
