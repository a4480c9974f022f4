import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSnsNotifier } from '../../../../shared/adapters/sns/sns-notifier.js';
import { NotifyError } from '../../../../shared/ports/notifier.js';
import { subjectOf } from '../../../../shared/response/alerts.js';
import { makeAlert } from '../../response/alert-fixtures.js';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:lantern-alerts';

describe('SNS notifier', () => {
  beforeEach(() => {
    sns.reset();
  });

  it('publishes a readable subject and body with filterable attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    const notifier = createSnsNotifier({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC });
    await notifier.notify({ kind: 'alert', alert: makeAlert() });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe('[Lantern] CRITICAL credential-stuffing by ip 45.33.32.156');
    expect(input?.Message).toContain('Who:        ip 45.33.32.156');
    expect(input?.Message).toContain('Action:     Done: block in AWS WAF address 45.33.32.156');
    expect(input?.Message).toContain('failedLoginsPer10Min: observed 240, threshold 20');
    expect(input?.Message).toContain('Console:    https://lantern.example.com/findings/x');
    expect(input?.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      mode: { DataType: 'String', StringValue: 'enforce' },
      kind: { DataType: 'String', StringValue: 'alert' },
    });
  });

  it('keeps subjects within 100 printable ASCII characters', () => {
    const subject = subjectOf({
      kind: 'alert',
      alert: makeAlert({ who: `principal ${'ü'.repeat(200)}\nx`, mode: 'monitor' }),
    });
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('sends a digest as one message', async () => {
    sns.on(PublishCommand).resolves({});
    const notifier = createSnsNotifier({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC });
    await notifier.notify({
      kind: 'digest',
      digest: { alerts: [makeAlert(), makeAlert({ severity: 'high', who: 'ip 45.1.1.1' })], more: 3, at: 0 },
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe('[Lantern] 5 findings (1 critical)');
    expect(input?.Message).toContain('… and 3 more');
  });

  it('turns a refusal into a NotifyError', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));
    const notifier = createSnsNotifier({ client: new SNSClient({ region: 'eu-west-1' }), topicArn: TOPIC });
    await expect(notifier.notify({ kind: 'alert', alert: makeAlert() })).rejects.toBeInstanceOf(NotifyError);
  });
});
