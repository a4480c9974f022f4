/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`). Reads and validates the configuration from the context
 * (infra/config.ts), builds the stack(s), and runs the cdk-nag AwsSolutions checks on everything.
 */
import { App, type Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type LanternConfig, LanternConfigError, loadConfig } from './config.js';
import { LanternEdgeStack, LanternStack } from './stack.js';

export interface LanternApp {
  main: LanternStack;
  /** The us-east-1 stack of the CLOUDFRONT-scope WAF resources, when the main stack is elsewhere. */
  edge?: LanternEdgeStack;
  stacks: Stack[];
}

/** Builds Lantern's stacks into `app` from a validated configuration. */
export function buildLantern(app: App, config: LanternConfig): LanternApp {
  const env = { region: config.region, ...(config.account ? { account: config.account } : {}) };
  const description =
    'Lantern: API discovery, abuse detection and automated response from CloudFront and API Gateway logs';
  let edge: LanternEdgeStack | undefined;
  if (config.wafScope === 'CLOUDFRONT' && config.region !== 'us-east-1') {
    edge = new LanternEdgeStack(app, `${config.stackName}-Edge`, {
      config,
      env: { region: 'us-east-1', ...(config.account ? { account: config.account } : {}) },
      crossRegionReferences: true,
      description: `${description} (WAF block list, CLOUDFRONT scope, us-east-1)`,
    });
  }
  const main = new LanternStack(app, config.stackName, {
    config,
    env,
    ...(edge ? { edgeBlockList: edge.blockList.refs, crossRegionReferences: true } : {}),
    description,
  });
  if (edge) main.addStackDependency(edge);
  // Cost allocation and ownership: every taggable resource of both stacks.
  for (const stack of edge ? [edge, main] : [main]) Tags.of(stack).add('lantern:stack', config.stackName);
  return { main, ...(edge ? { edge } : {}), stacks: edge ? [edge, main] : [main] };
}

/**
 * The app with its configuration from the context. With `nag` (default), the cdk-nag AwsSolutions pack runs as a
 * validation plugin at synth: an unacknowledged finding fails the synth with the report.
 */
export function createApp(
  context: Record<string, unknown> = {},
  options: { nag?: boolean } = {},
): LanternApp & { app: App; config: LanternConfig } {
  // Cross-stack references (edge stack -> main stack) keep CDK's producer-protecting behaviour, stated explicitly.
  const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...context } });
  const config = loadConfig(app.node);
  const built = buildLantern(app, config);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, config, ...built };
}

const isMain = process.argv[1] !== undefined && /infra[/\\]app\.ts$/.test(process.argv[1]);
if (isMain) {
  try {
    createApp().app.synth();
  } catch (error: unknown) {
    if (error instanceof LanternConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
