import {
  GetIPSetCommand,
  GetRegexPatternSetCommand,
  UpdateIPSetCommand,
  UpdateRegexPatternSetCommand,
  WAFOptimisticLockException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Timing } from '../../../../shared/adapters/waf/set-writer.js';
import {
  createWafEnforcer,
  packKeyPatterns,
  unpackKeyPatterns,
  type WafEnforcerOptions,
  wafRegionFor,
} from '../../../../shared/adapters/waf/waf-enforcer.js';

const waf = mockClient(WAFV2Client);
const V4 = { name: 'lantern-blocked-v4', id: 'v4-id' };
const V6 = { name: 'lantern-blocked-v6', id: 'v6-id' };
const KEYS = { name: 'lantern-blocked-keys', id: 'keys-id' };

/** Virtual time: sleeps advance the clock at once and are recorded. */
function virtualTiming(): Timing & { sleeps: number[] } {
  let now = 1_000_000;
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

function enforcer(extra: Partial<WafEnforcerOptions> = {}) {
  const timing = virtualTiming();
  const e = createWafEnforcer({
    client: new WAFV2Client({ region: 'us-east-1' }),
    scope: 'CLOUDFRONT',
    ipv4: V4,
    ipv6: V6,
    timing,
    ...extra,
  });
  return { e, timing };
}

function ipSet(addresses: string[], token = 'token-1', version: 'IPV4' | 'IPV6' = 'IPV4') {
  return {
    IPSet: {
      Name: V4.name,
      Id: V4.id,
      ARN: 'arn',
      IPAddressVersion: version,
      Addresses: addresses,
      Description: 'Lantern blocks',
    },
    LockToken: token,
  };
}

describe('WAF enforcer', () => {
  beforeEach(() => {
    waf.reset();
  });

  it('blocks an IPv4 address: GetIPSet, then UpdateIPSet with the whole list, the /32 and the lock token', async () => {
    // Prepare
    waf.on(GetIPSetCommand, { Id: V4.id }).resolves(ipSet(['203.0.113.0/24']));
    waf.on(UpdateIPSetCommand).resolves({ NextLockToken: 'token-2' });
    const { e } = enforcer();
    // Act
    const report = await e.apply([{ op: 'block-ip', address: '45.33.32.156', rank: 200 }]);
    // Assess
    expect(report.outcomes[0]).toMatchObject({ ok: true, detail: 'added to WAF' });
    expect(waf.commandCalls(GetIPSetCommand)[0]?.args[0].input).toEqual({
      Name: V4.name,
      Scope: 'CLOUDFRONT',
      Id: V4.id,
    });
    expect(waf.commandCalls(UpdateIPSetCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: V4.name,
        Scope: 'CLOUDFRONT',
        Id: V4.id,
        Addresses: ['203.0.113.0/24', '45.33.32.156/32'],
        LockToken: 'token-1',
        Description: 'Lantern blocks',
      },
    ]);
  });

  it('blocks an IPv6 address in the IPv6 set as a canonical /128', async () => {
    waf
      .on(GetIPSetCommand, { Id: V6.id })
      .resolves(ipSet(['2001:0db8:0000:0000:0000:0000:0000:0001/128'], 't6', 'IPV6'));
    waf.on(UpdateIPSetCommand).resolves({});
    const { e } = enforcer();
    await e.apply([{ op: 'block-ip', address: '2A03:2880:F12F:83:FACE:B00C::25DE', rank: 1 }]);
    expect(waf.commandCalls(GetIPSetCommand).map((c) => c.args[0].input.Id)).toEqual([V6.id]);
    expect(waf.commandCalls(UpdateIPSetCommand)[0]?.args[0].input).toMatchObject({
      Id: V6.id,
      Addresses: ['2001:db8::1/128', '2a03:2880:f12f:83:face:b00c:0:25de/128'],
      LockToken: 't6',
    });
  });

  it('retries a stale lock token with a fresh read, after a jittered backoff', async () => {
    waf
      .on(GetIPSetCommand)
      .resolvesOnce(ipSet([], 'stale'))
      .resolves(ipSet(['46.4.1.1/32'], 'fresh'));
    waf
      .on(UpdateIPSetCommand)
      .rejectsOnce(new WAFOptimisticLockException({ message: 'The lock token is stale', $metadata: {} }))
      .resolves({});
    const { e, timing } = enforcer({ baseDelayMs: 100 });
    const report = await e.apply([{ op: 'block-ip', address: '45.33.32.156', rank: 1 }]);
    expect(report.outcomes[0]?.ok).toBe(true);
    const updates = waf.commandCalls(UpdateIPSetCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => [u.LockToken, u.Addresses])).toEqual([
      ['stale', ['45.33.32.156/32']],
      ['fresh', ['46.4.1.1/32', '45.33.32.156/32']],
    ]);
    expect(timing.sleeps).toContain(50); // full jitter: random 0.5 × 100 ms
  });

  it('gives up after the configured attempts and reports the change as failed (the event is retried)', async () => {
    waf.on(GetIPSetCommand).resolves(ipSet([]));
    waf.on(UpdateIPSetCommand).rejects(new WAFOptimisticLockException({ message: 'stale', $metadata: {} }));
    const { e } = enforcer({ maxAttempts: 3 });
    const report = await e.apply([{ op: 'block-ip', address: '45.33.32.156', rank: 1 }]);
    expect(report.outcomes[0]).toMatchObject({ ok: false, reason: 'failed' });
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(3);
  });

  it('writes nothing when the change is already there (or already gone)', async () => {
    waf.on(GetIPSetCommand).resolves(ipSet(['45.33.32.156/32']));
    const { e } = enforcer();
    const report = await e.apply([
      { op: 'block-ip', address: '45.33.32.156', rank: 1 },
      { op: 'unblock-ip', address: '46.4.1.1' },
    ]);
    expect(report.outcomes.map((o) => o.ok && o.detail)).toEqual(['already in WAF', 'not in WAF']);
    expect(waf.commandCalls(UpdateIPSetCommand)).toHaveLength(0);
  });

  it('when the set is full keeps the worst: evicts a lower-ranked Lantern block, never a foreign range', async () => {
    waf.on(GetIPSetCommand).resolves(ipSet(['10.0.0.0/8', '46.4.1.1/32', '46.4.1.2/32']));
    waf.on(UpdateIPSetCommand).resolves({});
    const { e } = enforcer({ limits: { ipSetAddresses: 3 } });
    const ranks = async () =>
      new Map([
        ['ip:46.4.1.1', 100],
        ['ip:46.4.1.2', 300],
      ]);
    const report = await e.apply(
      [
        { op: 'block-ip', address: '45.33.32.156', rank: 200 },
        { op: 'block-ip', address: '45.33.32.157', rank: 50 },
      ],
      { ranks },
    );
    expect(report.outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'set-full']);
    expect(report.evicted).toEqual([{ op: 'block-ip', target: '46.4.1.1' }]);
    expect(waf.commandCalls(UpdateIPSetCommand)[0]?.args[0].input.Addresses).toEqual([
      '10.0.0.0/8',
      '46.4.1.2/32',
      '45.33.32.156/32',
    ]);
  });

  it('coalesces concurrent changes into one write and keeps one write per second', async () => {
    waf.on(GetIPSetCommand).resolves(ipSet([]));
    waf.on(UpdateIPSetCommand).resolves({});
    const { e, timing } = enforcer();
    const [a, b, c] = await Promise.all([
      e.apply([{ op: 'block-ip', address: '45.33.32.1', rank: 1 }]),
      e.apply([{ op: 'block-ip', address: '45.33.32.2', rank: 1 }]),
      e.apply([
        { op: 'block-ip', address: '45.33.32.3', rank: 1 },
        { op: 'unblock-ip', address: '45.33.32.1' },
      ]),
    ]);
    expect([a, b, c].map((r) => r.outcomes[0]?.ok)).toEqual([true, true, true]);
    expect(waf.commandCalls(UpdateIPSetCommand).map((u) => u.args[0].input.Addresses)).toEqual([
      ['45.33.32.2/32', '45.33.32.3/32'],
    ]);
    // A second write right after waits for the gate.
    waf.on(GetIPSetCommand).resolves(ipSet(['45.33.32.2/32']));
    await e.apply([{ op: 'block-ip', address: '45.33.32.9', rank: 1 }]);
    expect(timing.sleeps).toEqual([1000]);
  });

  it('blocks an API key through the regex pattern set, resolving its value from its id', async () => {
    waf.on(GetRegexPatternSetCommand).resolves({
      RegexPatternSet: { Name: KEYS.name, Id: KEYS.id, RegularExpressionList: [{ RegexString: '^bad-bot' }] },
      LockToken: 'rk1',
    });
    waf.on(UpdateRegexPatternSetCommand).resolves({});
    const values: Record<string, string> = {
      k1: 'Xy12abcdefghijklmnopqrstuvwxyz0123456789',
      k2: 'Ab34abcdefghijklmnopqrstuvwxyz0123456789',
    };
    const { e } = enforcer({ apiKeys: { ...KEYS, resolveValue: async (id) => values[id] } });
    const report = await e.apply([
      { op: 'block-key', apiKeyId: 'k1', rank: 1 },
      { op: 'block-key', apiKeyId: 'k2', rank: 1 },
      { op: 'block-key', apiKeyId: 'gone', rank: 1 },
    ]);
    expect(report.outcomes.map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['ok', 'ok', 'not-found']);
    expect(report.outcomes[0]?.ok && report.outcomes[0].detail).toMatch(
      /^added to WAF \(key value sha256:[0-9a-f]{16}\)$/,
    );
    expect(waf.commandCalls(UpdateRegexPatternSetCommand)[0]?.args[0].input).toEqual({
      Name: KEYS.name,
      Scope: 'CLOUDFRONT',
      Id: KEYS.id,
      RegularExpressionList: [{ RegexString: '^bad-bot' }, { RegexString: `^(?:${values.k2}|${values.k1})$` }],
      LockToken: 'rk1',
    });
  });

  it('unblocks an API key: its value leaves the shared pattern, the other keys stay', async () => {
    const k1 = 'Xy12abcdefghijklmnopqrstuvwxyz0123456789';
    const k2 = 'Ab34abcdefghijklmnopqrstuvwxyz0123456789';
    waf.on(GetRegexPatternSetCommand).resolves({
      RegexPatternSet: { Name: KEYS.name, Id: KEYS.id, RegularExpressionList: [{ RegexString: `^(?:${k2}|${k1})$` }] },
      LockToken: 'rk2',
    });
    waf.on(UpdateRegexPatternSetCommand).resolves({});
    const { e } = enforcer({ apiKeys: { ...KEYS, resolveValue: async () => k1 } });
    const report = await e.apply([{ op: 'unblock-key', apiKeyId: 'k1' }]);
    expect(report.outcomes[0]?.ok).toBe(true);
    expect(waf.commandCalls(UpdateRegexPatternSetCommand)[0]?.args[0].input).toMatchObject({
      RegularExpressionList: [{ RegexString: `^(?:${k2})$` }],
      LockToken: 'rk2',
    });
  });

  it('packs and unpacks key patterns, escaping regex characters', () => {
    const packed = packKeyPatterns(['a.b', 'c|d', 'e'], 200);
    expect(packed).toEqual(['^(?:a\\.b|c\\|d|e)$']);
    expect(unpackKeyPatterns(packed ?? [])).toEqual(['a.b', 'c|d', 'e']);
    expect(packKeyPatterns(['x'.repeat(50), 'y'.repeat(50)], 60)).toHaveLength(2);
  });

  it('reports throttling as not a WAF change', async () => {
    const { e } = enforcer();
    const report = await e.apply([{ op: 'throttle-key', apiKeyId: 'k1' }]);
    expect(report.outcomes[0]).toMatchObject({ ok: false, reason: 'unsupported' });
  });

  it('puts CLOUDFRONT-scope clients in us-east-1 and REGIONAL ones in the stack region', () => {
    expect(wafRegionFor('CLOUDFRONT', 'eu-west-1')).toBe('us-east-1');
    expect(wafRegionFor('REGIONAL', 'eu-west-1')).toBe('eu-west-1');
  });
});
