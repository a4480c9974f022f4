/**
 * The two emulators of the local cloud, started in this process: dynalite (DynamoDB) and kinesalite (Kinesis).
 * In memory by default; on disk under `dataDir` when given (kinesalite only if its optional `leveldown` is installed).
 */

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

export interface Emulator {
  endpoint: string;
  /** True when its state lives on disk. */
  persistent: boolean;
  close(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
}

export interface EmulatorOptions {
  dataDir?: string;
  port?: number;
  /**
   * Run the emulator on a worker thread of this process (default true): dynalite's work then runs on another core
   * than the handlers, which roughly doubles the local pipeline's throughput. False: on the caller's event loop.
   */
  thread?: boolean;
}

/** Starts `kind` on a worker thread of this process. */
async function startOnThread(
  kind: 'dynalite' | 'kinesalite',
  options: Record<string, unknown>,
  port: number,
): Promise<Pick<Emulator, 'endpoint' | 'close'>> {
  const worker = new Worker(fileURLToPath(new URL('./emulator-worker.mjs', import.meta.url)), {
    workerData: { kind, options, port },
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { endpoint?: string; error?: string }) =>
      m.endpoint ? resolve(m.endpoint) : reject(new Error(`${kind}: ${m.error}`)),
    );
  });
  return {
    endpoint,
    close: async () => {
      const closed = new Promise<void>((resolve) => worker.once('message', () => resolve()));
      worker.postMessage('close');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
    },
  };
}

export async function startDynalite(options: EmulatorOptions = {}): Promise<Emulator> {
  const dir = options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const settings = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dir ? { path: dir } : {}) };
  if (options.thread ?? true)
    return { ...(await startOnThread('dynalite', settings, options.port ?? 0)), persistent: dir !== undefined };
  const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;
  const server = dynalite(settings);
  const endpoint = await listen(server, options.port ?? 0);
  return { endpoint, persistent: dir !== undefined, close: closer(server) };
}

export function kinesaliteCanPersist(): boolean {
  try {
    require.resolve('leveldown');
    return true;
  } catch {
    return false;
  }
}

export async function startKinesalite(options: EmulatorOptions & { shardLimit?: number } = {}): Promise<Emulator> {
  const dir = options.dataDir && kinesaliteCanPersist() ? path.join(options.dataDir, 'kinesis') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const settings = {
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 50,
    ...(dir ? { path: dir } : {}),
  };
  if (options.thread ?? true)
    return { ...(await startOnThread('kinesalite', settings, options.port ?? 0)), persistent: dir !== undefined };
  const kinesalite = require('kinesalite') as (o: Record<string, unknown>) => Server;
  const server = kinesalite(settings);
  const endpoint = await listen(server, options.port ?? 0);
  return { endpoint, persistent: dir !== undefined, close: closer(server) };
}
