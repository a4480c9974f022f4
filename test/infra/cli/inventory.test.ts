import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeInputs, prepareStore } from '../../../infra/cli/analyze.js';
import { renderInventory } from '../../../infra/cli/inventory.js';
import { UsageError } from '../../../infra/cli/usage.js';
import { listInputs } from '../../../shared/adapters/files/log-files.js';
import { createMemoryStore } from '../../../shared/adapters/memory/memory-store.js';
import { encodeCloudFrontRealtime } from '../../../shared/encoders/index.js';
import { makeApiEvent } from '../../helpers/events.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'lantern-inventory-'));
const HOST = 'api.example.com';

const SPEC = `openapi: 3.0.0
info: { title: shop, version: '2' }
servers: [{ url: 'https://${HOST}' }]
paths:
  /v2/users/{id}:
    get: { responses: { '200': { description: ok } } }
  /v2/orders:
    post: { deprecated: true, responses: { '200': { description: ok } } }
  /v2/never-called:
    get: { responses: { '200': { description: ok } } }
`;

function writeTraffic(name: string, paths: Array<[string, string]>): string {
  const lines = paths.map(([method, p], i) =>
    encodeCloudFrontRealtime(makeApiEvent({ host: HOST, method, path: p, time: 1_763_000_000_000 + i * 1000 })),
  );
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function inventoryOf(
  file: string,
  options: { declared?: string[]; previousDeclared?: string[]; overrides?: string },
) {
  const store = createMemoryStore();
  await prepareStore(store, {
    declared: options.declared ?? [],
    previousDeclared: options.previousDeclared ?? [],
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
  const { report } = await analyzeInputs(await listInputs([file]), { format: 'auto', behindCloudFront: false }, store);
  return report;
}

describe('lantern inventory against a declared spec', () => {
  const spec = path.join(dir, 'spec.yaml');
  writeFileSync(spec, SPEC);
  const traffic: Array<[string, string]> = [
    ...Array.from({ length: 30 }, (_, i): [string, string] => ['GET', `/v2/users/${1000 + i}`]),
    ...Array.from({ length: 20 }, (_, i): [string, string] => ['GET', `/v1/users/${2000 + i}`]),
    ['POST', '/v2/orders'],
    ...Array.from({ length: 5 }, (): [string, string] => ['GET', '/internal/debug/config']),
  ];
  const file = writeTraffic('traffic.log', traffic);

  it('classifies managed, zombie (older version, deprecated), shadow and unused endpoints', async () => {
    // Act
    const report = await inventoryOf(file, { declared: [spec] });

    // Assess
    const byPath = Object.fromEntries(report.endpoints.map((e) => [`${e.method} ${e.path}`, e]));
    expect(byPath['GET /v2/users/{userId}']?.classification).toBe('managed');
    expect(byPath['GET /v1/users/{userId}']).toMatchObject({ classification: 'zombie', zombieReason: 'older-version' });
    expect(byPath['POST /v2/orders']).toMatchObject({ classification: 'zombie', zombieReason: 'deprecated' });
    expect(byPath['GET /internal/debug/config']?.classification).toBe('shadow');
    expect(byPath['GET /v2/never-called']).toMatchObject({ classification: 'unused', requests: 0 });
    expect(report.summary.classifications).toEqual({ managed: 1, zombie: 2, shadow: 1, unused: 1 });
  });

  it('explains the merge that made a template', async () => {
    const report = await inventoryOf(file, {});
    const users = report.endpoints.find((e) => e.path === '/v2/users/{userId}');
    expect(users?.requests).toBe(30);
    expect(users?.params).toEqual([{ name: 'userId', kinds: ['int'] }]);
    expect(report.endpoints.every((e) => e.classification === 'unknown')).toBe(true);
  });

  it('respects a declare override from the overrides file', async () => {
    // Prepare
    const overrides = path.join(dir, 'overrides.json');
    writeFileSync(overrides, JSON.stringify([{ kind: 'declare', host: HOST, template: '/internal/{area}/{setting}' }]));

    // Act
    const report = await inventoryOf(file, { overrides });

    // Assess
    expect(report.endpoints.map((e) => e.path)).toContain('/internal/{area}/{setting}');
    expect(report.endpoints.map((e) => e.path)).not.toContain('/internal/debug/config');
  });

  it('rejects an unusable spec or overrides file as a usage error naming it', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'just: text\n');
    await expect(inventoryOf(file, { declared: [bad] })).rejects.toThrow(UsageError);
    const badOverrides = path.join(dir, 'bad-overrides.json');
    writeFileSync(badOverrides, JSON.stringify([{ kind: 'split', host: HOST, template: '/x/{id}' }]));
    await expect(inventoryOf(file, { overrides: badOverrides })).rejects.toThrow(/segmentIndex/);
  });

  it('exports CSV, JSON and an OpenAPI skeleton of what was observed', async () => {
    const report = await inventoryOf(file, { declared: [spec] });
    const csv = renderInventory(report, 'csv').split('\r\n');
    expect(csv[0]).toBe(
      'host,method,path,classification,requests,first_seen,last_seen,auth_share,error_rate,sensitive_data,unauthenticated',
    );
    expect(csv.some((line) => line.includes('"/v1/users/{userId}","zombie","20"'))).toBe(true);
    const openapi = JSON.parse(renderInventory(report, 'openapi'));
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v2/users/{userId}', '/v1/users/{userId}', '/internal/debug/config']),
    );
    expect(openapi.paths['/v2/never-called']).toBeUndefined();
    expect(JSON.parse(renderInventory(report, 'json'))).toHaveLength(report.endpoints.length);
  });

  it('runs as a command', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'infra/cli/bin.mjs'), 'inventory', '--declared', spec, file],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^CLASS\s+METHOD\s+HOST\s+PATH/);
    expect(run.stdout).toMatch(/shadow\s+GET\s+api\.example\.com\s+\/internal\/debug\/config/);
  });
});
