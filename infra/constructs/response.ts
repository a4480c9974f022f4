/**
 * Response: the findings stream (one shard: findings are rare, and one shard with one batch at a time makes the
 * responder the single writer WAF and usage plans need), the responder on it, the scheduled expirer, and the API
 * Gateway quarantine usage plan. The WAF block list is built by BlockList (possibly in the us-east-1 edge stack):
 * this construct only receives its references and grants exactly those three sets.
 * The quarantine plan covers the configured REST API stages: a key moved into a plan without its stage would be
 * refused outright rather than throttled, so every stage whose keys may be throttled must be configured.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RestApiStage } from '../config.js';
import { onFailureQueue } from './analysis.js';
import { LanternFunction } from './function.js';
import {
  grantQueueSend,
  grantStreamConsume,
  grantStreamPut,
  grantTopicPublish,
  onFailureDestination,
} from './grants.js';
import { CMK_STREAM_REASON } from './ingestion.js';
import { acknowledge, nagRegion } from './nag.js';
import {
  FINDINGS_STREAM,
  FUNCTION_MEMORY_MB,
  RESPONDER_EVENT_SOURCE_MAPPING as R,
  SCHEDULE_MINUTES,
} from './settings.js';
import type { State } from './state.js';
import type { BlockListRefs } from './waf.js';

export interface ResponseProps {
  key: kms.IKey;
  state: State;
  environment: Record<string, string>;
  blockList: BlockListRefs;
  restApis: readonly RestApiStage[];
  quarantine: { rateLimit: number; burstLimit: number };
  topic: sns.ITopic;
  slackSecret?: secretsmanager.ISecret;
  /** The secret's name: what the functions pass to GetSecretValue. */
  slackSecretName?: string;
  /** Files bundled with the functions that act (e.g. `ip-ranges.json`). */
  bundledFiles?: Readonly<Record<string, string>>;
  retentionDays: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

export class Response extends Construct {
  readonly findingsStream: kinesis.Stream;
  readonly quarantinePlan: apigateway.CfnUsagePlan;
  /** Environment of the functions that act (responder, expirer, console API): where the enforcers are. */
  readonly enforcerEnvironment: Record<string, string>;
  private readonly props: ResponseProps;
  /** Files bundled with every function that acts (the console API too). */
  readonly bundledFiles?: Readonly<Record<string, string>>;
  private responderFn?: LanternFunction;
  private responderFailuresQueue?: sqs.Queue;
  private expirerFn?: LanternFunction;

  constructor(scope: Construct, id: string, props: ResponseProps) {
    super(scope, id);
    this.props = props;
    if (props.bundledFiles) this.bundledFiles = props.bundledFiles;
    this.findingsStream = new kinesis.Stream(this, 'FindingsStream', {
      streamMode: kinesis.StreamMode[FINDINGS_STREAM.mode],
      shardCount: FINDINGS_STREAM.shardCount,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: props.key,
      retentionPeriod: Duration.hours(FINDINGS_STREAM.retentionHours),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.findingsStream, 'AwsSolutions-KDS3', CMK_STREAM_REASON);

    this.quarantinePlan = new apigateway.CfnUsagePlan(this, 'QuarantinePlan', {
      usagePlanName: `${Stack.of(this).stackName}-quarantine`,
      description: 'Lantern moves an abusive API key here for the duration of a throttle (restores its plan on expiry)',
      throttle: { rateLimit: props.quarantine.rateLimit, burstLimit: props.quarantine.burstLimit },
      apiStages: props.restApis.map((s) => ({ apiId: s.apiId, stage: s.stage })),
    });

    const b = props.blockList;
    this.enforcerEnvironment = {
      // functions/responder/config.ts: the WAF client region follows the scope (CLOUDFRONT: us-east-1).
      LANTERN_ENFORCER: 'aws',
      LANTERN_WAF_SCOPE: b.scope,
      LANTERN_WAF_IPV4_SET: `${b.ipv4.name}|${b.ipv4.id}`,
      LANTERN_WAF_IPV6_SET: `${b.ipv6.name}|${b.ipv6.id}`,
      LANTERN_WAF_API_KEY_SET: `${b.apiKeys.name}|${b.apiKeys.id}`,
      LANTERN_QUARANTINE_USAGE_PLAN_ID: this.quarantinePlan.ref,
      LANTERN_ALERT_TOPIC_ARN: props.topic.topicArn,
      ...(props.slackSecretName ? { LANTERN_SLACK_WEBHOOK_SECRET_ID: props.slackSecretName } : {}),
    };
  }

  /** The responder: consumes findings, one batch at a time on the single shard (the single WAF/usage-plan writer). */
  addResponder(): { fn: LanternFunction; mapping: lambda.EventSourceMapping; failures: sqs.Queue } {
    const p = this.props;
    const fn = new LanternFunction(this, 'Responder', {
      name: 'responder',
      description: 'Lantern: findings -> policy -> WAF / usage plan / alerts (Kinesis findings stream consumer)',
      environment: { ...p.environment, ...this.enforcerEnvironment },
      ...(p.bundledFiles ? { files: p.bundledFiles } : {}),
      memoryMb: FUNCTION_MEMORY_MB.responder,
      timeout: Duration.minutes(2),
      retentionDays: p.retentionDays,
      removalPolicy: p.removalPolicy,
    });
    this.grantEnforcers(fn, { alerts: true });
    grantStreamConsume(fn.fn, this.findingsStream, p.key);
    const failures = onFailureQueue(this, 'ResponderFailures', p.key);
    grantQueueSend(fn.fn, failures, p.key);
    const mapping = new lambda.EventSourceMapping(this, 'ResponderMapping', {
      target: fn.fn,
      eventSourceArn: this.findingsStream.streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: R.batchSize,
      maxBatchingWindow: Duration.seconds(R.maximumBatchingWindowSeconds),
      parallelizationFactor: R.parallelizationFactor,
      bisectBatchOnError: true,
      retryAttempts: R.maximumRetryAttempts,
      maxRecordAge: Duration.seconds(R.maximumRecordAgeSeconds),
      reportBatchItemFailures: true,
      onFailure: onFailureDestination(failures),
    });
    this.responderFn = fn;
    this.responderFailuresQueue = failures;
    return { fn, mapping, failures };
  }

  /** The expirer: lifts blocks and throttles whose time is up, every minute. */
  addExpirer(): { fn: LanternFunction; schedule: events.Rule } {
    const p = this.props;
    const fn = new LanternFunction(this, 'Expirer', {
      name: 'expirer',
      description: 'Lantern: expire blocks and throttles (scheduled)',
      // The expirer republishes findings that never got a decision (a failed publish) onto the findings stream,
      // so the responder stays the only writer to WAF and the only function that alerts.
      environment: {
        ...p.environment,
        ...this.enforcerEnvironment,
        LANTERN_FINDINGS_STREAM: this.findingsStream.streamName,
      },
      ...(p.bundledFiles ? { files: p.bundledFiles } : {}),
      memoryMb: FUNCTION_MEMORY_MB.expirer,
      timeout: Duration.seconds(55),
      retentionDays: p.retentionDays,
      removalPolicy: p.removalPolicy,
    });
    this.grantEnforcers(fn, { alerts: false });
    grantStreamPut(fn.fn, this.findingsStream, p.key);
    const schedule = new events.Rule(this, 'ExpirySchedule', {
      schedule: events.Schedule.rate(Duration.minutes(SCHEDULE_MINUTES.expirer)),
      targets: [new targets.LambdaFunction(fn.fn, { retryAttempts: 2 })],
      description: 'Lantern expirer every minute',
    });
    this.expirerFn = fn;
    return { fn, schedule };
  }

  get responder(): LanternFunction | undefined {
    return this.responderFn;
  }
  get responderFailures(): sqs.Queue | undefined {
    return this.responderFailuresQueue;
  }
  get expirer(): LanternFunction | undefined {
    return this.expirerFn;
  }

  /**
   * What acting needs (shared/adapters/waf, shared/adapters/apigateway): the state, the three WAF sets, moving an
   * API key between usage plans, reading a key's value to block it; with `alerts`, publishing to SNS and reading the
   * Slack webhook (only the responder alerts).
   */
  grantEnforcers(fn: LanternFunction, options: { alerts: boolean }): void {
    const p = this.props;
    const stack = Stack.of(this);
    p.state.grantStore(fn.fn);
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['wafv2:GetIPSet', 'wafv2:UpdateIPSet'],
        resources: [p.blockList.ipv4.arn, p.blockList.ipv6.arn],
      }),
    );
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['wafv2:GetRegexPatternSet', 'wafv2:UpdateRegexPatternSet'],
        resources: [p.blockList.apiKeys.arn],
      }),
    );
    const apigw = (path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
    // A throttle moves an API key from its plan into the quarantine plan and back (GetUsagePlans by key,
    // DeleteUsagePlanKey, CreateUsagePlanKey); a key block reads the key's value for the WAF pattern (GetApiKey).
    const allow = (action: string, path: string) =>
      fn.role.addToPolicy(new iam.PolicyStatement({ actions: [`apigateway:${action}`], resources: [apigw(path)] }));
    allow('GET', '/usageplans');
    allow('POST', '/usageplans/*/keys');
    allow('DELETE', '/usageplans/*/keys/*');
    allow('GET', '/apikeys/*');
    const region = nagRegion(this);
    const why = {
      '/usageplans/*/keys':
        'CreateUsagePlanKey puts the offending API key into the quarantine plan and, on expiry, back into the plan it came from: which plan is only known at run time.',
      '/usageplans/*/keys/*':
        'DeleteUsagePlanKey takes the key out of its current plan (a key has one plan per stage): plan and key are only known from the finding at run time.',
      '/apikeys/*':
        "GetApiKey reads the offending key's value to block it in WAF (never stored by Lantern): the key is only known from the finding at run time.",
    };
    for (const [path, reason] of Object.entries(why)) {
      acknowledge(fn.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`, reason);
    }
    if (options.alerts) {
      grantTopicPublish(fn.fn, p.topic, p.key);
      p.slackSecret?.grantRead(fn.fn);
    }
  }
}
