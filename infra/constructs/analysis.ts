/**
 * Analysis: the ingest function on the log stream, and the scheduled sweeper.
 * The event source mapping follows the safe defaults of stream consumers: bisect a failing batch, bounded retries,
 * a maximum record age, partial batch responses (the handler names failed records by sequence number), and an
 * encrypted SQS queue that receives the metadata of what could not be processed.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INGEST_EVENT_SOURCE_MAPPING as M } from '../../functions/ingest/mapping.js';
import { DECLARED_APIS_ENV } from '../../functions/sweeper/declared-sync.js';
import type { IngestTuning } from '../config.js';
import { LanternFunction } from './function.js';
import { grantQueueSend, grantStreamConsume, grantStreamPut, onFailureDestination } from './grants.js';
import { acknowledge, nagRegion } from './nag.js';
import { FUNCTION_MEMORY_MB, SCHEDULE_MINUTES } from './settings.js';
import type { State } from './state.js';

export interface AnalysisProps {
  key: kms.IKey;
  state: State;
  logStream: kinesis.IStream;
  /** Findings go here (the responder consumes it). */
  findingsStream: kinesis.IStream;
  /** Environment every function shares (table name etc.). */
  environment: Record<string, string>;
  /** The real-time log fields, in the order given to CloudFront. */
  realtimeFields: readonly string[];
  behindCloudFront: boolean;
  tuning: IngestTuning;
  retentionDays: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /**
   * The REST APIs the sweeper syncs the declared APIs from (functions/sweeper/declared-sync.ts): `all` of the stack's
   * account and region, these ids, or `none` (default `all`).
   */
  declaredApis?: 'all' | 'none' | readonly string[];
}

/** An encrypted on-failure queue for a stream consumer: 14 days to inspect and replay. */
export function onFailureQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    "This queue IS the dead-letter destination: the stream event source mapping's on-failure destination (it receives the shard and sequence range of records given up on). A queue behind it would have no producer.",
  );
  return queue;
}

export class Analysis extends Construct {
  readonly ingest: LanternFunction;
  readonly ingestMapping: lambda.EventSourceMapping;
  readonly ingestFailures: sqs.Queue;
  readonly sweeper: LanternFunction;
  readonly sweepSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: AnalysisProps) {
    super(scope, id);
    const t = props.tuning;
    this.ingest = new LanternFunction(this, 'Ingest', {
      name: 'ingest',
      description: 'Lantern: decode log records, analyse, persist (Kinesis log stream consumer)',
      environment: {
        ...props.environment,
        LANTERN_CLOUDFRONT_FIELDS: props.realtimeFields.join(','),
        LANTERN_APIGW_BEHIND_CLOUDFRONT: String(props.behindCloudFront),
        LANTERN_FINDINGS_STREAM: props.findingsStream.streamName,
      },
      memoryMb: t.memoryMb,
      timeout: Duration.minutes(2),
      retentionDays: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    props.state.grantStore(this.ingest.fn);
    grantStreamConsume(this.ingest.fn, props.logStream, props.key);
    grantStreamPut(this.ingest.fn, props.findingsStream, props.key);

    this.ingestFailures = onFailureQueue(this, 'IngestFailures', props.key);
    this.ingestMapping = new lambda.EventSourceMapping(this, 'IngestMapping', {
      target: this.ingest.fn,
      eventSourceArn: props.logStream.streamArn,
      // functions/ingest/mapping.ts, with the deployment's tuning of size, window, retries and age.
      startingPosition: lambda.StartingPosition[M.startingPosition],
      batchSize: t.batchSize,
      maxBatchingWindow: Duration.seconds(t.batchWindowSeconds),
      parallelizationFactor: M.parallelizationFactor,
      bisectBatchOnError: M.bisectBatchOnFunctionError,
      retryAttempts: t.retryAttempts,
      maxRecordAge: Duration.seconds(t.maxRecordAgeSeconds),
      reportBatchItemFailures: M.reportBatchItemFailures,
      onFailure: onFailureDestination(this.ingestFailures),
    });
    grantQueueSend(this.ingest.fn, this.ingestFailures, props.key);

    const declaredApis = props.declaredApis ?? 'all';
    if (
      Array.isArray(declaredApis) &&
      (declaredApis.length === 0 || declaredApis.some((id) => !/^[a-z0-9]{10}$/.test(id)))
    )
      throw new Error(
        `declaredApis must be 'all', 'none' or REST API ids (10 characters), got ${JSON.stringify(declaredApis)}`,
      );
    this.sweeper = new LanternFunction(this, 'Sweeper', {
      name: 'sweeper',
      description: 'Lantern: scheduled housekeeping of the state, and the sync of the declared APIs from API Gateway',
      environment: {
        ...props.environment,
        ...(declaredApis === 'none'
          ? {}
          : { [DECLARED_APIS_ENV]: typeof declaredApis === 'string' ? declaredApis : declaredApis.join(',') }),
      },
      memoryMb: FUNCTION_MEMORY_MB.sweeper,
      timeout: Duration.minutes(5),
      retentionDays: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    // No Scan: in AWS, DynamoDB's TTL deletes expired items; the sweeper's scan is the local cloud's TTL emulation
    // (LANTERN_SWEEP_EXPIRED, never set here).
    props.state.grantStore(this.sweeper.fn);
    if (declaredApis !== 'none') grantDeclaredApisRead(this.sweeper, declaredApis);
    this.sweepSchedule = new events.Rule(this, 'SweepSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(SCHEDULE_MINUTES.sweeper)),
      targets: [new targets.LambdaFunction(this.sweeper.fn, { retryAttempts: 2 })],
      description: `Lantern sweeper every ${SCHEDULE_MINUTES.sweeper} minutes`,
    });
  }
}

/**
 * What the declared-API sync reads (shared/adapters/apigateway/declared-apis.ts), GET only: the list of REST APIs, the
 * resources (methods embedded) of the ones it syncs, and the custom domains with their base path mappings (the hosts
 * the APIs are called on).
 */
function grantDeclaredApisRead(fn: LanternFunction, apis: 'all' | readonly string[]): void {
  const stack = Stack.of(fn);
  const arn = (path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
  const resources = apis === 'all' ? ['/restapis/*/resources'] : apis.map((id) => `/restapis/${id}/resources`);
  fn.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['apigateway:GET'],
      resources: ['/restapis', ...resources, '/domainnames', '/domainnames/*/basepathmappings'].map(arn),
    }),
  );
  const region = nagRegion(fn);
  const why: Record<string, string> = {
    '/domainnames/*/basepathmappings':
      'GetBasePathMappings of every custom domain: which domain maps a synced API, under which base path, is what the sync finds out (read only).',
    ...(apis === 'all'
      ? {
          '/restapis/*/resources':
            'GetResources of every REST API of the account and region: the declared APIs to sync are all of them by configuration (read only; a list of ids narrows it).',
        }
      : {}),
  };
  for (const [path, reason] of Object.entries(why)) {
    acknowledge(fn.role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`, reason);
  }
}
