/**
 * Monitoring, declared next to what it watches: stream consumers falling behind (iterator age), function errors,
 * records given up on (on-failure queue depth), DynamoDB throttling, log stream write throttling. Every alarm goes
 * to the alert topic; one dashboard shows the pipeline end to end.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LanternFunction } from './function.js';

export interface MonitoringProps {
  topic: sns.ITopic;
  /** Stream consumers: iterator age alarms. */
  consumers: ReadonlyArray<{ name: string; fn: LanternFunction; maxIteratorAge: Duration }>;
  /** Every function: error alarms. */
  functions: ReadonlyArray<{ name: string; fn: LanternFunction }>;
  queues: ReadonlyArray<{ name: string; queue: sqs.IQueue }>;
  tables: ReadonlyArray<{ name: string; table: dynamodb.TableV2 }>;
  logStream: kinesis.IStream;
}

export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.topic);
    const alarm = (alarmId: string, a: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, a);
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const period = Duration.minutes(5);

    for (const c of props.consumers) {
      alarm(`${c.name}IteratorAge`, {
        alarmDescription: `Lantern ${c.name} is falling behind its stream (oldest record older than ${c.maxIteratorAge.toHumanString()})`,
        metric: c.fn.fn.metric('IteratorAge', { statistic: 'Maximum', period }),
        threshold: c.maxIteratorAge.toMilliseconds(),
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const f of props.functions) {
      alarm(`${f.name}Errors`, {
        alarmDescription: `Lantern ${f.name} function errors (invocations that failed as a whole)`,
        metric: f.fn.fn.metricErrors({ statistic: 'Sum', period }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const q of props.queues) {
      alarm(`${q.name}Depth`, {
        alarmDescription: `Lantern ${q.name}: records were given up on (see the queue for their shard and sequence range)`,
        metric: q.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const t of props.tables) {
      alarm(`${t.name}Throttles`, {
        alarmDescription: `Lantern ${t.name} table: DynamoDB throttled requests`,
        metric: t.table.metricThrottledRequestsForOperations({
          operations: [
            dynamodb.Operation.GET_ITEM,
            dynamodb.Operation.BATCH_GET_ITEM,
            dynamodb.Operation.QUERY,
            dynamodb.Operation.PUT_ITEM,
            dynamodb.Operation.UPDATE_ITEM,
            dynamodb.Operation.DELETE_ITEM,
            dynamodb.Operation.BATCH_WRITE_ITEM,
          ],
          period,
        }),
        threshold: 0,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('LogStreamWriteThrottles', {
      alarmDescription: 'Lantern log stream: writes throttled (CloudFront/CloudWatch Logs records may be dropped)',
      metric: props.logStream.metricPutRecordsThrottledRecords({ statistic: 'Sum', period }),
      threshold: 0,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-pipeline`,
      defaultInterval: Duration.hours(6),
    });
    const ingest = props.consumers[0]?.fn.fn;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Log stream: incoming records',
        left: [props.logStream.metricIncomingRecords({ statistic: 'Sum', period: Duration.minutes(1) })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Iterator age (ms)',
        left: props.consumers.map((c) =>
          c.fn.fn.metric('IteratorAge', { statistic: 'Maximum', label: c.name, period: Duration.minutes(1) }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Analysed / rejected records',
        left: ['Analysed', 'Rejected', 'FailedRecords'].map(
          (name) =>
            new cloudwatch.Metric({
              namespace: 'Lantern',
              metricName: name,
              dimensionsMap: { service: 'ingest' },
              statistic: 'Sum',
              period: Duration.minutes(1),
            }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: props.functions.map((f) =>
          f.fn.fn.metricErrors({ label: f.name, statistic: 'Sum', period: Duration.minutes(5) }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Ingest duration (p99, ms)',
        left: ingest ? [ingest.metricDuration({ statistic: 'p99', period: Duration.minutes(5) })] : [],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB consumed write units',
        left: props.tables.map((t) =>
          t.table.metricConsumedWriteCapacityUnits({ label: t.name, statistic: 'Sum', period: Duration.minutes(5) }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
