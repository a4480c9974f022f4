/**
 * Alerts: one SNS topic, encrypted with the stack's key (whose policy lets CloudWatch alarms publish to it), the
 * configured email subscription, and the Slack incoming-webhook URL as a Secrets Manager secret the user creates
 * (its value never appears in a template or in the context).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  key: kms.Key;
  alertEmail?: string;
  slackSecretName?: string;
}

export class Alerts extends Construct {
  readonly topic: sns.Topic;
  readonly slackSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Lantern alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets them (the AWS managed SNS key does not).
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToAlertTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    if (props.alertEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alertEmail));
    if (props.slackSecretName)
      this.slackSecret = secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhook', props.slackSecretName);
  }
}
