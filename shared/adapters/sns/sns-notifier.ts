/**
 * Alerts by email through an SNS topic (the stack subscribes the configured addresses). Subject: one readable line,
 * at most 100 characters (SNS's limit for email subjects); body: plain text (what, who, evidence, action, link).
 * Message attributes `severity` and `mode` let subscribers filter (e.g. only `critical` to a pager).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Notification, type Notifier, NotifyError } from '../../ports/notifier.js';
import { subjectOf, textOf } from '../../response/alerts.js';

/** SNS messages are at most 256 KB; we stay well below. */
const MAX_BODY_BYTES = 200_000;

export function createSnsNotifier(options: { client: SNSClient; topicArn: string }): Notifier {
  return {
    async notify(notification: Notification) {
      let body = textOf(notification);
      if (Buffer.byteLength(body) > MAX_BODY_BYTES)
        body = `${Buffer.from(body).subarray(0, MAX_BODY_BYTES).toString('utf8')}\n… (truncated)`;
      const severity =
        notification.kind === 'alert'
          ? notification.alert.severity
          : (['critical', 'high', 'medium', 'low'].find((s) =>
              notification.digest.alerts.some((a) => a.severity === s),
            ) ?? 'low');
      const mode =
        notification.kind === 'alert' ? notification.alert.mode : (notification.digest.alerts[0]?.mode ?? 'monitor');
      try {
        await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: subjectOf(notification),
            Message: body,
            MessageAttributes: {
              severity: { DataType: 'String', StringValue: severity },
              mode: { DataType: 'String', StringValue: mode },
              kind: { DataType: 'String', StringValue: notification.kind },
            },
          }),
        );
      } catch (error: unknown) {
        throw new NotifyError(
          `SNS publish to ${options.topicArn} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
}
