/**
 * The local console: serves the UI and the console API over the given store, on 127.0.0.1, behind a token
 * generated at start (printed as part of the URL). The same API runs in AWS as a Lambda behind API Gateway and
 * Cognito (functions/console-api/handler.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleActions } from '../../shared/console/actions.js';
import { type ConsoleResponse, createConsoleApi } from '../../shared/console/api.js';
import { ConsoleReadModel } from '../../shared/console/read-model.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { Store } from '../../shared/ports/store.js';
import { buildConsoleAssets } from './build.js';

export interface ConsoleServerOptions {
  store: Store;
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1: the console is for this machine only. */
  host?: string;
  /** The API token; default: 24 random bytes, base64url. */
  token?: string;
  /** The response module behind unblock/extend/allowlist/acknowledge/resolve; absent: those answer 501. */
  actions?: ConsoleActions;
  clock?: Clock;
  /** How old list snapshots may be (ms). Default 5 s. */
  maxAgeMs?: number;
  /** Where to print the URL at start, e.g. `(line) => process.stdout.write(line + '\n')`. Default: not printed. */
  log?: (line: string) => void;
}

export interface ConsoleServer {
  /** Base URL, e.g. `http://127.0.0.1:4817`. */
  origin: string;
  /** The URL to open: origin + `/#token=…` (the token never reaches a server log: it is in the fragment). */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** Headers on every response. The CSP allows only the console's own script and stylesheet: no inline code at all. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const MAX_BODY = 16 * 1024;
export const LOCAL_ACTOR = 'console:local';

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  contentType: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function sendApi(res: ServerResponse, response: ConsoleResponse): void {
  const extra: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (response.filename) extra['Content-Disposition'] = `attachment; filename="${response.filename}"`;
  const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  send(res, response.status, body, response.contentType ?? 'application/json; charset=utf-8', extra);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new RangeError('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenMatches(header: string | undefined, token: Buffer): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  return given.length === token.length && timingSafeEqual(given, token);
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const clock = options.clock ?? systemClock;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const assets = await buildConsoleAssets();
  const model = new ConsoleReadModel(options.store, { clock, maxAgeMs: options.maxAgeMs ?? 5000 });
  const api = createConsoleApi({ model, clock, ...(options.actions ? { actions: options.actions } : {}) });
  const host = options.host ?? '127.0.0.1';
  let allowedHosts = new Set<string>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: 'internal error' }), 'application/json; charset=utf-8');
      else res.destroy();
      options.log?.(`console: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a page on another name resolving to 127.0.0.1 must not reach the console.
    if (!allowedHosts.has(req.headers.host ?? '')) {
      send(res, 421, 'Misdirected request', 'text/plain; charset=utf-8');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(req.headers.authorization, tokenBytes)) {
        sendApi(res, { status: 401, body: { error: 'a valid token is required' } });
        return;
      }
      let body: unknown;
      if (method === 'POST') {
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
          sendApi(res, { status: 415, body: { error: 'send JSON' } });
          return;
        }
        try {
          const text = await readBody(req);
          body = text ? JSON.parse(text) : undefined;
        } catch {
          sendApi(res, { status: 400, body: { error: 'the body must be JSON of at most 16 KiB' } });
          return;
        }
      }
      sendApi(res, await api({ method, path: url.pathname, query: url.searchParams, body, actor: LOCAL_ACTOR }));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, 'Method not allowed', 'text/plain; charset=utf-8');
      return;
    }
    const asset = assets.get(url.pathname === '/' ? '/index.html' : url.pathname);
    if (!asset) {
      send(res, 404, 'Not found', 'text/plain; charset=utf-8');
      return;
    }
    send(res, 200, asset.body, asset.contentType, { 'Cache-Control': 'no-cache' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  const origin = `http://${host}:${port}`;
  const url = `${origin}/#token=${token}`;
  options.log?.(`Lantern console: ${url}`);
  return {
    origin,
    url,
    token,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
