/**
 * The distribution attachment custom resource (infra/constructs/attach-distribution): what it changes in a
 * distribution config and what it refuses to take over (plan.mjs), and how it answers CloudFormation (attach.mjs),
 * with CloudFront and the response URL faked.
 */
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain JavaScript run by the Lambda runtime as is (no bundling, no types)
import { createAttachmentHandler } from '../../infra/constructs/attach-distribution/attach.mjs';
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

interface Answer {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
}

/** A fake CloudFront holding one distribution, and the answers sent to CloudFormation. */
function fakeCloud(config: Config, options: { preconditionFailures?: number; missing?: boolean } = {}) {
  let etag = 1;
  let failures = options.preconditionFailures ?? 0;
  const answers: Answer[] = [];
  const updates: Config[] = [];
  const handler = (createAttachmentHandler as (deps: unknown) => (event: unknown) => Promise<void>)({
    getConfig: async () => {
      if (options.missing) throw Object.assign(new Error('no such distribution'), { name: 'NoSuchDistribution' });
      return { DistributionConfig: structuredClone(config), ETag: `E${etag}` };
    },
    updateConfig: async (_id: string, ifMatch: string, next: Config) => {
      if (failures > 0) {
        failures--;
        etag++;
        throw Object.assign(new Error('changed meanwhile'), { name: 'PreconditionFailed' });
      }
      expect(ifMatch).toBe(`E${etag}`);
      updates.push(next);
      Object.assign(config, structuredClone(next));
      etag++;
    },
    respond: async (body: Answer) => {
      answers.push(body);
    },
    sleep: async () => {},
    log: () => {},
  });
  return { handler, answers, updates, config };
}

const event = (type: 'Create' | 'Update' | 'Delete', extra: Record<string, unknown> = {}) => ({
  RequestType: type,
  StackId: 'stack',
  RequestId: 'req',
  LogicalResourceId: 'AttachE2QWRUHAPOMQZL',
  ResponseURL: 'https://example.invalid/response',
  ResourceProperties: { DistributionId: 'E2QWRUHAPOMQZL', RealtimeLogConfigArn: OURS },
  ...extra,
});

describe('attachment custom resource', () => {
  test('create attaches and answers SUCCESS with a stable physical id; delete detaches', async () => {
    // Prepare
    const cloud = fakeCloud(distribution());
    // Act
    await cloud.handler(event('Create'));
    await cloud.handler(event('Delete', { PhysicalResourceId: 'lantern-attachment-E2QWRUHAPOMQZL' }));
    // Assess
    expect(cloud.answers.map((a) => [a.Status, a.PhysicalResourceId, a.Reason])).toEqual([
      ['SUCCESS', 'lantern-attachment-E2QWRUHAPOMQZL', 'updated'],
      ['SUCCESS', 'lantern-attachment-E2QWRUHAPOMQZL', 'updated'],
    ]);
    expect(cloud.updates[0]!.DefaultCacheBehavior.RealtimeLogConfigArn).toBe(OURS);
    expect(cloud.config.DefaultCacheBehavior.RealtimeLogConfigArn).toBeUndefined();
  });

  test('a concurrent change (PreconditionFailed) is retried with a fresh ETag', async () => {
    const cloud = fakeCloud(distribution(), { preconditionFailures: 2 });
    await cloud.handler(event('Create'));
    expect(cloud.answers[0]!.Status).toBe('SUCCESS');
    expect(cloud.updates).toHaveLength(1);
  });

  test("someone else's configuration fails the create with the reason; deleting that failed resource touches nothing", async () => {
    // Prepare
    const taken = distribution();
    taken.DefaultCacheBehavior.RealtimeLogConfigArn = THEIRS;
    const cloud = fakeCloud(taken);
    // Act
    await cloud.handler(event('Create'));
    await cloud.handler(event('Delete', { PhysicalResourceId: cloud.answers[0]!.PhysicalResourceId }));
    // Assess
    expect(cloud.answers[0]).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'lantern-attachment-failed-E2QWRUHAPOMQZL',
    });
    expect(cloud.answers[0]!.Reason).toContain(`already sends real-time logs to ${THEIRS}`);
    expect(cloud.answers[1]).toMatchObject({ Status: 'SUCCESS', Reason: 'nothing to detach' });
    expect(cloud.updates).toEqual([]);
  });

  test('an update that drops the WebACL detaches it; a deleted distribution is nothing to detach', async () => {
    // Prepare
    const cloud = fakeCloud(distribution());
    await cloud.handler(
      event('Create', {
        ResourceProperties: { DistributionId: 'E2QWRUHAPOMQZL', RealtimeLogConfigArn: OURS, WebAclArn: ACL },
      }),
    );
    expect(cloud.config.WebACLId).toBe(ACL);
    // Act
    await cloud.handler(
      event('Update', {
        PhysicalResourceId: 'lantern-attachment-E2QWRUHAPOMQZL',
        OldResourceProperties: { DistributionId: 'E2QWRUHAPOMQZL', RealtimeLogConfigArn: OURS, WebAclArn: ACL },
      }),
    );
    // Assess
    expect(cloud.config.WebACLId).toBe('');
    expect(cloud.config.DefaultCacheBehavior.RealtimeLogConfigArn).toBe(OURS);
    const gone = fakeCloud(distribution(), { missing: true });
    await gone.handler(event('Delete', { PhysicalResourceId: 'lantern-attachment-E2QWRUHAPOMQZL' }));
    expect(gone.answers[0]).toMatchObject({ Status: 'SUCCESS', Reason: 'gone' });
  });
});
