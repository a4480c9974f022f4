import { describe, expect, it } from 'vitest';
import { ConfigError, loadResponderConfig } from '../../../functions/responder/config.js';

const base = { LANTERN_STATE_TABLE: 'lantern-State', AWS_REGION: 'eu-west-1' };

describe('responder configuration', () => {
  it('defaults to monitor mode with the AWS enforcers as configured', () => {
    const config = loadResponderConfig({ ...base });
    expect(config.policy.mode).toBe('monitor');
    expect(config.enforcer).toEqual({ kind: 'aws' });
    expect(config.policy.capabilities).toEqual({ blockAddresses: true, blockKeys: true, throttleKeys: true });
  });

  it('reads enforce mode, WAF sets (CLOUDFRONT scope in us-east-1), usage plans, lists and the CloudFront ranges', () => {
    const ipRanges = JSON.stringify({
      prefixes: [{ ip_prefix: '130.176.0.0/17', service: 'CLOUDFRONT' }],
      ipv6_prefixes: [],
    });
    const config = loadResponderConfig(
      {
        ...base,
        LANTERN_RESPONSE_MODE: 'enforce',
        LANTERN_WAF_SCOPE: 'CLOUDFRONT',
        LANTERN_WAF_IPV4_SET: 'lantern-v4|id4',
        LANTERN_WAF_IPV6_SET: 'lantern-v6|id6',
        LANTERN_WAF_API_KEY_SET: 'lantern-keys|idk',
        LANTERN_QUARANTINE_USAGE_PLAN_ID: 'q1',
        LANTERN_ALLOW_CIDRS: '198.51.100.0/24, 2001:db8::/32',
        LANTERN_PROTECTED_CIDRS: '52.1.2.3/32',
        LANTERN_AWS_IP_RANGES_FILE: '/opt/ip-ranges.json',
        LANTERN_RESPONSE_POLICY:
          '{"maxNewBlocksPerHour": 10, "rules": {"scanning": {"block": {"minSeverity": "critical", "minConfidence": 0.9}}}}',
        LANTERN_ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:lantern-alerts',
      },
      () => ipRanges,
    );
    expect(config.enforcer).toEqual({
      kind: 'aws',
      waf: {
        scope: 'CLOUDFRONT',
        region: 'us-east-1',
        ipv4: { name: 'lantern-v4', id: 'id4' },
        ipv6: { name: 'lantern-v6', id: 'id6' },
        apiKeys: { name: 'lantern-keys', id: 'idk' },
      },
      usagePlans: { quarantinePlanId: 'q1' },
    });
    expect(config.policy.capabilities).toEqual({ blockAddresses: true, blockKeys: true, throttleKeys: true });
    expect(config.policy.maxNewBlocksPerHour).toBe(10);
    expect(config.policy.rules.scanning?.block?.minSeverity).toBe('critical');
    expect(config.policy.rules['credential-stuffing']).toBeDefined();
    expect(config.policy.neverBlock.match('130.176.1.1')).toBe('130.176.0.0/17');
    expect(config.policy.neverBlock.match('52.1.2.3')).toBe('52.1.2.3/32');
    expect(config.policy.allowedRanges.size).toBe(2);
  });

  it('names every problem at once', () => {
    try {
      loadResponderConfig({
        AWS_REGION: 'eu-west-1',
        LANTERN_RESPONSE_MODE: 'enforce',
        LANTERN_WAF_IPV4_SET: 'only-a-name',
        LANTERN_ALERT_TOPIC_ARN: 'topic',
        LANTERN_ALLOW_CIDRS: '10.0.0.0/99',
      });
      expect.unreachable();
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        "LANTERN_STATE_TABLE is not set (the DynamoDB state table's name)",
        'LANTERN_WAF_IPV4_SET must be "<name>|<id>" of a WAF set, got "only-a-name"',
        'enforce mode needs the WAF IP sets (LANTERN_WAF_IPV4_SET, LANTERN_WAF_IPV6_SET) or LANTERN_ENFORCER=local',
        'LANTERN_ALERT_TOPIC_ARN "topic" is not an SNS topic ARN',
        'allow.cidrs: "10.0.0.0/99" is not a CIDR range',
      ]);
    }
  });

  it('reads the throttle cap, and refuses at cold start a block cap that could overflow a WAF IP set', () => {
    // Prepare, Act
    const config = loadResponderConfig({ ...base, LANTERN_RESPONSE_POLICY: '{"maxNewThrottlesPerHour": 7}' });
    // Assess
    expect(config.policy.maxNewThrottlesPerHour).toBe(7);
    expect(config.policy.maxNewBlocksPerHour).toBe(50);
    expect(() => loadResponderConfig({ ...base, LANTERN_RESPONSE_POLICY: '{"maxNewBlocksPerHour": 60}' })).toThrow(
      /maxNewBlocksPerHour 60 with blocks of up to 168 h can hold 10200 addresses blocked at once, more than a WAF IP set's 10000: at most 58/,
    );
  });

  it('capabilities follow what is configured: no quarantine plan, no key set', () => {
    const config = loadResponderConfig({
      ...base,
      LANTERN_RESPONSE_MODE: 'enforce',
      LANTERN_WAF_IPV4_SET: 'a|1',
      LANTERN_WAF_IPV6_SET: 'b|2',
    });
    expect(config.policy.capabilities).toEqual({ blockAddresses: true, blockKeys: false, throttleKeys: false });
  });

  it('reads the findings stream the expirer republishes to', () => {
    expect(loadResponderConfig({ ...base, LANTERN_FINDINGS_STREAM: 'lantern-findings' }).findingsStream).toBe(
      'lantern-findings',
    );
    expect(() => loadResponderConfig({ ...base, LANTERN_FINDINGS_STREAM: 'not a stream' })).toThrow(
      /is not a Kinesis stream name or ARN/,
    );
  });

  it('the local enforcer needs no AWS resources', () => {
    expect(
      loadResponderConfig({ ...base, LANTERN_RESPONSE_MODE: 'enforce', LANTERN_ENFORCER: 'local' }).enforcer,
    ).toEqual({ kind: 'local' });
  });
});
