import { describe, expect, it } from 'vitest';
import {
  compileResponseConfig,
  DEFAULT_RESPONSE_CONFIG,
  ResponseConfigError,
  validateResponseConfig,
  WAF_IP_SET_CAPACITY,
  worstCaseBlockedAddresses,
} from '../../../shared/response/config.js';
import { actionDuration, decide, keyUseShown } from '../../../shared/response/policy.js';
import type { TargetState } from '../../../shared/response/state.js';
import { ATTACKER, ATTACKER_V6, config, HOUR, makeFinding, T0 } from './factories.js';

const base = { now: T0, newBlocksThisHour: 0 };

describe('response policy', () => {
  it('blocks a viewer address behind high-confidence credential stuffing, for the base duration', () => {
    const d = decide({ ...base, finding: makeFinding(), config: config() });
    expect(d).toMatchObject({
      action: 'block',
      target: { kind: 'ip', address: ATTACKER },
      until: T0 + HOUR,
      alert: true,
      enforce: true,
      level: 0,
    });
  });

  it('monitor mode (the default) decides the same but enforces nothing, and says so', () => {
    const d = decide({ ...base, finding: makeFinding(), config: compileResponseConfig(DEFAULT_RESPONSE_CONFIG) });
    expect(d.action).toBe('block');
    expect(d.enforce).toBe(false);
    expect(d.reasons.at(-1)).toMatch(/monitor mode/);
  });

  it('acts only above the type thresholds: low confidence is alerted, not blocked', () => {
    const d = decide({ ...base, finding: makeFinding({ confidence: 0.5 }), config: config() });
    expect(d.action).toBe('none');
    expect(d.alert).toBe(true);
    expect(d.reasons.join()).toMatch(/below the thresholds/);
  });

  it('alert-only types never lead to an action', () => {
    const d = decide({
      ...base,
      finding: makeFinding({ type: 'shadow-api-traffic', severity: 'critical', confidence: 1 }),
      config: config(),
    });
    expect(d.action).toBe('none');
    expect(d.reasons.join()).toMatch(/alert-only/);
  });

  it('does not alert below the alert severity', () => {
    const d = decide({ ...base, finding: makeFinding({ type: 'scanning', severity: 'low' }), config: config() });
    expect(d).toMatchObject({ action: 'none', alert: false });
  });

  it.each([
    ['10.1.2.3', /private or reserved/],
    ['192.168.0.9', /private or reserved/],
    ['127.0.0.1', /private or reserved/],
    ['100.64.1.1', /private or reserved/],
    ['fd00::1', /private or reserved/],
    ['fe80::1', /private or reserved/],
    ['::ffff:10.0.0.1', /private or reserved/],
    ['45.1.2.3, 46.1.2.3', /forwarded-for list/],
    ['not-an-ip', /not an IP address/],
  ])('never blocks %s', (address, reason) => {
    const d = decide({ ...base, finding: makeFinding({ entity: { type: 'ip', id: address } }), config: config() });
    expect(d.action).toBe('none');
    expect(d.reasons.join()).toMatch(reason);
  });

  it('never blocks a protected range: CloudFront edge, own NAT, proxies', () => {
    const cfg = config({ protectedCidrs: ['130.176.0.0/17', '2600:9000::/28', '52.1.2.3/32'] });
    for (const ip of ['130.176.12.9', '2600:9000:1234::1', '52.1.2.3']) {
      const d = decide({ ...base, finding: makeFinding({ entity: { type: 'ip', id: ip } }), config: cfg });
      expect(d.action, ip).toBe('none');
      expect(d.reasons.join(), ip).toMatch(/protected range/);
    }
  });

  it('blocks IPv6 viewers by their canonical address', () => {
    const d = decide({
      ...base,
      finding: makeFinding({ entity: { type: 'ip', id: '2A03:2880:F12F:0083:FACE:B00C:0000:25DE' } }),
      config: config(),
    });
    expect(d.target).toEqual({ kind: 'ip', address: ATTACKER_V6 });
  });

  it('respects the CIDR, API key and principal allowlists', () => {
    const cfg = config({ allow: { cidrs: ['45.33.32.0/24'], apiKeys: ['key123'], principals: ['partner-bot'] } });
    expect(decide({ ...base, finding: makeFinding(), config: cfg }).reasons.join()).toMatch(
      /allowlisted \(45\.33\.32\.0\/24\)/,
    );
    const key = makeFinding({ entity: { type: 'api-key', id: 'key123' } });
    expect(decide({ ...base, finding: key, config: cfg }).reasons.join()).toMatch(/API key key123 is allowlisted/);
    const linked = decide({
      ...base,
      finding: makeFinding({ entity: { type: 'ip', id: '46.4.1.1' } }),
      config: cfg,
      linkedPrincipals: ['partner-bot'],
    });
    expect(linked.action).toBe('none');
    expect(linked.reasons.join()).toMatch(/allowlisted principal partner-bot/);
  });

  it('principals and sessions are alerted, never blocked', () => {
    const d = decide({
      ...base,
      finding: makeFinding({ entity: { type: 'principal', id: 'alice' } }),
      config: config(),
    });
    expect(d).toMatchObject({ action: 'none', alert: true });
  });

  it('respects a manual unblock until its hold ends, then acts again', () => {
    const state: TargetState = {
      target: { kind: 'ip', address: ATTACKER },
      offences: 1,
      override: { kind: 'unblock', until: T0 + HOUR, by: 'ops@example.com', at: T0 - HOUR },
    };
    const held = decide({ ...base, finding: makeFinding({ revision: 2 }), config: config(), state });
    expect(held.action).toBe('none');
    expect(held.reasons.join()).toMatch(/manually unblocked by ops@example.com/);
    const later = decide({
      ...base,
      now: T0 + HOUR + 1,
      finding: makeFinding({ revision: 3 }),
      config: config(),
      state,
    });
    expect(later.action).toBe('block');
  });

  it('respects a manual allow, with or without an end', () => {
    const state: TargetState = {
      target: { kind: 'ip', address: ATTACKER },
      offences: 0,
      override: { kind: 'allow', by: 'ops', at: T0 },
    };
    expect(decide({ ...base, finding: makeFinding(), config: config(), state }).action).toBe('none');
  });

  it('escalates repeat offenders: each offence multiplies the duration, up to the maximum', () => {
    const cfg = config();
    const state = (offences: number): TargetState => ({ target: { kind: 'ip', address: ATTACKER }, offences });
    expect(decide({ ...base, finding: makeFinding(), config: cfg, state: state(1) }).until).toBe(T0 + 4 * HOUR);
    expect(decide({ ...base, finding: makeFinding(), config: cfg, state: state(2) }).until).toBe(T0 + 16 * HOUR);
    expect(decide({ ...base, finding: makeFinding(), config: cfg, state: state(9) }).until).toBe(T0 + 7 * 24 * HOUR);
    expect(actionDuration(cfg, 'throttle', 0)).toBe(HOUR);
  });

  it('throttles an API key first, and blocks a repeat offender', () => {
    const key = makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity: 'medium', confidence: 0.8 });
    expect(decide({ ...base, finding: key, config: config() })).toMatchObject({
      action: 'throttle',
      target: { kind: 'api-key', id: 'k1' },
    });
    const repeat = decide({
      ...base,
      finding: key,
      config: config(),
      state: { target: { kind: 'api-key', id: 'k1' }, offences: 2 },
    });
    expect(repeat.action).toBe('block');
    expect(repeat.reasons.join()).toMatch(/repeat offender/);
  });

  it('an address cannot be throttled: below the block threshold it is only alerted', () => {
    const d = decide({ ...base, finding: makeFinding({ severity: 'medium' }), config: config() });
    expect(d.action).toBe('none');
    expect(d.reasons.join()).toMatch(/only throttling/);
  });

  it('an escalation of an active block extends it rather than stacking a second', () => {
    const state: TargetState = {
      target: { kind: 'ip', address: ATTACKER },
      offences: 1,
      active: {
        kind: 'block',
        since: T0 - 10 * 60_000,
        until: T0 + 10 * 60_000,
        findingId: 'f',
        revision: 1,
        severity: 'high',
        enforced: true,
      },
    };
    const d = decide({ ...base, finding: makeFinding({ severity: 'critical', revision: 2 }), config: config(), state });
    expect(d).toMatchObject({ action: 'block', extends: true, until: T0 + 4 * HOUR });
  });

  it('does nothing new when the active block already lasts longer', () => {
    const state: TargetState = {
      target: { kind: 'ip', address: ATTACKER },
      offences: 0,
      active: {
        kind: 'block',
        since: T0,
        until: T0 + 10 * HOUR,
        findingId: 'f',
        revision: 1,
        severity: 'high',
        enforced: true,
      },
    };
    const d = decide({ ...base, finding: makeFinding({ revision: 2 }), config: config(), state });
    expect(d.action).toBe('none');
    expect(d.reasons.join()).toMatch(/already blocked/);
  });

  it('a throttled key that escalates to block-worthy is blocked (extension, hardened)', () => {
    const state: TargetState = {
      target: { kind: 'api-key', id: 'k1' },
      offences: 1,
      active: {
        kind: 'throttle',
        since: T0,
        until: T0 + HOUR,
        findingId: 'f',
        revision: 1,
        severity: 'medium',
        enforced: true,
      },
    };
    const d = decide({
      ...base,
      finding: makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity: 'critical' }),
      config: config(),
      state,
    });
    expect(d).toMatchObject({ action: 'block', extends: true });
  });

  it('caps new blocks per hour: beyond the cap the finding is alerted instead, whatever its severity', () => {
    const cfg = config({ maxNewBlocksPerHour: 3, alertMinSeverity: 'critical' });
    const d = decide({ ...base, newBlocksThisHour: 3, finding: makeFinding(), config: cfg });
    expect(d).toMatchObject({ action: 'none', alert: true });
    expect(d.reasons.join()).toMatch(/hourly cap of 3/);
    expect(decide({ ...base, newBlocksThisHour: 2, finding: makeFinding(), config: cfg }).action).toBe('block');
  });

  it('caps new throttles per hour apart from blocks: beyond the cap the key is alerted instead', () => {
    // Prepare
    const key = makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity: 'medium', confidence: 0.8 });
    const cfg = config({ maxNewThrottlesPerHour: 2, maxNewBlocksPerHour: 0 });
    // Act
    const beyond = decide({ ...base, newThrottlesThisHour: 2, finding: key, config: cfg });
    const within = decide({ ...base, newThrottlesThisHour: 1, finding: key, config: cfg });
    // Assess: the block cap (0 here) does not apply to throttles, the throttle cap does.
    expect(beyond).toMatchObject({ action: 'none', alert: true, target: { kind: 'api-key', id: 'k1' } });
    expect(beyond.reasons.join()).toMatch(/hourly cap of 2 new throttles reached: alert instead of throttle/);
    expect(within.action).toBe('throttle');
  });

  it('extending an active throttle is not a new throttle: the cap does not stop it', () => {
    const state: TargetState = {
      target: { kind: 'api-key', id: 'k1' },
      offences: 1,
      active: {
        kind: 'throttle',
        since: T0 - 30 * 60_000,
        until: T0 + 10 * 60_000,
        findingId: 'f',
        revision: 1,
        severity: 'medium',
        enforced: true,
      },
    };
    const key = makeFinding({
      entity: { type: 'api-key', id: 'k1' },
      severity: 'medium',
      confidence: 0.8,
      revision: 2,
    });
    const d = decide({
      ...base,
      newThrottlesThisHour: 5,
      finding: key,
      config: config({ maxNewThrottlesPerHour: 5 }),
      state,
    });
    expect(d).toMatchObject({ action: 'throttle', extends: true });
  });

  it.each([
    ['credential stuffing with no successful login', false, 'credential-stuffing', { successfulLogins: 0 }],
    ['credential stuffing that won logins', true, 'credential-stuffing', { successfulLogins: 3 }],
    ['enumeration of refused objects only', false, 'bola-enumeration', { successfulReads: 0 }],
    ["enumeration that read others' objects", true, 'bola-enumeration', { successfulReads: 12 }],
    ['a flood answered only with refusals and 429s', false, 'volumetric-abuse', { successfulRequests: 0 }],
    ['a flood the API served', true, 'volumetric-abuse', { successfulRequests: 900 }],
    ['scanning (404s are no use of a key)', false, 'scanning', {}],
    ['scraping (served answers)', true, 'scraping', { successShare: { observed: 0.9, threshold: 0.6 } }],
  ] as const)('a key finding of %s shows use of the key: %s', (_, shown, type, evidence) => {
    // Prepare
    const finding = makeFinding({
      type,
      entity: { type: 'api-key', id: 'k1' },
      severity: 'critical',
      confidence: 0.95,
      evidence: { ...evidence },
    });
    // Act
    const d = decide({ ...base, finding, config: config() });
    // Assess: never used successfully, the key is not acted on, nor even named as the target; the finding is alerted.
    expect(keyUseShown(finding)).toBe(shown);
    if (shown) expect(d.target).toEqual({ kind: 'api-key', id: 'k1' });
    else {
      expect(d).toMatchObject({ action: 'none', alert: true });
      expect(d.target).toBeUndefined();
      expect(d.reasons.join()).toMatch(/API key k1 was only tried, never used successfully/);
    }
  });

  it('an address in the same finding is judged as before: only keys need evidence of use', () => {
    const finding = makeFinding({ evidence: { successfulLogins: 0 }, severity: 'critical' });
    expect(decide({ ...base, finding, config: config() }).action).toBe('block');
  });

  it('an enforced block due but not lifted yet is still at the edge: a new finding extends it, never replaces it', () => {
    const due = (enforced: boolean): TargetState => ({
      target: { kind: 'ip', address: ATTACKER },
      offences: 1,
      active: {
        kind: 'block',
        since: T0 - HOUR - 30_000,
        until: T0 - 30_000,
        findingId: 'f',
        revision: 1,
        severity: 'high',
        enforced,
      },
    });
    const finding = makeFinding({ revision: 2 });
    const until = T0 + actionDuration(config(), 'block', 1);
    const enforced = decide({ ...base, finding, config: config(), state: due(true) });
    expect(enforced).toMatchObject({ action: 'block', extends: true, until });
    // Even in monitor mode, and even with the hour's block cap spent: nothing new is started.
    const monitor = config({ mode: 'monitor' });
    expect(decide({ ...base, finding, config: monitor, state: due(true) })).toMatchObject({ extends: true });
    const capped = decide({ ...base, newBlocksThisHour: 1_000, finding, config: config(), state: due(true) });
    expect(capped).toMatchObject({ action: 'block', extends: true });
    // A due monitor-mode record holds nothing at the edge: a new action in its place.
    const afterMonitor = decide({ ...base, finding, config: monitor, state: due(false) });
    expect(afterMonitor).toMatchObject({ action: 'block', until });
    expect(afterMonitor.extends).toBeUndefined();
  });

  it('a monitor-mode record does not count as in force once the mode is enforce', () => {
    const state: TargetState = {
      target: { kind: 'ip', address: ATTACKER },
      offences: 1,
      active: {
        kind: 'block',
        since: T0,
        until: T0 + 10 * HOUR,
        findingId: 'f',
        revision: 1,
        severity: 'high',
        enforced: false,
      },
    };
    const d = decide({ ...base, finding: makeFinding({ revision: 2 }), config: config(), state });
    expect(d).toMatchObject({ action: 'block', enforce: true });
    expect(d.extends).toBeUndefined();
  });

  it('decides only what the deployment can enforce: a key block without the WAF key set becomes a throttle', () => {
    const key = makeFinding({ entity: { type: 'api-key', id: 'k1' }, severity: 'critical' });
    const noKeySet = config({ capabilities: { blockAddresses: true, blockKeys: false, throttleKeys: true } });
    const d = decide({ ...base, finding: key, config: noKeySet });
    expect(d.action).toBe('throttle');
    expect(d.reasons.join()).toMatch(/throttled instead of blocked/);
    const nothing = config({ capabilities: { blockAddresses: false, blockKeys: false, throttleKeys: false } });
    expect(decide({ ...base, finding: key, config: nothing }).reasons.join()).toMatch(/alert only/);
    expect(decide({ ...base, finding: makeFinding(), config: nothing }).reasons.join()).toMatch(/no WAF IP sets/);
  });

  it('the worst case of addresses blocked at once fits a WAF IP set: 58 new blocks an hour with blocks of up to 7 days', () => {
    // 7 days + the expiry allowance (1 h) touch at most 170 clock hours.
    const week = { maxDurationMs: 7 * 24 * HOUR };
    expect(worstCaseBlockedAddresses({ ...week, maxNewBlocksPerHour: 50 })).toBe(8_500);
    expect(worstCaseBlockedAddresses({ ...week, maxNewBlocksPerHour: 58 })).toBeLessThanOrEqual(WAF_IP_SET_CAPACITY);
    expect(worstCaseBlockedAddresses({ ...week, maxNewBlocksPerHour: 59 })).toBeGreaterThan(WAF_IP_SET_CAPACITY);
    expect(validateResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, maxNewBlocksPerHour: 58 })).toEqual([]);
    expect(validateResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, maxNewBlocksPerHour: 59 })).toEqual([
      "maxNewBlocksPerHour 59 with blocks of up to 168 h can hold 10030 addresses blocked at once, more than a WAF IP set's 10000: at most 58 with this maxDurationMs",
    ]);
    // Shorter blocks allow a higher cap: 1-day blocks touch at most 26 clock hours.
    expect(
      validateResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, maxNewBlocksPerHour: 384, maxDurationMs: 24 * HOUR }),
    ).toEqual([]);
    expect(
      validateResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, maxNewBlocksPerHour: 385, maxDurationMs: 24 * HOUR }),
    ).toHaveLength(1);
  });

  it('rejects a throttle cap that is not a whole number of throttles', () => {
    expect(validateResponseConfig({ ...DEFAULT_RESPONSE_CONFIG, maxNewThrottlesPerHour: 2.5 })).toEqual([
      'maxNewThrottlesPerHour must be an integer >= 0',
    ]);
    expect(DEFAULT_RESPONSE_CONFIG.maxNewThrottlesPerHour).toBe(50);
  });

  it('rejects a wrong configuration naming every problem', () => {
    expect(() =>
      compileResponseConfig({
        ...DEFAULT_RESPONSE_CONFIG,
        mode: 'block' as never,
        maxNewBlocksPerHour: -1,
        allow: { cidrs: ['10.0.0.0/33'], apiKeys: [], principals: [] },
      }),
    ).toThrow(ResponseConfigError);
    try {
      compileResponseConfig({
        ...DEFAULT_RESPONSE_CONFIG,
        mode: 'block' as never,
        maxNewBlocksPerHour: -1,
        allow: { cidrs: ['10.0.0.0/33'], apiKeys: [], principals: [] },
      });
    } catch (error: unknown) {
      expect((error as ResponseConfigError).problems).toEqual([
        'mode must be monitor or enforce, got "block"',
        'maxNewBlocksPerHour must be an integer >= 0',
        'allow.cidrs: "10.0.0.0/33" is not a CIDR range',
      ]);
    }
  });
});
