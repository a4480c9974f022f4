// The custom resource's work, with CloudFront and the CloudFormation response as injected functions (index.mjs wires
// the runtime's SDK and fetch; test/infra/attach-distribution.test.ts wires fakes).
//
// - Every cache behaviour (default and ordered) gets RealtimeLogConfigArn; a behaviour that already sends real-time
//   logs to another configuration fails the deployment with its path pattern (one configuration per behaviour:
//   Lantern never silently takes over someone else's logging).
// - On delete (or when the distribution id changes: a new physical id, CloudFormation deletes the old one) only
//   values that are still Lantern's are removed. A create that failed has a physical id of its own: deleting it
//   touches nothing.
// - UpdateDistribution needs the ETag of the config it replaces: a concurrent change fails with PreconditionFailed,
//   retried with a fresh read.
import { plan } from './plan.mjs';

/**
 * @param {{
 *   getConfig: (id: string) => Promise<{ DistributionConfig: object, ETag: string }>,
 *   updateConfig: (id: string, etag: string, config: object) => Promise<void>,
 *   respond: (body: object) => Promise<void>,
 *   sleep?: (ms: number) => Promise<void>,
 *   log?: (entry: object) => void,
 * }} deps
 */
export function createAttachmentHandler(deps) {
  const sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));

  async function apply(distributionId, options) {
    for (let attempt = 1; ; attempt++) {
      let got;
      try {
        got = await deps.getConfig(distributionId);
      } catch (error) {
        if (!options.attach && error?.name === 'NoSuchDistribution') return 'gone';
        throw error;
      }
      const config = got.DistributionConfig;
      if (!plan(config, options)) return 'unchanged';
      try {
        await deps.updateConfig(distributionId, got.ETag, config);
        return 'updated';
      } catch (error) {
        if (error?.name !== 'PreconditionFailed' || attempt >= 4) throw error;
        await sleep(500 * attempt + Math.random() * 500);
      }
    }
  }

  return async function handler(event) {
    const props = event.ResourceProperties ?? {};
    const old = event.OldResourceProperties ?? {};
    const physicalId = `lantern-attachment-${props.DistributionId}`;
    const arns = (key) => [props[key], old[key]].filter((v) => typeof v === 'string' && v !== '');
    const answer = (Status, PhysicalResourceId, reason) =>
      deps.respond({
        Status,
        Reason: String(reason).slice(0, 3000),
        PhysicalResourceId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: {},
      });
    try {
      let outcome;
      if (event.RequestType === 'Delete') {
        if (event.PhysicalResourceId !== physicalId) outcome = 'nothing to detach';
        else {
          outcome = await apply(props.DistributionId, {
            attach: false,
            realtimeArns: arns('RealtimeLogConfigArn'),
            webAclArns: arns('WebAclArn'),
          });
        }
      } else {
        outcome = await apply(props.DistributionId, {
          attach: true,
          realtimeArns: arns('RealtimeLogConfigArn'),
          webAclArns: props.WebAclArn ? arns('WebAclArn') : [],
        });
        // The WebACL was taken out of the configuration: detach it.
        if (event.RequestType === 'Update' && old.WebAclArn && !props.WebAclArn) {
          await apply(props.DistributionId, { attach: false, realtimeArns: [], webAclArns: [old.WebAclArn] });
        }
      }
      log({ requestType: event.RequestType, distributionId: props.DistributionId, outcome });
      await answer('SUCCESS', physicalId, outcome);
    } catch (error) {
      const reason = String(error?.message ?? error);
      log({ requestType: event.RequestType, distributionId: props.DistributionId, error: reason });
      await answer('FAILED', event.PhysicalResourceId ?? `lantern-attachment-failed-${props.DistributionId}`, reason);
    }
  };
}
