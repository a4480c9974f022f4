/**
 * Least-privilege grants written out: the exact API actions the code calls on the exact resources, and on the
 * stack's key only the KMS operations the service performs for that use. (CDK's grant helpers add action families
 * such as `kms:ReEncrypt*` and `kms:GenerateDataKey*` that none of these uses need.)
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

function allow(grantee: iam.IGrantable, actions: string[], resources: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/** A Lambda event source mapping reads the stream (shared-throughput iterator) and decrypts its records. */
export function grantStreamConsume(grantee: iam.IGrantable, stream: kinesis.IStream, key: kms.IKey): void {
  allow(
    grantee,
    [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:ListShards',
    ],
    [stream.streamArn],
  );
  allow(grantee, ['kms:Decrypt'], [key.keyArn]);
}

/** PutRecord(s) to an encrypted stream. */
export function grantStreamPut(grantee: iam.IGrantable, stream: kinesis.IStream, key: kms.IKey): void {
  allow(grantee, ['kinesis:PutRecord', 'kinesis:PutRecords'], [stream.streamArn]);
  allow(grantee, ['kms:GenerateDataKey'], [key.keyArn]);
}

/** SendMessage to an encrypted queue (SQS asks KMS for a data key, and decrypts it when it reuses one). */
export function grantQueueSend(grantee: iam.IGrantable, queue: sqs.IQueue, key: kms.IKey): void {
  allow(grantee, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], [queue.queueArn]);
  allow(grantee, ['kms:GenerateDataKey', 'kms:Decrypt'], [key.keyArn]);
}

/** Publish to an encrypted topic. */
export function grantTopicPublish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): void {
  allow(grantee, ['sns:Publish'], [topic.topicArn]);
  allow(grantee, ['kms:GenerateDataKey', 'kms:Decrypt'], [key.keyArn]);
}

/**
 * The on-failure destination of a stream event source mapping, without CDK's implicit grant (SqsDlq grants
 * `kms:ReEncrypt*`/`kms:GenerateDataKey*`): pair it with grantQueueSend.
 */
export function onFailureDestination(queue: sqs.IQueue): lambda.IEventSourceDlq {
  return { bind: () => ({ destination: queue.queueArn }) };
}
