/**
 * The console's infrastructure (the UI and the API code are functions/console-api and the console's built assets):
 * - static assets in a private S3 bucket, served by CloudFront through Origin Access Control, with security headers;
 * - `/api/*` on the same distribution goes to a REST API (same origin: no CORS), whose every method requires a
 *   Cognito user pool token; the API's access logs use Lantern's recommended format;
 * - a Cognito user pool with no self sign-up (an administrator creates analysts), MFA required, and an app client
 *   for the browser (authorization code + PKCE through the Cognito domain);
 * - `config.json` at the root of the site tells the UI where the user pool, the client and the API are.
 * Seam: the UI is built by its own script (infra/console/build.ts, esbuild) as a local asset bundling step at synth
 * (no Docker); without the script, a prebuilt infra/console/dist is uploaded; without either, a placeholder page.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AssetHashType, Aws, DockerImage, Duration, type RemovalPolicy, RemovalPolicy as RP, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { RECOMMENDED_APIGW_ACCESS_LOG_FORMAT } from '../../shared/decoders/apigw.js';
import { LanternFunction, REPO_ROOT } from './function.js';
import { acknowledge, nagAccount, nagRegion } from './nag.js';
import type { Response } from './response.js';
import { FUNCTION_MEMORY_MB } from './settings.js';
import type { State } from './state.js';

export const CONSOLE_ASSETS_DIR = path.join(REPO_ROOT, 'infra/console/dist');
export const CONSOLE_BUILD_SCRIPT = path.join(REPO_ROOT, 'infra/console/build.ts');

/** The console's static assets as a deployment source. */
export function consoleAssetsSource(): s3deploy.ISource {
  if (existsSync(CONSOLE_BUILD_SCRIPT)) {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    return s3deploy.Source.asset(path.join(REPO_ROOT, 'infra/console/static'), {
      // The output depends on infra/console/src and shared/console/view too: hash what the build produced.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the API, never pulled: local bundling always succeeds or throws.
        image: DockerImage.fromRegistry('node:24-slim'),
        local: {
          tryBundle(outputDir: string): boolean {
            execFileSync(process.execPath, [tsx, CONSOLE_BUILD_SCRIPT, outputDir], {
              cwd: REPO_ROOT,
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            return true;
          },
        },
      },
    });
  }
  if (existsSync(CONSOLE_ASSETS_DIR)) return s3deploy.Source.asset(CONSOLE_ASSETS_DIR);
  return s3deploy.Source.data(
    'index.html',
    '<!doctype html><meta charset="utf-8"><title>Lantern</title><p>The Lantern console assets were not built into this deployment (infra/console).</p>',
  );
}

export interface ConsoleProps {
  state: State;
  response: Response;
  environment: Record<string, string>;
  retentionDays: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** WebACL (REGIONAL) to protect the console API with, when the block list is regional. */
  regionalWebAclArn?: string;
  /** WebACL (CLOUDFRONT) to protect the console distribution with, when the block list is of that scope. */
  cloudFrontWebAclArn?: string;
}

export class Console extends Construct {
  readonly assets: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly api: apigateway.RestApi;
  readonly apiFunction: LanternFunction;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const autoDelete = props.removalPolicy === RP.DESTROY;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with an ACL: the bucket must accept object-writer ownership.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });
    this.assets = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: autoDelete,
    });

    // The API behind the console.
    this.apiFunction = new LanternFunction(this, 'ApiFunction', {
      name: 'console-api',
      description: 'Lantern: console API (inventory, entities, findings, actions)',
      environment: { ...props.environment, ...props.response.enforcerEnvironment },
      ...(props.response.bundledFiles ? { files: props.response.bundledFiles } : {}),
      memoryMb: FUNCTION_MEMORY_MB.consoleApi,
      timeout: Duration.seconds(29),
      retentionDays: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    // Unblock / extend / allowlist go through the policy and the enforcers: the same grants as the responder.
    props.response.grantEnforcers(this.apiFunction, { alerts: false });

    this.userPool = new cognito.UserPool(this, 'Users', {
      userPoolName: `${stack.stackName}-console`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: props.removalPolicy,
    });

    const accessLogGroup = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.retentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${stack.stackName}-console-api`,
      description: 'Lantern console API (Cognito-authenticated; served under /api/* of the console distribution)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RP.RETAIN,
      deployOptions: {
        stageName: 'prod',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(RECOMMENDED_APIGW_ACCESS_LOG_FORMAT)),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
    });
    const validator = new apigateway.RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integration = new apigateway.LambdaIntegration(this.apiFunction.fn, { proxy: true });
    const proxy = this.api.root.addResource('api').addResource('{proxy+}');
    proxy.addMethod('ANY', integration, {
      authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      requestValidator: validator,
    });
    if (props.regionalWebAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'ApiWaf', {
        webAclArn: props.regionalWebAclArn,
        resourceArn: this.api.deploymentStage.stageArn,
      });
    }

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Lantern console: strict security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' https://*.amazoncognito.com https://cognito-idp.*.amazonaws.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self' https://*.amazoncognito.com",
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${stack.stackName} console`,
      ...(props.cloudFrontWebAclArn ? { webAclId: props.cloudFrontWebAclArn } : {}),
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.assets),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.RestApiOrigin(this.api),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    this.client = this.userPool.addClient('Browser', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${this.url}/`],
        logoutUrls: [`${this.url}/`],
      },
    });
    const domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `${stack.stackName.toLowerCase()}-console-${Aws.ACCOUNT_ID}` },
    });

    const sources = [
      consoleAssetsSource(),
      s3deploy.Source.jsonData('config.json', {
        region: stack.region,
        userPoolId: this.userPool.userPoolId,
        userPoolClientId: this.client.userPoolClientId,
        cognitoDomain: domain.baseUrl(),
        apiBase: '/api',
      }),
    ];
    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources,
      destinationBucket: this.assets,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    this.acknowledgeFindings(props, deployment);
  }

  private acknowledgeFindings(props: ConsoleProps, deployment: s3deploy.BucketDeployment): void {
    const stack = Stack.of(this);
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'Threat protection needs the Cognito Plus plan (billed per monthly active user). The console has a handful of administrator-created analysts, no self sign-up, and MFA is required for every sign-in.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-level logging role (needed for execution logs) uses AWS's own policy for exactly that purpose; it is retained on delete because it is shared by every API in the region.",
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The console uses the default *.cloudfront.net certificate (no custom domain is configured), whose security policy CloudFront fixes; viewers are redirected to HTTPS and modern browsers negotiate TLS 1.2+.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      "Analysts' locations are not known in advance; every request needs a Cognito session with MFA. Add geo restrictions to the distribution if your team works from known countries.",
    );
    if (!props.cloudFrontWebAclArn) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR2',
        "With wafScope REGIONAL there is no CLOUDFRONT-scope WebACL to attach; the console API behind /api/* is protected by Lantern's REGIONAL WebACL and Cognito.",
      );
    }
    if (!props.regionalWebAclArn) {
      acknowledge(
        this.api.deploymentStage,
        'AwsSolutions-APIG3',
        "The console API is served through the console distribution, which carries Lantern's CLOUDFRONT-scope WebACL; a direct execute-api call still needs a Cognito token. A second, REGIONAL WebACL would add its monthly fee for no additional protection.",
      );
    }
    // The BucketDeployment's handler is a singleton of the stack, defined by aws-cdk-lib.
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      const assetsId = stack.getLogicalId(this.assets.node.defaultChild as s3.CfnBucket);
      const deploymentWhy =
        "aws-cdk-lib's BucketDeployment handler copies the console assets from the CDK asset bucket to the console bucket and invalidates the distribution";
      acknowledge(
        handler,
        'AwsSolutions-L1',
        `${deploymentWhy}; its runtime is chosen and updated by aws-cdk-lib, not by this stack.`,
      );
      acknowledge(
        handler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        `${deploymentWhy}; its role uses the basic execution policy for its own logs.`,
      );
      for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
        acknowledge(
          handler,
          `AwsSolutions-IAM5[Action::${action}]`,
          `${deploymentWhy}: aws-cdk-lib grants read of the asset bucket and read/write of the console bucket (${action}).`,
        );
      }
      acknowledge(
        handler,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${nagAccount(this)}-${nagRegion(this)}/*]`,
        `${deploymentWhy}: it reads its source zip from the CDK bootstrap asset bucket, whose object keys are content hashes.`,
      );
      acknowledge(
        handler,
        `AwsSolutions-IAM5[Resource::<${assetsId}.Arn>/*]`,
        `${deploymentWhy}: it writes every object of the console bucket.`,
      );
      acknowledge(
        handler,
        'AwsSolutions-IAM5[Resource::*]',
        `${deploymentWhy}: CloudFront's CreateInvalidation/GetInvalidation do not support resource-level permissions for this grant in aws-cdk-lib.`,
      );
    }
    void deployment;
  }
}
