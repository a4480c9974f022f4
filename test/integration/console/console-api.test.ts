/**
 * The console API's Lambda adapter against the DynamoDB store on dynalite: the store is filled by the real engine,
 * an action is taken by the real responder, and the console reads, pages and unblocks through API Gateway events.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApiHandler } from '../../../functions/console-api/console-api.js';
import { localDocumentClient, localDynamoClient } from '../../../infra/local/clients.js';
import { type Emulator, startDynalite } from '../../../infra/local/emulators.js';
import { createDynamoDbStore } from '../../../shared/adapters/dynamodb/dynamodb-store.js';
import { ensureTables } from '../../../shared/adapters/dynamodb/tables.js';
import { createConsoleApi } from '../../../shared/console/api.js';
import { ConsoleReadModel } from '../../../shared/console/read-model.js';
import { createResponseActions } from '../../../shared/console/response-actions.js';
import type { Finding } from '../../../shared/detection/finding.js';
import type { Store } from '../../../shared/ports/store.js';
import { compileResponseConfig, DEFAULT_RESPONSE_CONFIG } from '../../../shared/response/config.js';
import { respond } from '../../../shared/response/respond.js';
import { STATE_TABLE } from '../../../shared/store/tables.js';
import { EVIL_UA, fillStore, testClock } from '../../unit/console/traffic.js';

let dynamo: Emulator;
let store: Store;
let handle: ReturnType<typeof createConsoleApiHandler>;

function apiEvent(
  overrides: Partial<APIGatewayProxyEvent> & { query?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const { query, ...rest } = overrides;
  return {
    resource: '/api/{proxy+}',
    path: '/api/overview',
    httpMethod: 'GET',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      authorizer: { claims: { 'cognito:username': 'ann', sub: 'u-1' } },
    } as unknown as APIGatewayProxyEvent['requestContext'],
    ...rest,
  };
}

beforeAll(async () => {
  // Prepare
  dynamo = await startDynalite();
  await ensureTables(localDynamoClient(dynamo.endpoint), [STATE_TABLE], () => 'console-state');
  const clock = testClock();
  store = createDynamoDbStore({ client: localDocumentClient(dynamo.endpoint), tableName: 'console-state', clock });
  await fillStore(store, clock);
  const config = compileResponseConfig({
    ...DEFAULT_RESPONSE_CONFIG,
    mode: 'monitor',
    rules: { scanning: { block: { minSeverity: 'low', minConfidence: 0 } } },
  });
  const findings: Finding[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.findings.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    findings.push(...page.items.map((i) => i.value as Finding));
    cursor = page.cursor;
  } while (cursor);
  await respond(findings, { store, clock, config });
  const api = createConsoleApi({
    model: new ConsoleReadModel(store, { clock, maxAgeMs: 0, pageSize: 2 }),
    clock,
    actions: createResponseActions({ store, clock, config }),
  });
  handle = createConsoleApiHandler(api);
});

afterAll(async () => {
  await dynamo?.close();
});

describe('console API Lambda on dynalite', () => {
  it('answers 500 with its headers when the store fails, and reports the error', async () => {
    // Prepare
    const errors: unknown[] = [];
    const failing = createConsoleApiHandler(
      async () => {
        throw new Error('table gone');
      },
      (e) => errors.push(e),
    );
    // Act
    const response = await failing(apiEvent());
    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.headers?.['X-Content-Type-Options']).toBe('nosniff');
    expect(JSON.parse(response.body)).toEqual({ error: 'internal error' });
    expect(errors).toHaveLength(1);
  });

  it('refuses an event without Cognito claims', async () => {
    // Act
    const response = await handle(apiEvent({ requestContext: {} as APIGatewayProxyEvent['requestContext'] }));
    // Assess
    expect(response.statusCode).toBe(401);
  });

  it('serves the overview and pages the inventory read through small store pages', async () => {
    // Act
    const overview = JSON.parse((await handle(apiEvent())).body) as {
      totals: { endpoints: number; activeActions: number };
    };
    const page1 = await handle(apiEvent({ path: '/api/endpoints', query: { limit: '2', sort: 'path', order: 'asc' } }));
    const body1 = JSON.parse(page1.body) as { items: Array<{ path: string }>; cursor: string; total: number };
    const page2 = JSON.parse(
      (
        await handle(
          apiEvent({ path: '/api/endpoints', query: { limit: '2', sort: 'path', order: 'asc', cursor: body1.cursor } }),
        )
      ).body,
    ) as {
      items: Array<{ path: string }>;
    };
    // Assess
    expect(overview.totals).toMatchObject({ endpoints: 3, activeActions: 1 });
    expect(page1.headers?.['Cache-Control']).toBe('no-store');
    expect([...body1.items, ...page2.items].map((e) => e.path)).toEqual(['/internal/debug', '/v1/me', '/v1/pets']);
  });

  it('returns the user agent of a caller as data, never as markup', async () => {
    // Act
    const response = await handle(apiEvent({ path: '/api/entity', query: { id: 'ip:45.133.1.99' } }));
    // Assess
    expect(response.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    expect((JSON.parse(response.body) as { userAgents: string[] }).userAgents).toEqual([EVIL_UA]);
  });

  it('unblocks through the response module and the audit trail records who did it', async () => {
    // Prepare
    const actions = JSON.parse((await handle(apiEvent({ path: '/api/actions', query: { active: 'true' } }))).body) as {
      items: Array<{ id: string }>;
    };
    const id = actions.items[0]?.id ?? '';
    // Act
    const response = await handle(
      apiEvent({
        path: '/api/actions/unblock',
        httpMethod: 'POST',
        body: JSON.stringify({ id, note: 'customer called' }),
      }),
    );
    const audit = JSON.parse(
      (await handle(apiEvent({ path: '/api/audit', query: { actor: 'console:ann' } }))).body,
    ) as { items: Array<{ action: string; detail: string }> };
    // Assess
    expect(id).toBe('target:ip:45.133.1.66');
    expect(response.statusCode).toBe(200);
    expect(audit.items.map((a) => a.action).sort()).toEqual(['lifted · end-block', 'unblock']);
    expect(audit.items.some((a) => a.detail === 'customer called')).toBe(true);
    const again = await handle(
      apiEvent({ path: '/api/actions/unblock', httpMethod: 'POST', body: JSON.stringify({ id }) }),
    );
    expect(again.statusCode).toBe(409);
  });
});
