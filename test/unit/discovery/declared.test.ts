import { describe, expect, it } from 'vitest';
import {
  DeclaredSpecError,
  declaredFromGatewayResources,
  declaredFromGatewayRoutes,
  matchDeclared,
  parseDeclaredSpec,
} from '../../../shared/discovery/declared.js';

const OAS3 = JSON.stringify({
  openapi: '3.0.2',
  info: { title: 'Files', version: '2.0' },
  servers: [{ url: 'https://api.box.test/2.0' }],
  paths: {
    '/files/{file_id}': { get: {}, delete: { deprecated: true } },
    '/files/{file_id}#get_shared_link': { get: {} },
    '/files/content': {
      post: { servers: [{ url: 'https://upload.box.test/api/2.0' }] },
    },
    '/repos/{owner}/{repo}/raw/{filepath}': { get: {} },
    '/<upload_url>': { put: {} },
    '/indicators/sma/{stockTicker}': {
      get: { parameters: [{ name: 'stockTicker', in: 'path', schema: { type: 'string', example: 'AAPL' } }] },
    },
    '/indicators/sma/{fxTicker}': { get: {} },
  },
});

describe('parseDeclaredSpec', () => {
  it('applies the server path prefix, folds fragment keys and name-only variants, keeps other hosts', () => {
    // Act
    const api = parseDeclaredSpec(OAS3);
    const keys = api.operations.map((o) => `${o.host} ${o.method} ${o.template}`);
    // Assess
    expect(keys).toContain('api.box.test GET /2.0/files/{file_id}');
    expect(keys).toContain('upload.box.test POST /api/2.0/files/content');
    expect(api.operations.filter((o) => o.template === '/2.0/files/{file_id}' && o.method === 'GET')[0]?.variants).toBe(
      2,
    );
    expect(api.operations.filter((o) => o.template.startsWith('/2.0/indicators'))).toHaveLength(1);
    expect(api.operations.find((o) => o.method === 'DELETE')?.deprecated).toBe(true);
    expect(api.version).toBe('2.0');
    expect(api.skipped).toEqual([{ key: '/<upload_url>', reason: 'placeholder key, not a path template' }]);
  });

  it('marks a slash-spanning parameter that ends a template as greedy', () => {
    const api = parseDeclaredSpec(OAS3);
    expect(api.operations.map((o) => o.template)).toContain('/2.0/repos/{owner}/{repo}/raw/{filepath+}');
  });

  it('reads Swagger 2 YAML with basePath and path-level parameters', () => {
    const yaml = [
      'swagger: "2.0"',
      'info: { title: Gitea, version: "1.27" }',
      'basePath: /api/v1',
      'host: git.example.com',
      'paths:',
      '  /repos/{owner}/{repo}:',
      '    parameters:',
      '      - { name: owner, in: path, type: string, required: true }',
      '    get: { operationId: repoGet }',
      '    delete: { deprecated: true }',
    ].join('\n');
    const api = parseDeclaredSpec(yaml);
    expect(api.operations).toHaveLength(2);
    expect(api.operations[0]).toMatchObject({
      host: 'git.example.com',
      method: 'GET',
      template: '/api/v1/repos/{owner}/{repo}',
      operationId: 'repoGet',
    });
    expect(api.operations[0]?.parameters[0]).toEqual({ name: 'owner', type: 'string' });
  });

  it('substitutes server variables and keeps relative prefixes (keycloak-style)', () => {
    const api = parseDeclaredSpec(
      JSON.stringify({
        openapi: '3.1.0',
        info: { version: '1' },
        servers: [{ url: 'https://{hostname}/admin/realms', variables: { hostname: { default: 'kc.example' } } }],
        paths: { '/': { get: {} }, '/{realm}': { get: {} } },
      }),
    );
    expect(api.operations.map((o) => `${o.host} ${o.template}`)).toEqual([
      'kc.example /admin/realms/',
      'kc.example /admin/realms/{realm}',
    ]);
  });

  it('rejects what is not a spec with a named error', () => {
    expect(() => parseDeclaredSpec('{"hello": 1}')).toThrow(DeclaredSpecError);
    expect(() => parseDeclaredSpec(': : :')).toThrow(DeclaredSpecError);
  });
});

describe('API Gateway mapping', () => {
  it('maps REST resources and HTTP API routes', () => {
    const rest = declaredFromGatewayResources(
      [
        { path: '/pets', resourceMethods: { GET: {}, POST: {} } },
        { path: '/pets/{petId}', resourceMethods: { ANY: {} } },
        { path: '/' },
      ],
      { host: 'API.example.com', stage: 'prod' },
    );
    expect(rest.map((o) => `${o.method} ${o.template}`)).toEqual(['GET /pets', 'POST /pets', 'ANY /pets/{petId}']);
    expect(rest[0]).toMatchObject({ host: 'api.example.com', version: 'prod' });
    const http = declaredFromGatewayRoutes([
      { routeKey: 'GET /orders/{id}' },
      { routeKey: '$default' },
      { routeKey: 'ANY /{proxy+}' },
    ]);
    expect(http.map((o) => `${o.method} ${o.template}`)).toEqual(['GET /orders/{id}', 'ANY /{proxy+}']);
  });
});

describe('matchDeclared', () => {
  const ops = parseDeclaredSpec(OAS3).operations;

  it('matches ignoring parameter names, exact before instance, greedy tails', () => {
    expect(matchDeclared('api.box.test', 'GET', '/2.0/files/{fileId}', ops)).toMatchObject({ match: 'exact' });
    expect(matchDeclared('api.box.test', 'GET', '/2.0/files/12345', ops)).toMatchObject({ match: 'instance' });
    expect(matchDeclared('api.box.test', 'GET', '/2.0/repos/{o}/{r}/raw/{p}/{q}', ops)).toMatchObject({
      match: 'instance',
    });
    expect(matchDeclared('api.box.test', 'GET', '/2.0/repos/{o}/{r}/raw/{path+}', ops)).toMatchObject({
      match: 'exact',
    });
    expect(matchDeclared('api.box.test', 'PATCH', '/2.0/files/{fileId}', ops)).toBeUndefined();
    expect(matchDeclared('other.test', 'GET', '/2.0/files/{fileId}', ops)).toBeUndefined();
  });

  it('ANY matches every method', () => {
    const gw = declaredFromGatewayResources([{ path: '/pets/{petId}', resourceMethods: { ANY: {} } }]);
    expect(matchDeclared('h', 'DELETE', '/pets/{id}', gw)?.operation.method).toBe('ANY');
  });
});
