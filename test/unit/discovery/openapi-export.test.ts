import { describe, expect, it } from 'vitest';
import { exportOpenApi } from '../../../shared/discovery/openapi-export.js';

describe('exportOpenApi', () => {
  it('builds a skeleton with typed path parameters', () => {
    // Act
    const doc = exportOpenApi([
      {
        host: 'api.example.com',
        method: 'GET',
        template: '/users/{userId}',
        params: [{ name: 'userId', kind: 'int' }],
        requests: 12,
        statusCounts: { '2xx': 10, '4xx': 2 },
        status: 'shadow',
      },
      { host: 'api.example.com', method: 'GET', template: '/files/{path+}' },
    ]) as {
      openapi: string;
      servers: unknown[];
      paths: Record<
        string,
        Record<string, { parameters?: Array<Record<string, unknown>>; responses: Record<string, unknown> }>
      >;
    };
    // Assess
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.servers).toEqual([{ url: 'https://api.example.com' }]);
    const get = doc.paths['/users/{userId}']?.get;
    expect(get?.parameters?.[0]).toMatchObject({
      name: 'userId',
      in: 'path',
      required: true,
      schema: { type: 'integer' },
    });
    expect(Object.keys(get?.responses ?? {})).toEqual(['2XX', '4XX']);
    expect(doc.paths['/files/{path}']?.get?.parameters?.[0]).toMatchObject({ name: 'path', 'x-lantern-greedy': true });
  });

  it('leaves out methods a path item has no slot for, and counts them', () => {
    // Act
    const doc = exportOpenApi([
      { host: 'api.example.com', method: 'PROPFIND', template: '/files' },
      { host: 'api.example.com', method: 'GET', template: '/files', authenticatedShare: 0.5, sensitiveData: ['email'] },
    ]) as { paths: Record<string, Record<string, unknown>>; 'x-lantern-skipped-methods'?: number };
    // Assess
    expect(Object.keys(doc.paths['/files'] ?? {})).toEqual(['get']);
    expect(doc['x-lantern-skipped-methods']).toBe(1);
    expect(doc.paths['/files']?.get).toMatchObject({
      'x-lantern-authenticated-share': 0.5,
      'x-lantern-sensitive-data': ['email'],
    });
  });

  it('lists no server for an empty host (gateway logs without a domain name)', () => {
    // Act
    const doc = exportOpenApi([
      { host: '', method: 'GET', template: '/users/{userId}' },
      { host: 'api.example.com', method: 'GET', template: '/health' },
    ]) as { servers: unknown[]; paths: Record<string, Record<string, { servers?: unknown[] }>> };
    // Assess
    expect(doc.servers).toEqual([{ url: 'https://api.example.com' }]);
    expect(doc.paths['/users/{userId}']?.get?.servers).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain('"https://"');
  });

  it('lists every non-empty host as a server when endpoints come from several', () => {
    // Act
    const doc = exportOpenApi([
      { host: 'a.example.com', method: 'GET', template: '/x' },
      { host: 'b.example.com', method: 'GET', template: '/y' },
    ]) as { servers: unknown[]; paths: Record<string, Record<string, { servers?: unknown[] }>> };
    // Assess
    expect(doc.servers).toEqual([{ url: 'https://a.example.com' }, { url: 'https://b.example.com' }]);
    expect(doc.paths['/y']?.get?.servers).toEqual([{ url: 'https://b.example.com' }]);
  });
});
