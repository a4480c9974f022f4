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
});
