// The reviewer console in AWS: the static build of lib/console (dist/console) in a private S3 bucket, served by
// CloudFront over HTTPS only through origin access control, with security headers, access logs, and a config.json
// written at deploy time from the stack's own values (API URL, sign-in endpoints, app client), so one build serves
// every environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './nag';

/** What the console reads from config.json (lib/console/src/config.ts). */
export interface ConsoleConfig {
  apiBaseUrl: string;
  environment: string;
  auth:
    | { mode: 'oidc'; authorizeUrl: string; tokenUrl: string; clientId: string; scopes: string[]; logoutUrl?: string }
    | { mode: 'token' };
}

export interface ReviewerConsoleProps {
  /** The built console: a directory with index.html (dist/console). */
  assetPath: string;
  /** The pipeline key, if any: the bucket is encrypted with it. */
  key?: IKey;
  /** Origins the console's scripts call besides its own: the API and the token endpoint (CSP connect-src). */
  connectSources: string[];
}

/** How long the access logs of the bucket and the distribution are kept. */
export const CONSOLE_LOG_RETENTION = Duration.days(90);

const NOT_BUILT = (path: string) =>
  `The reviewer console is not built: ${join(path, 'index.html')} is missing. Run \`npm run build:console\` (cdk.json's build step runs it before \`cdk synth\` and \`cdk deploy\`), or point the context value consoleAssetPath at a built console.`;

/** The console's CSP: the local console server's policy (infra/local/console-server.ts), plus the origins it calls. */
export function contentSecurityPolicy(connectSources: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

export class ReviewerConsole extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution>.cloudfront.net (no trailing slash). */
  readonly origin: string;
  /** The console's address, as people open it and as the sign-in redirects back to it: the origin and `/`. */
  readonly url: string;
  private readonly assetPath: string;
  private readonly keyed: boolean;

  constructor(scope: Construct, id: string, props: ReviewerConsoleProps) {
    super(scope, id);
    // S3 server access logs are delivered under a bucket policy (the current way), not the deprecated
    // LogDeliveryWrite ACL; set here, before any child exists, so it holds for this construct only.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    // Checked before anything is created, so a missing build fails the synth with what to do.
    if (!existsSync(join(props.assetPath, 'index.html'))) throw new Error(NOT_BUILT(props.assetPath));
    this.assetPath = props.assetPath;
    this.keyed = props.key !== undefined;

    // Access logs of the console bucket (S3 server access logs) and of the distribution (CloudFront standard logs,
    // which CloudFront writes under an ACL grant of its own, hence ACLs stay enabled here). SSE-S3: CloudFront's
    // standard logging does not write under a customer-managed key without a key policy for its log delivery.
    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: CONSOLE_LOG_RETENTION }],
      // Who fetched the console is an access record: kept when the stack goes, expiring on its own.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The build is public by nature (any browser loads it), but the bucket is not: only this distribution reads it.
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      ...(props.key ? { encryption: BucketEncryption.KMS, encryptionKey: props.key, bucketKeyEnabled: true } : { encryption: BucketEncryption.S3_MANAGED }),
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'console-bucket/',
      // Only the build and config.json, both redeployable: the deployment empties it when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Reviewer console: CSP, HSTS, no sniffing, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.connectSources), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${Stack.of(this).stackName} reviewer console`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    acknowledge(this.distribution, {
      'AwsSolutions-CFR1': 'No geo restriction: reviewers and auditors work from wherever the carrier has staff; the console is a static page and every piece of data behind it needs a signed-in person\'s token at the API.',
      'AwsSolutions-CFR2': 'No WAF web ACL: the distribution serves only the static console build (no data, no forms posting to it); the data is behind the HTTP API\'s JWT authoriser and throttling. A web ACL can be attached by the operator without a change here.',
      'AwsSolutions-CFR4': 'The default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy itself (TLSv1 minimum); a custom domain with an ACM certificate and TLSv1.2_2021 would lift it, and is the operator\'s choice of domain.',
    });

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;
    new CfnOutput(Stack.of(this), 'ConsoleUrl', { value: this.url, description: 'The reviewer console: people open this and sign in' });
  }

  /**
   * Uploads the build and a config.json made of deploy-time values (CloudFormation tokens resolved by the
   * deployment), then invalidates the two files that name everything else (the assets are content-hashed).
   */
  deploy(config: ConsoleConfig): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(this.assetPath), Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', '/config.json'],
      // An older build's files stay: a browser still holding the previous index.html can load what it names (they
      // are content-hashed and small). Removing the deployment (or the stack) empties the bucket, so it can go.
      prune: false,
      retainOnDelete: false,
      memoryLimit: 256,
    });
    acknowledgeDeploymentHandler(Stack.of(this), this.bucket, this.keyed);
    return deployment;
  }
}

/** The single Lambda function behind every BucketDeployment of the stack (created by aws-s3-deployment). */
function acknowledgeDeploymentHandler(stack: Stack, bucket: Bucket, keyed: boolean): void {
  const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket)) as string;
  const handler = stack.node.children.find((c: IConstruct) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) throw new Error('the BucketDeployment handler was not found');
  const construct = 'the aws-s3-deployment construct\'s own handler, which runs only while CloudFormation deploys the stack';
  acknowledge(handler, {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': `Logs only, for ${construct}; the construct creates this role and offers no way to replace the managed policy.`,
    'AwsSolutions-IAM5[Action::s3:GetObject*]': `Read the staged console build from the CDK asset bucket and copy it into the console bucket: the construct's grantRead/grantReadWrite on those two buckets only, for ${construct}.`,
    'AwsSolutions-IAM5[Action::s3:GetBucket*]': `The construct's grantRead/grantReadWrite on the CDK asset bucket and the console bucket only, for ${construct}.`,
    'AwsSolutions-IAM5[Action::s3:List*]': `Listing the asset bucket and the console bucket (to empty it when the stack goes): the construct's grants on those two buckets only, for ${construct}.`,
    'AwsSolutions-IAM5[Action::s3:DeleteObject*]': `Emptying the console bucket when the deployment or the stack goes: the console bucket only, for ${construct}.`,
    'AwsSolutions-IAM5[Action::s3:Abort*]': `Aborting its own multipart uploads into the console bucket: the console bucket only, for ${construct}.`,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]': `The objects of the CDK bootstrap asset bucket, where the console build is staged: read only, for ${construct}.`,
    [`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`]: `The objects of the console bucket, which holds nothing but the console build and its config.json, for ${construct}.`,
    'AwsSolutions-IAM5[Resource::*]': `cloudfront:CreateInvalidation and cloudfront:GetInvalidation, granted by the construct on "*", to refresh index.html and config.json after a deployment, for ${construct}.`,
    'AwsSolutions-L1': `The Python runtime of ${construct} is chosen by the CDK version, not here.`,
    'Serverless-LambdaLatestVersion': `The Python runtime of ${construct} is chosen by the CDK version, not here.`,
    'Serverless-LambdaDLQ': `Invoked by CloudFormation for ${construct}: a failure fails (and rolls back) the deployment; there is no asynchronous invocation to dead-letter.`,
    'Serverless-LambdaTracing': `No X-Ray for ${construct}: its outcome is in the stack events and its log group.`,
  });
  if (keyed) {
    acknowledge(handler, {
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': `The construct's grantReadWrite on the KMS-encrypted console bucket adds the key's encrypt and decrypt actions, on the pipeline key only, for ${construct}.`,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': `The construct's grantReadWrite on the KMS-encrypted console bucket adds the key's encrypt and decrypt actions, on the pipeline key only, for ${construct}.`,
    });
  }
}
