/**
 * The two emulators of the local cloud, started in this process: dynalite (DynamoDB) and kinesalite (Kinesis).
 * In memory by default; on disk under `dataDir` when given (kinesalite only if its optional `leveldown` is installed).
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { mkdirSync } from 'node:fs';

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

export async function startDynalite(options: { dataDir?: string; port?: number } = {}): Promise<Emulator> {
  const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;
  const dir = options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dir ? { path: dir } : {}) });
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

export async function startKinesalite(options: { dataDir?: string; port?: number; shardLimit?: number } = {}): Promise<Emulator> {
  const kinesalite = require('kinesalite') as (o: Record<string, unknown>) => Server;
  const dir = options.dataDir && kinesaliteCanPersist() ? path.join(options.dataDir, 'kinesis') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 50,
    ...(dir ? { path: dir } : {}),
  });
  const endpoint = await listen(server, options.port ?? 0);
  return { endpoint, persistent: dir !== undefined, close: closer(server) };
}
