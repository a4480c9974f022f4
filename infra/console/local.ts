/**
 * The console as `npm start` runs it: the local server over the local cloud's store, with actions going through
 * the response module in the same mode as the local responder and a local enforcer (records, applies nothing).
 */
import { createLocalEnforcer } from '../../shared/adapters/local-enforcer/local-enforcer.js';
import { createResponseActions } from '../../shared/console/response-actions.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';
import { compileResponseConfig, DEFAULT_RESPONSE_CONFIG, type ResponseConfig } from '../../shared/response/config.js';
import { type ConsoleServer, startConsoleServer } from './server.js';

export interface LocalConsoleOptions {
  store: Store;
  /** The local responder's mode. Default monitor. */
  mode?: ResponseConfig['mode'];
  /** Default 0 (any free port). */
  port?: number;
  clock?: Clock;
  /** Prints `Lantern console: <url>` at start, and what the local enforcer would have done. */
  log?: (line: string) => void;
}

export function startLocalConsole(options: LocalConsoleOptions): Promise<ConsoleServer> {
  const clock = options.clock ?? systemClock;
  const config = compileResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, mode: options.mode ?? 'monitor' });
  const enforcer = createLocalEnforcer({
    now: () => clock.now(),
    onChange: (record) => options.log?.(`console: local enforcer would ${record.change.op} (nothing applied)`),
  });
  return startConsoleServer({
    store: options.store,
    clock,
    ...(options.port !== undefined ? { port: options.port } : {}),
    actions: createResponseActions({ store: options.store, clock, config, enforcer }),
    ...(options.log ? { log: options.log } : {}),
  });
}
