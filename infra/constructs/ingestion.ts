/**
 * Ingestion: the log stream and everything that writes to it.
 * - Kinesis data stream, on-demand (no shard sizing), encrypted with the stack's key.
 * - CloudFront real-time log configuration: Lantern's field set (DEFAULT_REALTIME_FIELDS, the decoder's default),
 *   the configured sampling rate, and a role CloudFront assumes to write to the stream.
 * - Attachment to the named distributions: a custom resource that sets the configuration (and optionally the
 *   WebACL) on every cache behaviour and removes exactly what it set on delete — or nothing (attachment `manual`,
 *   docs/deploy.md shows the one-line attachment).
 * - CloudWatch Logs subscription filters on the named API Gateway access-log groups, with a role CloudWatch Logs
 *   assumes to write to the stream.
 */
import path from 'node:path';
import { CustomResource, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_REALTIME_FIELDS } from '../../shared/decoders/cloudfront-realtime.js';
import type { Attachment } from '../config.js';
import { NODE_RUNTIME, REPO_ROOT } from './function.js';
import { acknowledge } from './nag.js';
import { LOG_STREAM } from './settings.js';

export const CMK_STREAM_REASON =
  'Lantern encrypts all its data at rest with one customer managed key (streams, table, queues, topic): one key policy to audit and revoke, key use visible in CloudTrail. Kinesis reuses data keys, so the KMS request cost stays small next to the stream cost.';

export interface IngestionProps {
  key: kms.IKey;
  /** CloudFront distribution ids to attach the real-time log configuration to. */
  distributions: readonly string[];
  attachment: Attachment;
  /** Percent of viewer requests CloudFront sends (1–100). */
  samplingRate: number;
  /** API Gateway access-log groups (this region) to subscribe. */
  logGroups: readonly string[];
  /** WebACL (CLOUDFRONT scope) the attachment sets on the distributions too (optional). */
  webAclArn?: string;
  retentionDays: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class Ingestion extends Construct {
  readonly stream: kinesis.Stream;
  readonly realtimeLogConfig: cloudfront.CfnRealtimeLogConfig;
  readonly realtimeRole: iam.Role;
  /** The field set of the real-time log configuration, in the order given to CloudFront. */
  readonly fields: readonly string[];
  readonly subscriptionRole?: iam.Role;
  readonly attachFunction?: lambda.Function;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.stream = new kinesis.Stream(this, 'LogStream', {
      streamMode: kinesis.StreamMode[LOG_STREAM.mode],
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.key,
      retentionPeriod: Duration.hours(LOG_STREAM.retentionHours),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.stream, 'AwsSolutions-KDS3', CMK_STREAM_REASON);

    // CloudFront -> Kinesis.
    this.realtimeRole = new iam.Role(this, 'RealtimeLogRole', {
      // The trust policy CloudFront documents for real-time logs: no source condition (whether CloudFront sets
      // aws:SourceAccount when it assumes this role is not documented; a condition it does not meet stops delivery).
      assumedBy: new iam.ServicePrincipal('cloudfront.amazonaws.com'),
      description: 'CloudFront writes Lantern real-time log records to the log stream',
    });
    this.realtimeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kinesis:DescribeStreamSummary', 'kinesis:DescribeStream', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        resources: [this.stream.streamArn],
      }),
    );
    this.realtimeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [props.key.keyArn] }),
    );
    this.fields = [...DEFAULT_REALTIME_FIELDS];
    this.realtimeLogConfig = new cloudfront.CfnRealtimeLogConfig(this, 'RealtimeLogConfig', {
      name: `${stack.stackName}-realtime-logs`,
      fields: [...this.fields],
      samplingRate: props.samplingRate,
      endPoints: [
        {
          streamType: 'Kinesis',
          kinesisStreamConfig: { roleArn: this.realtimeRole.roleArn, streamArn: this.stream.streamArn },
        },
      ],
    });
    this.realtimeLogConfig.node.addDependency(this.realtimeRole);

    if (props.distributions.length > 0 && props.attachment === 'custom-resource') {
      this.attachFunction = this.attachToDistributions(props);
    }

    // CloudWatch Logs (API Gateway access logs) -> Kinesis.
    if (props.logGroups.length > 0) {
      const role = new iam.Role(this, 'SubscriptionRole', {
        // The confused-deputy condition CloudWatch Logs documents for subscription roles: this account and region.
        assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
          conditions: {
            StringLike: { 'aws:SourceArn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*` },
          },
        }),
        description: 'CloudWatch Logs forwards API Gateway access logs to the Lantern log stream',
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kinesis:PutRecord'], resources: [this.stream.streamArn] }));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [props.key.keyArn] }));
      this.subscriptionRole = role;
      // CfnSubscriptionFilter rather than KinesisDestination, whose implicit grant is wider than PutRecord.
      props.logGroups.forEach((name, i) => {
        const filter = new logs.CfnSubscriptionFilter(this, `Subscription${i}`, {
          logGroupName: name,
          destinationArn: this.stream.streamArn,
          roleArn: role.roleArn,
          filterPattern: '',
          filterName: `${stack.stackName}-lantern`,
        });
        filter.node.addDependency(role);
      });
    }
  }

  /**
   * A custom resource per distribution: on create/update it sets our real-time log configuration (and the WebACL,
   * if given) on the default and every ordered cache behaviour; on delete it removes them again — only where the
   * value is still ours. A behaviour already sending real-time logs elsewhere fails the deployment with its name.
   */
  private attachToDistributions(props: IngestionProps): lambda.Function {
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'AttachLogs', {
      retention: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    const role = new iam.Role(this, 'AttachRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Lantern attaches its real-time log configuration to the named CloudFront distributions',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
        resources: props.distributions.map(
          (d) => `arn:${stack.partition}:cloudfront::${stack.account}:distribution/${d}`,
        ),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:GetRealtimeLogConfig'],
        resources: [this.realtimeLogConfig.attrArn],
      }),
    );
    // Setting RealtimeLogConfigArn / WebACLId through UpdateDistribution: granted on exactly our config, its role and
    // our WebACL. (Which of these CloudFront checks on top of UpdateDistribution is not verified against AWS yet:
    // the set errs on the side of a working attachment, each scoped to one resource.)
    role.addToPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.realtimeRole.roleArn] }));
    if (props.webAclArn) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['wafv2:GetWebACL', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
          resources: [props.webAclArn],
        }),
      );
    }
    const fn = new lambda.Function(this, 'AttachFunction', {
      description: 'Lantern: attach/detach the real-time log configuration (and WebACL) on CloudFront distributions',
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(REPO_ROOT, 'infra/constructs/attach-distribution')),
      timeout: Duration.minutes(2),
      memorySize: 256,
      role,
      logGroup,
    });
    for (const distributionId of props.distributions) {
      const resource = new CustomResource(this, `Attach${distributionId}`, {
        serviceToken: fn.functionArn,
        resourceType: 'Custom::LanternDistributionAttachment',
        properties: {
          DistributionId: distributionId,
          RealtimeLogConfigArn: this.realtimeLogConfig.attrArn,
          ...(props.webAclArn ? { WebAclArn: props.webAclArn } : {}),
        },
      });
      resource.node.addDependency(role);
    }
    return fn;
  }
}
