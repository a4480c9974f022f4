/**
 * The distribution attachment's decision (infra/constructs/attach-distribution/plan.mjs): what the custom resource
 * changes in a distribution config, and what it refuses to take over.
 */
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain JavaScript run by the Lambda runtime as is (no bundling, no types)
import { plan } from '../../infra/constructs/attach-distribution/plan.mjs';

type Behaviour = { PathPattern?: string; RealtimeLogConfigArn?: string };
type Config = { DefaultCacheBehavior: Behaviour; CacheBehaviors?: { Items: Behaviour[] }; WebACLId?: string };
const decide = plan as (
  config: Config,
  options: { attach: boolean; realtimeArns: string[]; webAclArns: string[] },
) => boolean;

const OURS = 'arn:aws:cloudfront::123456789012:realtime-log-config/Lantern-realtime-logs';
const OLD = 'arn:aws:cloudfront::123456789012:realtime-log-config/Lantern-old';
const THEIRS = 'arn:aws:cloudfront::123456789012:realtime-log-config/their-logs';
const ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/Lantern-web-acl/1';

function distribution(): Config {
  return {
    DefaultCacheBehavior: {},
    CacheBehaviors: { Items: [{ PathPattern: '/api/*' }, { PathPattern: '/static/*', RealtimeLogConfigArn: '' }] },
    WebACLId: '',
  };
}

describe('distribution attachment', () => {
  test('attach: every cache behaviour sends real-time logs to our configuration, and the WebACL is set', () => {
    // Prepare
    const config = distribution();
    // Act
    const changed = decide(config, { attach: true, realtimeArns: [OURS], webAclArns: [ACL] });
    // Assess
    expect(changed).toBe(true);
    expect([config.DefaultCacheBehavior, ...config.CacheBehaviors!.Items].map((b) => b.RealtimeLogConfigArn)).toEqual([
      OURS,
      OURS,
      OURS,
    ]);
    expect(config.WebACLId).toBe(ACL);
    expect(decide(config, { attach: true, realtimeArns: [OURS], webAclArns: [ACL] })).toBe(false);
  });

  test('attach replaces our previous configuration, never someone else’s', () => {
    const config = distribution();
    config.DefaultCacheBehavior.RealtimeLogConfigArn = OLD;
    expect(decide(config, { attach: true, realtimeArns: [OURS, OLD], webAclArns: [] })).toBe(true);
    expect(config.DefaultCacheBehavior.RealtimeLogConfigArn).toBe(OURS);

    const taken = distribution();
    taken.CacheBehaviors!.Items[0]!.RealtimeLogConfigArn = THEIRS;
    expect(() => decide(taken, { attach: true, realtimeArns: [OURS], webAclArns: [] })).toThrow(
      `cache behaviour "/api/*" already sends real-time logs to ${THEIRS}; detach it or use attachment "manual"`,
    );
    const guarded = distribution();
    guarded.WebACLId = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/theirs/2';
    expect(() => decide(guarded, { attach: true, realtimeArns: [OURS], webAclArns: [ACL] })).toThrow(
      /already has the WebACL .*add Lantern's rule group to it instead/,
    );
  });

  test('detach removes only what is ours', () => {
    // Prepare
    const config = distribution();
    config.DefaultCacheBehavior.RealtimeLogConfigArn = OURS;
    config.CacheBehaviors!.Items[0]!.RealtimeLogConfigArn = THEIRS;
    config.WebACLId = ACL;
    // Act
    const changed = decide(config, { attach: false, realtimeArns: [OURS], webAclArns: [ACL] });
    // Assess
    expect(changed).toBe(true);
    expect(config.DefaultCacheBehavior.RealtimeLogConfigArn).toBeUndefined();
    expect(config.CacheBehaviors!.Items[0]!.RealtimeLogConfigArn).toBe(THEIRS);
    expect(config.WebACLId).toBe('');
  });
});
