import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, startConsoleServer } from '../../../infra/console/server.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';

let server: ConsoleServer;

function call(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.origin}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  server = await startConsoleServer({ store: createMemoryStore(), token: 'test-token-123' });
});
afterAll(async () => {
  await server.close();
});

describe('local console server', () => {
  it('serves the UI with a strict CSP and the security headers', async () => {
    // Act
    const page = await call('/');
    const script = await call('/app.js');
    // Assess
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).not.toMatch(/<script>|style=/);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('requires the token for the API, and gives the URL with the token in the fragment', async () => {
    // Act
    const without = await call('/api/overview');
    const wrong = await call('/api/overview', { authorization: 'Bearer nope' });
    const right = await call('/api/overview', { authorization: 'Bearer test-token-123' });
    // Assess
    expect(without.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
    expect(right.headers['cache-control']).toBe('no-store');
    expect(server.url).toBe(`${server.origin}/#token=test-token-123`);
  });

  it('refuses other host names (DNS rebinding)', async () => {
    // Act
    const rebound = await call('/api/overview', { host: 'evil.example:80', authorization: 'Bearer test-token-123' });
    // Assess
    expect(rebound.status).toBe(421);
  });
});

describe('local console for npm start', () => {
  it('starts with the response module wired and prints its URL', async () => {
    // Prepare
    const { startLocalConsole } = await import('../../../infra/console/local.js');
    const lines: string[] = [];
    // Act
    const local = await startLocalConsole({ store: createMemoryStore(), log: (line) => lines.push(line) });
    try {
      const session = await fetch(`${local.origin}/api/session`, {
        headers: { authorization: `Bearer ${local.token}` },
      });
      // Assess
      expect(await session.json()).toMatchObject({ actor: 'console:local', actions: true });
      expect(lines).toEqual([`Lantern console: ${local.url}`]);
    } finally {
      await local.close();
    }
  });
});
