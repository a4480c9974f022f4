/**
 * One Lantern Lambda: a thin handler under functions/<name>/handler.ts, bundled locally with esbuild (never Docker),
 * on the newest Node.js runtime aws-cdk-lib offers, arm64, with its own log group (retention) and its own role
 * whose only built-in permission is writing to that log group. Every other permission is granted by the
 * construct that wires the function to a resource.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_MEMORY_MB } from './settings.js';

/** The newest concrete Node.js runtime of the installed aws-cdk-lib (NODEJS_LATEST lags behind it). */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type FunctionName = 'ingest' | 'sweeper' | 'responder' | 'expirer' | 'console-api';

export interface LanternFunctionProps {
  /** Folder under functions/ holding handler.ts. */
  name: FunctionName;
  /** Exported handler (default `handler`). */
  handlerExport?: string;
  description: string;
  environment: Record<string, string>;
  memoryMb?: number;
  timeout: Duration;
  retentionDays: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** At most this many concurrent executions (default: unreserved). */
  reservedConcurrency?: number;
  /** Files copied next to the handler (in /var/task): name in the bundle -> path on this machine. */
  files?: Readonly<Record<string, string>>;
}

export class LanternFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** False when functions/<name>/handler.ts does not exist yet: a placeholder that fails every invocation. */
  readonly built: boolean;

  constructor(scope: Construct, id: string, props: LanternFunctionProps) {
    super(scope, id);
    const entry = path.join(REPO_ROOT, 'functions', props.name, 'handler.ts');
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Lantern ${props.name} function`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's ARN attribute already covers its streams (`...:log-group:<name>:*`).
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const common = {
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb ?? FUNCTION_MEMORY_MB.default,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `lantern-${props.name}`,
        ...props.environment,
      },
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
    };
    this.built = existsSync(entry);
    if (this.built) {
      this.fn = new NodejsFunction(this, 'Function', {
        ...common,
        entry,
        handler: props.handlerExport ?? 'handler',
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        bundling: {
          forceDockerBundling: false,
          format: OutputFormat.ESM,
          target: 'node24',
          minify: true,
          sourceMap: true,
          // The runtime ships AWS SDK v3; bundling it would only grow the package and the cold start.
          externalModules: ['@aws-sdk/*'],
          // ESM output: some dependencies still call require().
          banner:
            "import { createRequire as __lanternRequire } from 'node:module'; const require = __lanternRequire(import.meta.url);",
          ...(props.files && Object.keys(props.files).length > 0 ? { commandHooks: copyFiles(props.files) } : {}),
        },
      });
    } else {
      Annotations.of(this).addWarningV2(
        'lantern:function-missing',
        `functions/${props.name}/handler.ts does not exist: deployed as a placeholder that fails every invocation`,
      );
      this.fn = new lambda.Function(this, 'Function', {
        ...common,
        handler: 'index.handler',
        code: lambda.Code.fromInline(
          `exports.handler = async () => { throw new Error('functions/${props.name}/handler.ts was not built into this deployment'); };`,
        ),
      });
    }
  }
}

/** esbuild command hooks that copy `files` into the bundle (local bundling: the commands run on this machine). */
function copyFiles(files: Readonly<Record<string, string>>): ICommandHooks {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) =>
      Object.entries(files).map(([name, from]) => `cp ${quote(from)} ${quote(path.join(outputDir, name))}`),
  };
}
