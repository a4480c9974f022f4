/**
 * The Lantern stack: composes the constructs that show the architecture —
 * ingestion (log stream + CloudFront real-time logs + CloudWatch Logs subscriptions) -> analysis (ingest, sweeper)
 * -> state (DynamoDB) -> response (findings stream, responder, expirer, WAF block list, quarantine usage plan)
 * -> alerts (SNS, Slack secret) -> console (S3 + CloudFront + Cognito + REST API) -> monitoring.
 *
 * WAF of scope CLOUDFRONT must live in us-east-1. When the stack is deployed elsewhere, the block list goes to a
 * second stack, `<name>-Edge`, in us-east-1, and the main stack reads its ARNs through CDK's cross-region references
 * (SSM parameters written in us-east-1, read by a custom resource): `cdk deploy --all` deploys both, edge first.
 */
import path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { STATE_TABLE_ENV } from '../shared/store/tables.js';
import type { LanternConfig } from './config.js';
import { Alerts } from './constructs/alerts.js';
import { Analysis } from './constructs/analysis.js';
import { Console } from './constructs/console.js';
import { Ingestion } from './constructs/ingestion.js';
import { Monitoring } from './constructs/monitoring.js';
import { Response } from './constructs/response.js';
import { State } from './constructs/state.js';
import { BlockList, type BlockListRefs } from './constructs/waf.js';

/** The name of the ip-ranges.json copy in the bundles of the functions that act (LANTERN_AWS_IP_RANGES_FILE). */
const IP_RANGES_BUNDLED = 'ip-ranges.json';

export interface LanternStackProps extends StackProps {
  config: LanternConfig;
  /** The block list of the edge stack (CLOUDFRONT scope outside us-east-1); otherwise built here. */
  edgeBlockList?: BlockListRefs;
}

export class LanternEdgeStack extends Stack {
  readonly blockList: BlockList;
  constructor(scope: Construct, id: string, props: StackProps & { config: LanternConfig }) {
    super(scope, id, props);
    this.blockList = new BlockList(this, 'BlockList', {
      scope: 'CLOUDFRONT',
      namePrefix: props.config.stackName,
      behindCloudFront: false,
      associateWith: [],
    });
  }
}

export class LanternStack extends Stack {
  readonly key: kms.Key;
  readonly state: State;
  readonly alerts: Alerts;
  readonly blockList: BlockListRefs;
  readonly localBlockList?: BlockList;
  readonly ingestion: Ingestion;
  readonly analysis: Analysis;
  readonly response: Response;
  readonly console?: Console;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: LanternStackProps) {
    super(scope, id, props);
    const config = props.config;
    const removalPolicy = config.destroyOnDelete ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const retentionDays = config.retentionDays as logs.RetentionDays;

    this.key = new kms.Key(this, 'Key', {
      description: 'Lantern: encrypts the streams, the state table, the queues and the alert topic',
      enableKeyRotation: true,
      alias: `alias/${config.stackName.toLowerCase()}`,
      removalPolicy,
    });
    this.state = new State(this, 'State', { key: this.key, removalPolicy });
    this.alerts = new Alerts(this, 'Alerts', {
      key: this.key,
      ...(config.alertEmail ? { alertEmail: config.alertEmail } : {}),
      ...(config.slackSecretName ? { slackSecretName: config.slackSecretName } : {}),
    });

    if (props.edgeBlockList) this.blockList = props.edgeBlockList;
    else {
      this.localBlockList = new BlockList(this, 'BlockList', {
        scope: config.wafScope,
        namePrefix: config.stackName,
        behindCloudFront: config.behindCloudFront,
        associateWith: config.attachWebAcl && config.wafScope === 'REGIONAL' ? config.restApis : [],
      });
      this.blockList = this.localBlockList.refs;
    }

    // Every function: where the state is. The functions that act (responder, expirer, console API) also get the
    // response policy's settings (functions/responder/config.ts reads them) and where the enforcers are.
    const stateEnvironment: Record<string, string> = { [STATE_TABLE_ENV]: this.state.stateTable.tableName };
    const responseEnvironment: Record<string, string> = {
      ...stateEnvironment,
      LANTERN_RESPONSE_MODE: config.mode,
      LANTERN_RESPONSE_POLICY: JSON.stringify({
        maxNewBlocksPerHour: config.maxBlocksPerHour,
        maxNewThrottlesPerHour: config.maxThrottlesPerHour,
      }),
      LANTERN_ALLOW_CIDRS: config.allowlist.cidrs.join(','),
      LANTERN_ALLOW_API_KEYS: config.allowlist.apiKeys.join(','),
      LANTERN_ALLOW_PRINCIPALS: config.allowlist.principals.join(','),
      LANTERN_PROTECTED_CIDRS: config.protectedCidrs.join(','),
      ...(config.awsIpRangesFile ? { LANTERN_AWS_IP_RANGES_FILE: `/var/task/${IP_RANGES_BUNDLED}` } : {}),
    };

    this.response = new Response(this, 'Response', {
      key: this.key,
      state: this.state,
      environment: responseEnvironment,
      blockList: this.blockList,
      restApis: config.restApis,
      quarantine: config.quarantine,
      topic: this.alerts.topic,
      ...(config.awsIpRangesFile
        ? { bundledFiles: { [IP_RANGES_BUNDLED]: path.resolve(config.awsIpRangesFile) } }
        : {}),
      ...(this.alerts.slackSecret && config.slackSecretName
        ? { slackSecret: this.alerts.slackSecret, slackSecretName: config.slackSecretName }
        : {}),
      retentionDays,
      removalPolicy,
    });

    this.ingestion = new Ingestion(this, 'Ingestion', {
      key: this.key,
      distributions: config.distributions,
      attachment: config.attachment,
      samplingRate: config.samplingRate,
      logGroups: config.logGroups,
      ...(config.attachWebAcl && config.wafScope === 'CLOUDFRONT' ? { webAclArn: this.blockList.webAclArn } : {}),
      retentionDays,
      removalPolicy,
    });

    this.analysis = new Analysis(this, 'Analysis', {
      key: this.key,
      state: this.state,
      logStream: this.ingestion.stream,
      findingsStream: this.response.findingsStream,
      environment: stateEnvironment,
      realtimeFields: this.ingestion.fields,
      behindCloudFront: config.behindCloudFront,
      declaredApis: config.declaredApis,
      tuning: config.ingest,
      retentionDays,
      removalPolicy,
    });

    if (config.console) {
      this.console = new Console(this, 'Console', {
        state: this.state,
        response: this.response,
        environment: responseEnvironment,
        retentionDays,
        removalPolicy,
        ...(this.blockList.scope === 'REGIONAL'
          ? { regionalWebAclArn: this.blockList.webAclArn }
          : { cloudFrontWebAclArn: this.blockList.webAclArn }),
      });
    }
    const responderEnv = this.console ? { LANTERN_CONSOLE_URL: this.console.url } : {};
    Object.assign(this.response.enforcerEnvironment, responderEnv);
    const responder = this.response.addResponder();
    const expirer = this.response.addExpirer();

    const functions = [
      { name: 'Ingest', fn: this.analysis.ingest },
      { name: 'Sweeper', fn: this.analysis.sweeper },
      { name: 'Responder', fn: responder.fn },
      { name: 'Expirer', fn: expirer.fn },
      ...(this.console ? [{ name: 'ConsoleApi', fn: this.console.apiFunction }] : []),
    ];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      topic: this.alerts.topic,
      consumers: [
        { name: 'Ingest', fn: this.analysis.ingest, maxIteratorAge: Duration.minutes(5) },
        { name: 'Responder', fn: responder.fn, maxIteratorAge: Duration.minutes(5) },
      ],
      functions,
      queues: [
        { name: 'IngestFailures', queue: this.analysis.ingestFailures },
        { name: 'ResponderFailures', queue: responder.failures },
      ],
      tables: [...this.state.tables].map(([name, table]) => ({ name, table })),
      logStream: this.ingestion.stream,
    });

    new CfnOutput(this, 'LogStreamArn', { value: this.ingestion.stream.streamArn });
    new CfnOutput(this, 'RealtimeLogConfigArn', {
      value: this.ingestion.realtimeLogConfig.attrArn,
      description: 'Attach to a cache behaviour: RealtimeLogConfigArn (see docs/deploy.md)',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'StateTableName', { value: this.state.stateTable.tableName });
    new CfnOutput(this, 'WebAclArn', {
      value: this.blockList.webAclArn,
      description: `WebACL (${this.blockList.scope}, ${this.blockList.region})`,
    });
    new CfnOutput(this, 'RuleGroupArn', {
      value: this.blockList.ruleGroupArn,
      description: 'Add to an existing WebACL as a rule group reference',
    });
    new CfnOutput(this, 'QuarantineUsagePlanId', { value: this.response.quarantinePlan.ref });
    if (this.console) {
      new CfnOutput(this, 'ConsoleUrl', { value: this.console.url });
      new CfnOutput(this, 'ConsoleUserPoolId', { value: this.console.userPool.userPoolId });
    }

    // cdk-nag acknowledgements live next to what they are about (infra/constructs/*: `acknowledge(...)`).
  }
}
