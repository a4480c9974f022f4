// Custom resource (Custom::LanternDistributionAttachment): sets Lantern's CloudFront real-time log configuration, and
// optionally its WebACL, on a distribution that is managed elsewhere; removes them on delete. Plain JavaScript on
// the SDK the Lambda runtime ships (no bundling): CloudFormation calls it directly and it answers the pre-signed URL.
//
// - Every cache behaviour (default and ordered) gets RealtimeLogConfigArn; a behaviour that already sends real-time
//   logs to another configuration fails the deployment with its path pattern (one configuration per behaviour:
//   Lantern never silently takes over someone else's logging).
// - On delete (or when the distribution id changes: a new physical id, CloudFormation deletes the old one) only
//   values that are still Lantern's are removed.
// - UpdateDistribution needs the ETag of the config it replaces: a concurrent change fails with PreconditionFailed,
//   retried with a fresh read.
import { CloudFrontClient, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { plan } from './plan.mjs';

const client = new CloudFrontClient({});

async function apply(distributionId, options) {
  for (let attempt = 1; ; attempt++) {
    let got;
    try {
      got = await client.send(new GetDistributionConfigCommand({ Id: distributionId }));
    } catch (error) {
      if (!options.attach && error?.name === 'NoSuchDistribution') return 'gone';
      throw error;
    }
    const config = got.DistributionConfig;
    if (!plan(config, options)) return 'unchanged';
    try {
      await client.send(
        new UpdateDistributionCommand({ Id: distributionId, IfMatch: got.ETag, DistributionConfig: config }),
      );
      return 'updated';
    } catch (error) {
      if (error?.name !== 'PreconditionFailed' || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt + Math.random() * 500));
    }
  }
}

async function respond(event, status, physicalId, reason, data = {}) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 3000),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response not accepted: ${response.status}`);
}

export async function handler(event) {
  const props = event.ResourceProperties ?? {};
  const old = event.OldResourceProperties ?? {};
  const physicalId = `lantern-attachment-${props.DistributionId}`;
  const arns = (key) => [props[key], old[key]].filter((v) => typeof v === 'string' && v !== '');
  try {
    let outcome;
    if (event.RequestType === 'Delete') {
      // A failed create has no attachment: its physical id is not ours.
      if (event.PhysicalResourceId !== physicalId) outcome = 'nothing to detach';
      else
        outcome = await apply(props.DistributionId, {
          attach: false,
          realtimeArns: arns('RealtimeLogConfigArn'),
          webAclArns: arns('WebAclArn'),
        });
    } else {
      outcome = await apply(props.DistributionId, {
        attach: true,
        realtimeArns: arns('RealtimeLogConfigArn'),
        webAclArns: props.WebAclArn ? arns('WebAclArn') : [],
      });
      // The WebACL was removed from the configuration: detach it.
      if (event.RequestType === 'Update' && old.WebAclArn && !props.WebAclArn) {
        await apply(props.DistributionId, { attach: false, realtimeArns: [], webAclArns: [old.WebAclArn] });
      }
    }
    console.log(JSON.stringify({ requestType: event.RequestType, distributionId: props.DistributionId, outcome }));
    await respond(event, 'SUCCESS', physicalId, String(outcome));
  } catch (error) {
    console.error(
      JSON.stringify({
        requestType: event.RequestType,
        distributionId: props.DistributionId,
        error: String(error?.message ?? error),
      }),
    );
    await respond(
      event,
      'FAILED',
      event.PhysicalResourceId ?? `lantern-attachment-failed-${props.DistributionId}`,
      String(error?.message ?? error),
    );
  }
}
