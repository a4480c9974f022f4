/**
 * Builds the responder's ports from its configuration (once per cold start). Shared by the responder and the
 * expirer, so that both act through the same enforcers.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { apiKeyValueResolver, createUsagePlanEnforcer } from '../../shared/adapters/apigateway/usage-plans.js';
import { createDynamoDbStore } from '../../shared/adapters/dynamodb/dynamodb-store.js';
import { createLocalEnforcer } from '../../shared/adapters/local-enforcer/local-enforcer.js';
import { createSlackNotifier, readSlackWebhookUrl } from '../../shared/adapters/slack/slack-notifier.js';
import { createSnsNotifier } from '../../shared/adapters/sns/sns-notifier.js';
import { createWafEnforcer } from '../../shared/adapters/waf/waf-enforcer.js';
import type { Enforcer } from '../../shared/ports/enforcer.js';
import { fanOut, type Notifier } from '../../shared/ports/notifier.js';
import type { Store } from '../../shared/ports/store.js';
import { routeEnforcer } from '../../shared/response/route-enforcer.js';
import type { ResponderConfig } from './config.js';

export interface Ports {
  store: Store;
  enforcer: Enforcer;
  notifier?: Notifier;
}

export function buildEnforcer(
  config: ResponderConfig,
  log: (message: string, extra?: Record<string, unknown>) => void,
): Enforcer {
  if (config.enforcer.kind === 'local') {
    return createLocalEnforcer({
      onChange: (record) => log('local enforcer (nothing applied)', { change: record.change, changed: record.changed }),
    });
  }
  const { waf, usagePlans } = config.enforcer;
  const apigw = new APIGatewayClient({ region: config.region });
  const wafEnforcer = waf
    ? createWafEnforcer({
        client: new WAFV2Client({ region: waf.region }),
        scope: waf.scope,
        ipv4: waf.ipv4,
        ipv6: waf.ipv6,
        ...(waf.apiKeys ? { apiKeys: { ...waf.apiKeys, resolveValue: apiKeyValueResolver(apigw) } } : {}),
      })
    : undefined;
  const planEnforcer = usagePlans ? createUsagePlanEnforcer({ client: apigw, ...usagePlans }) : undefined;
  return routeEnforcer({
    ...(wafEnforcer ? { addresses: wafEnforcer, keyBlocks: wafEnforcer } : {}),
    ...(planEnforcer ? { keyThrottles: planEnforcer } : {}),
  });
}

export async function buildNotifier(config: ResponderConfig): Promise<Notifier | undefined> {
  const notifiers: Notifier[] = [];
  if (config.alertTopicArn)
    notifiers.push(
      createSnsNotifier({ client: new SNSClient({ region: config.region }), topicArn: config.alertTopicArn }),
    );
  if (config.slackSecretId) {
    const secrets = new SecretsManagerClient({ region: config.region });
    const webhookUrl = await readSlackWebhookUrl(
      async (SecretId) => (await secrets.send(new GetSecretValueCommand({ SecretId }))).SecretString,
      config.slackSecretId,
    );
    secrets.destroy();
    notifiers.push(createSlackNotifier({ webhookUrl }));
  }
  return notifiers.length === 0 ? undefined : notifiers.length === 1 ? notifiers[0] : fanOut(notifiers);
}

export function buildStore(config: ResponderConfig): Store {
  return createDynamoDbStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    tableName: config.tableName,
  });
}
