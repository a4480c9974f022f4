import {
  APIGatewayClient,
  ConflictException,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  apiKeyValueResolver,
  createUsagePlanEnforcer,
  methodThrottlePatch,
  UsagePlanPatchQueue,
} from '../../../../shared/adapters/apigateway/usage-plans.js';
import type { Timing } from '../../../../shared/adapters/waf/set-writer.js';

const apigw = mockClient(APIGatewayClient);
const client = () => new APIGatewayClient({ region: 'eu-west-1' });

describe('usage-plan enforcer', () => {
  beforeEach(() => {
    apigw.reset();
  });

  it('throttles a key: finds its plans, deletes the old plan key, creates the quarantine one, remembers the original', async () => {
    // Prepare
    apigw
      .on(GetUsagePlansCommand)
      .resolvesOnce({ items: [{ id: 'gold' }], position: 'p2' })
      .resolvesOnce({ items: [{ id: 'partner' }] });
    apigw.on(DeleteUsagePlanKeyCommand).resolves({});
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    const enforcer = createUsagePlanEnforcer({ client: client(), quarantinePlanId: 'quarantine' });
    // Act
    const report = await enforcer.apply([{ op: 'throttle-key', apiKeyId: 'key-1' }]);
    // Assess
    expect(report.outcomes[0]).toMatchObject({ ok: true, restoreUsagePlanIds: ['gold', 'partner'] });
    expect(apigw.commandCalls(GetUsagePlansCommand).map((c) => c.args[0].input)).toEqual([
      { keyId: 'key-1', limit: 500 },
      { keyId: 'key-1', limit: 500, position: 'p2' },
    ]);
    expect(apigw.commandCalls(DeleteUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'gold', keyId: 'key-1' },
      { usagePlanId: 'partner', keyId: 'key-1' },
    ]);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'quarantine', keyId: 'key-1', keyType: 'API_KEY' },
    ]);
    expect(apigw.commandCalls(UpdateUsagePlanCommand)).toHaveLength(0);
  });

  it('a retried throttle of a key already quarantined changes nothing', async () => {
    apigw.on(GetUsagePlansCommand).resolves({ items: [{ id: 'quarantine' }] });
    const enforcer = createUsagePlanEnforcer({ client: client(), quarantinePlanId: 'quarantine' });
    const report = await enforcer.apply([{ op: 'throttle-key', apiKeyId: 'key-1' }]);
    expect(report.outcomes[0]).toMatchObject({ ok: true, detail: 'already in the quarantine usage plan' });
    expect(apigw.commandCalls(DeleteUsagePlanKeyCommand)).toHaveLength(0);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand)).toHaveLength(0);
  });

  it('restores the original plans on expiry (tolerating a key already moved back)', async () => {
    apigw.on(DeleteUsagePlanKeyCommand).resolves({});
    apigw
      .on(CreateUsagePlanKeyCommand, { usagePlanId: 'partner' })
      .rejects(new ConflictException({ message: 'already exists', $metadata: {} }));
    apigw.on(CreateUsagePlanKeyCommand, { usagePlanId: 'gold' }).resolves({});
    const enforcer = createUsagePlanEnforcer({ client: client(), quarantinePlanId: 'quarantine' });
    const report = await enforcer.apply([
      { op: 'unthrottle-key', apiKeyId: 'key-1', restoreUsagePlanIds: ['gold', 'partner'] },
    ]);
    expect(report.outcomes[0]).toMatchObject({ ok: true, detail: 'restored to gold, partner' });
    expect(apigw.commandCalls(DeleteUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'quarantine', keyId: 'key-1' },
    ]);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input.usagePlanId)).toEqual([
      'gold',
      'partner',
    ]);
  });

  it('falls back to the configured plan when the original plans were not recorded', async () => {
    apigw
      .on(DeleteUsagePlanKeyCommand)
      .rejects(new NotFoundException({ message: 'no such key in plan', $metadata: {} }));
    apigw.on(CreateUsagePlanKeyCommand).resolves({});
    const enforcer = createUsagePlanEnforcer({
      client: client(),
      quarantinePlanId: 'quarantine',
      fallbackPlanId: 'basic',
    });
    await enforcer.apply([{ op: 'unthrottle-key', apiKeyId: 'key-1', restoreUsagePlanIds: [] }]);
    expect(apigw.commandCalls(CreateUsagePlanKeyCommand).map((c) => c.args[0].input)).toEqual([
      { usagePlanId: 'basic', keyId: 'key-1', keyType: 'API_KEY' },
    ]);
  });

  it('reports an API failure on that change only', async () => {
    apigw.on(GetUsagePlansCommand).rejects(new Error('throttled'));
    const enforcer = createUsagePlanEnforcer({ client: client(), quarantinePlanId: 'quarantine' });
    const report = await enforcer.apply([
      { op: 'throttle-key', apiKeyId: 'k' },
      { op: 'block-ip', address: '45.1.1.1', rank: 1 },
    ]);
    expect(report.outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['failed', 'unsupported']);
  });

  it('reads a key value with includeValue, undefined for an unknown key', async () => {
    apigw.on(GetApiKeyCommand, { apiKey: 'k1' }).resolves({ id: 'k1', value: 'secret-value-000000000000' });
    apigw
      .on(GetApiKeyCommand, { apiKey: 'nope' })
      .rejects(new NotFoundException({ message: 'Invalid API Key identifier specified', $metadata: {} }));
    const resolve = apiKeyValueResolver(client());
    expect(await resolve('k1')).toBe('secret-value-000000000000');
    expect(await resolve('nope')).toBeUndefined();
    expect(apigw.commandCalls(GetApiKeyCommand)[0]?.args[0].input).toEqual({ apiKey: 'k1', includeValue: true });
  });
});

describe('UpdateUsagePlan queue', () => {
  beforeEach(() => {
    apigw.reset();
  });

  function virtualTiming(): Timing & { sleeps: number[] } {
    let now = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => now,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    };
  }

  it('coalesces changes per plan and sends at most one UpdateUsagePlan per 20 s', async () => {
    apigw.on(UpdateUsagePlanCommand).resolves({});
    const timing = virtualTiming();
    const queue = new UsagePlanPatchQueue(client(), timing);
    await Promise.all([
      queue.enqueue('gold', methodThrottlePatch('a1b2', 'prod', '/login', 'post', 5, 10)),
      queue.enqueue('gold', methodThrottlePatch('a1b2', 'prod', '/login', 'POST', 2, 4)),
      queue.enqueue('gold', [{ op: 'replace', path: '/throttle/rateLimit', value: '100' }]),
      queue.enqueue('silver', [{ op: 'replace', path: '/throttle/rateLimit', value: '10' }]),
    ]);
    expect(apigw.commandCalls(UpdateUsagePlanCommand).map((c) => c.args[0].input)).toEqual([
      {
        usagePlanId: 'gold',
        patchOperations: [
          { op: 'replace', path: '/apiStages/a1b2:prod/throttle/~1login/POST/rateLimit', value: '2' },
          { op: 'replace', path: '/apiStages/a1b2:prod/throttle/~1login/POST/burstLimit', value: '4' },
          { op: 'replace', path: '/throttle/rateLimit', value: '100' },
        ],
      },
      { usagePlanId: 'silver', patchOperations: [{ op: 'replace', path: '/throttle/rateLimit', value: '10' }] },
    ]);
    expect(timing.sleeps).toEqual([20_000]);
  });

  it('a refused UpdateUsagePlan rejects the callers whose changes it carried', async () => {
    apigw.on(UpdateUsagePlanCommand).rejects(new Error('TooManyRequestsException'));
    const queue = new UsagePlanPatchQueue(client(), virtualTiming());
    await expect(queue.enqueue('gold', [{ op: 'replace', path: '/throttle/rateLimit', value: '1' }])).rejects.toThrow(
      'TooManyRequestsException',
    );
  });
});
