/**
 * The WAF block list: one IPv4 and one IPv6 IP set (WAF allows one IP version per set), a regex pattern set of
 * blocked API keys (matched on the `x-api-key` header: WAF cannot match a hash, see shared/adapters/waf), a rule
 * group that blocks all three (to add to a WebACL the user already has) and a WebACL that uses it (for those who have none), in the scope
 * of what it protects. CLOUDFRONT scope must be created in us-east-1: the stack places this construct in an edge
 * stack there when the rest of Lantern lives elsewhere (infra/stack.ts).
 * The responder owns the IP sets' contents (UpdateIPSet with the lock token); CloudFormation only creates them
 * empty, and ignores the addresses on later deployments (the template never lists any).
 */
import { Stack } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { RestApiStage, WafScope } from '../config.js';

export interface BlockListProps {
  scope: WafScope;
  /** Prefix of the WAF resource names (the stack name). */
  namePrefix: string;
  /** REGIONAL scope behind CloudFront: match the viewer address CloudFront appends to X-Forwarded-For. */
  behindCloudFront: boolean;
  /** REGIONAL scope: associate the WebACL with these REST API stages. */
  associateWith: readonly RestApiStage[];
}

export interface BlockListRefs {
  scope: WafScope;
  /** Region of the WAF resources (us-east-1 for CLOUDFRONT). */
  region: string;
  ipv4: { arn: string; id: string; name: string };
  ipv6: { arn: string; id: string; name: string };
  apiKeys: { arn: string; id: string; name: string };
  webAclArn: string;
  ruleGroupArn: string;
}

export class BlockList extends Construct {
  readonly ipv4: wafv2.CfnIPSet;
  readonly ipv6: wafv2.CfnIPSet;
  readonly apiKeys: wafv2.CfnRegexPatternSet;
  readonly ruleGroup: wafv2.CfnRuleGroup;
  readonly webAcl: wafv2.CfnWebACL;
  readonly refs: BlockListRefs;

  constructor(scope: Construct, id: string, props: BlockListProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.scope === 'CLOUDFRONT' && stack.region !== 'us-east-1') {
      throw new Error(
        `WAF resources of scope CLOUDFRONT must be in us-east-1, not in stack ${stack.stackName} (${stack.region})`,
      );
    }
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const ipv4Name = `${props.namePrefix}-blocked-ipv4`;
    const ipv6Name = `${props.namePrefix}-blocked-ipv6`;
    this.ipv4 = new wafv2.CfnIPSet(this, 'BlockedIpv4', {
      name: ipv4Name,
      scope: props.scope,
      ipAddressVersion: 'IPV4',
      addresses: [],
      description: 'Addresses Lantern blocks - managed by the responder, do not edit by hand',
    });
    this.ipv6 = new wafv2.CfnIPSet(this, 'BlockedIpv6', {
      name: ipv6Name,
      scope: props.scope,
      ipAddressVersion: 'IPV6',
      addresses: [],
      description: 'Addresses Lantern blocks - managed by the responder, do not edit by hand',
    });
    const apiKeysName = `${props.namePrefix}-blocked-api-keys`;
    this.apiKeys = new wafv2.CfnRegexPatternSet(this, 'BlockedApiKeys', {
      name: apiKeysName,
      scope: props.scope,
      regularExpressionList: [],
      description: 'API keys Lantern blocks - anchored patterns managed by the responder, do not edit by hand',
    });
    const forwarded =
      props.scope === 'REGIONAL' && props.behindCloudFront
        ? { ipSetForwardedIpConfig: { headerName: 'X-Forwarded-For', position: 'LAST', fallbackBehavior: 'NO_MATCH' } }
        : {};
    const blockRule = (name: string, priority: number, arn: string): wafv2.CfnRuleGroup.RuleProperty => ({
      name,
      priority,
      action: { block: {} },
      statement: { ipSetReferenceStatement: { arn, ...forwarded } },
      visibilityConfig: visibility(`${props.namePrefix}-${name}`),
    });
    this.ruleGroup = new wafv2.CfnRuleGroup(this, 'RuleGroup', {
      name: `${props.namePrefix}-block-list`,
      scope: props.scope,
      // An IP set reference costs 1 WCU (2 with a forwarded-IP configuration), a regex pattern set reference 25.
      capacity: 50,
      rules: [
        blockRule('BlockedIpv4', 0, this.ipv4.attrArn),
        blockRule('BlockedIpv6', 1, this.ipv6.attrArn),
        {
          name: 'BlockedApiKeys',
          priority: 2,
          action: { block: {} },
          statement: {
            regexPatternSetReferenceStatement: {
              arn: this.apiKeys.attrArn,
              fieldToMatch: { singleHeader: { Name: 'x-api-key' } },
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility(`${props.namePrefix}-BlockedApiKeys`),
        },
      ],
      visibilityConfig: visibility(`${props.namePrefix}-block-list`),
      description: 'Lantern: block the addresses in its IP sets. Add to an existing WebACL as a rule group reference.',
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${props.namePrefix}-web-acl`,
      scope: props.scope,
      defaultAction: { allow: {} },
      rules: [
        {
          name: 'LanternBlockList',
          priority: 0,
          overrideAction: { none: {} },
          statement: { ruleGroupReferenceStatement: { arn: this.ruleGroup.attrArn } },
          visibilityConfig: visibility(`${props.namePrefix}-web-acl-block-list`),
        },
      ],
      visibilityConfig: visibility(`${props.namePrefix}-web-acl`),
      description: 'Lantern: allows everything except what Lantern blocks',
    });
    if (props.scope === 'REGIONAL') {
      props.associateWith.forEach((s, i) => {
        new wafv2.CfnWebACLAssociation(this, `Association${i}`, {
          webAclArn: this.webAcl.attrArn,
          resourceArn: `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${s.apiId}/stages/${s.stage}`,
        });
      });
    }
    this.refs = {
      scope: props.scope,
      region: props.scope === 'CLOUDFRONT' ? 'us-east-1' : stack.region,
      ipv4: { arn: this.ipv4.attrArn, id: this.ipv4.attrId, name: ipv4Name },
      ipv6: { arn: this.ipv6.attrArn, id: this.ipv6.attrId, name: ipv6Name },
      apiKeys: { arn: this.apiKeys.attrArn, id: this.apiKeys.attrId, name: apiKeysName },
      webAclArn: this.webAcl.attrArn,
      ruleGroupArn: this.ruleGroup.attrArn,
    };
  }
}
