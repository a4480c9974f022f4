// Custom resource (Custom::LanternDistributionAttachment): sets Lantern's CloudFront real-time log configuration, and
// optionally its WebACL, on a distribution that is managed elsewhere; removes them on delete (attach.mjs). Plain
// JavaScript on the SDK the Lambda runtime ships (no bundling): CloudFormation calls it directly and it answers
// the pre-signed URL.
import { CloudFrontClient, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { createAttachmentHandler } from './attach.mjs';

const client = new CloudFrontClient({});
let responseUrl = '';

const attach = createAttachmentHandler({
  getConfig: async (id) => {
    const out = await client.send(new GetDistributionConfigCommand({ Id: id }));
    return { DistributionConfig: out.DistributionConfig, ETag: out.ETag };
  },
  updateConfig: async (id, etag, config) => {
    await client.send(new UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }));
  },
  respond: async (body) => {
    const response = await fetch(responseUrl, {
      method: 'PUT',
      body: JSON.stringify(body),
      headers: { 'content-type': '' },
    });
    if (!response.ok) throw new Error(`CloudFormation did not accept the response: HTTP ${response.status}`);
  },
});

export async function handler(event) {
  responseUrl = event.ResponseURL;
  await attach(event);
}
