import {
  APIGatewayClient,
  GetBasePathMappingsCommand,
  GetDomainNamesCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDeclaredRestApis } from '../../../../shared/adapters/apigateway/declared-apis.js';
import type { Timing } from '../../../../shared/adapters/waf/set-writer.js';

const apigw = mockClient(APIGatewayClient);
const client = () => new APIGatewayClient({ region: 'eu-west-1' });
const throttled = () => new TooManyRequestsException({ message: 'Too Many Requests', $metadata: {} });

function recordingTiming(): Timing & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, sleep: async (ms) => void sleeps.push(ms), now: () => 0, random: () => 0.5 };
}

describe('readDeclaredRestApis', () => {
  beforeEach(() => {
    apigw.reset();
    apigw.on(GetDomainNamesCommand).resolves({ items: [] });
  });

  it('pages through APIs and resources, with methods embedded, and keeps the next page position', async () => {
    // Prepare
    apigw
      .on(GetRestApisCommand)
      .resolvesOnce({ items: [{ id: 'a1b2c3d4e5', name: 'orders' }], position: 'apis-2' })
      .resolvesOnce({ items: [{ id: 'f6g7h8i9j0', name: 'internal', disableExecuteApiEndpoint: true }] });
    apigw
      .on(GetResourcesCommand, { restApiId: 'a1b2c3d4e5' })
      .resolvesOnce({
        items: [{ path: '/' }, { path: '/orders', resourceMethods: { GET: {}, POST: {} } }],
        position: 'res-2',
      })
      .resolvesOnce({ items: [{ path: '/orders/{id}', resourceMethods: { GET: {} } }] });
    apigw.on(GetResourcesCommand, { restApiId: 'f6g7h8i9j0' }).resolves({ items: [] });
    // Act
    const read = await readDeclaredRestApis({ client: client() });
    // Assess
    expect(read.missing).toEqual([]);
    expect(read.apis.map((a) => a.apiId)).toEqual(['a1b2c3d4e5', 'f6g7h8i9j0']);
    const orders = read.apis[0]!;
    expect(orders.resources).toEqual([
      { path: '/' },
      { path: '/orders', resourceMethods: { GET: {}, POST: {} } },
      { path: '/orders/{id}', resourceMethods: { GET: {} } },
    ]);
    expect(orders.mappings).toEqual([{ host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com', basePath: '' }]);
    // An API whose execute-api endpoint is disabled is only called on custom domains (none here).
    expect(read.apis[1]!.mappings).toEqual([]);
    const apiCalls = apigw.commandCalls(GetRestApisCommand).map((c) => c.args[0].input);
    expect(apiCalls).toEqual([{ limit: 500 }, { limit: 500, position: 'apis-2' }]);
    const resourceCalls = apigw.commandCalls(GetResourcesCommand, { restApiId: 'a1b2c3d4e5' });
    expect(resourceCalls.map((c) => c.args[0].input)).toEqual([
      { restApiId: 'a1b2c3d4e5', embed: ['methods'], limit: 500 },
      { restApiId: 'a1b2c3d4e5', embed: ['methods'], limit: 500, position: 'res-2' },
    ]);
  });

  it('asks a throttled page again from the same position, after a pause, and reads to the end', async () => {
    // Prepare
    apigw.on(GetRestApisCommand).resolves({ items: [{ id: 'a1b2c3d4e5' }] });
    apigw
      .on(GetResourcesCommand)
      .resolvesOnce({ items: [{ path: '/a', resourceMethods: { GET: {} } }], position: 'p2' })
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolvesOnce({ items: [{ path: '/b', resourceMethods: { PUT: {} } }] });
    const timing = recordingTiming();
    // Act
    const read = await readDeclaredRestApis({ client: client(), timing });
    // Assess
    expect(read.apis[0]!.resources.map((r) => r.path)).toEqual(['/a', '/b']);
    const positions = apigw.commandCalls(GetResourcesCommand).map((c) => c.args[0].input.position);
    expect(positions).toEqual([undefined, 'p2', 'p2', 'p2']);
    expect(timing.sleeps).toEqual([500, 1000]);
  });

  it('gives up on a page still throttled after its retries, and does not retry other errors', async () => {
    // Prepare
    apigw.on(GetRestApisCommand).rejects(throttled());
    const timing = recordingTiming();
    // Act / Assess
    await expect(readDeclaredRestApis({ client: client(), timing, throttleRetries: 2 })).rejects.toBeInstanceOf(
      TooManyRequestsException,
    );
    expect(apigw.commandCalls(GetRestApisCommand)).toHaveLength(3);
    apigw.reset();
    apigw.on(GetRestApisCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    await expect(readDeclaredRestApis({ client: client(), timing })).rejects.toBeInstanceOf(NotFoundException);
    expect(apigw.commandCalls(GetRestApisCommand)).toHaveLength(1);
  });

  it('reads only the APIs asked for, names the missing ones, and maps custom domains with their base path and stage', async () => {
    // Prepare
    apigw.on(GetRestApisCommand).resolves({ items: [{ id: 'a1b2c3d4e5' }, { id: 'zzzzzzzzzz' }] });
    apigw.on(GetResourcesCommand).resolves({ items: [{ path: '/pets', resourceMethods: { ANY: {} } }] });
    apigw
      .on(GetDomainNamesCommand)
      .resolvesOnce({ items: [{ domainName: 'API.example.com' }], position: 'd2' })
      .resolvesOnce({ items: [{ domainName: 'other.example.com' }] });
    apigw.on(GetBasePathMappingsCommand, { domainName: 'API.example.com' }).resolves({
      items: [
        { basePath: '(none)', restApiId: 'a1b2c3d4e5', stage: 'prod' },
        { basePath: 'v2', restApiId: 'a1b2c3d4e5', stage: 'beta' },
        { basePath: 'zz', restApiId: 'zzzzzzzzzz', stage: 'prod' },
      ],
    });
    apigw.on(GetBasePathMappingsCommand, { domainName: 'other.example.com' }).resolves({ items: [] });
    // Act
    const read = await readDeclaredRestApis({ client: client(), apiIds: ['a1b2c3d4e5', 'b1b2c3d4e5'] });
    // Assess
    expect(read.missing).toEqual(['b1b2c3d4e5']);
    expect(read.apis.map((a) => a.apiId)).toEqual(['a1b2c3d4e5']);
    expect(read.apis[0]!.mappings).toEqual([
      { host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com', basePath: '' },
      { host: 'api.example.com', basePath: '', stage: 'prod' },
      { host: 'api.example.com', basePath: '/v2', stage: 'beta' },
    ]);
    expect(apigw.commandCalls(GetResourcesCommand)).toHaveLength(1);
  });
});
