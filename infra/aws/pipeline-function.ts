// One Lambda function of the pipeline: bundled by esbuild from node_modules (no Docker), Node 22 on arm64, traced
// by X-Ray, logging to its own log group, running under a role of its own with no managed policy: logs to its group,
// traces, and exactly the data rights in access.ts.
import type { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type AccessTargets, type FunctionAccess, grantAccess } from './access';
import { acknowledge } from './nag';

export interface PipelineFunctionProps {
  /** Repository root and the entry below it (functions/<name>/index.ts). */
  root: string;
  entry: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  access: FunctionAccess;
  targets: AccessTargets;
  key?: IKey;
  reservedConcurrency?: number;
  /** Why the function needs no Lambda dead-letter queue of its own (it is never invoked asynchronously). */
  noLambdaDlqBecause: string;
  /** cdk-nag acknowledgments of its role's policy beyond the X-Ray one, e.g. a stream's ListStreams. */
  roleAcknowledgments?: Record<string, string>;
}

const XRAY = 'X-Ray: xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource but "*" (Tracing.ACTIVE).';

export function pipelineFunction(scope: Construct, id: string, props: PipelineFunctionProps): { fn: NodejsFunction; logGroup: LogGroup } {
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Runs the ${id} function` });
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, encryptionKey: props.key });
  // Instead of AWSLambdaBasicExecutionRole (which may write to any log group): this function's group only.
  logGroup.grantWrite(role);

  const fn = new NodejsFunction(scope, id, {
    entry: `${props.root}${props.entry}`,
    handler: 'handler',
    projectRoot: props.root,
    depsLockFilePath: `${props.root}package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    environment: props.environment,
    role,
    logGroup,
    tracing: Tracing.ACTIVE,
    reservedConcurrentExecutions: props.reservedConcurrency,
    // esbuild from node_modules, never Docker: synth works offline and on machines without a daemon.
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      // Some CommonJS dependencies call require(); give the ESM bundle one.
      banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
    },
  });
  grantAccess(fn, props.access, props.targets);

  acknowledge(fn, {
    'AwsSolutions-L1': 'Node.js 22 on purpose: the project pins Node 22 (package.json `node`), so the tests, the local runner and the bundles (target node22) run what Lambda runs; moving to a newer runtime is its own change.',
    'Serverless-LambdaLatestVersion': 'Node.js 22 on purpose: the project pins Node 22 (package.json `node`), so the tests, the local runner and the bundles (target node22) run what Lambda runs.',
    'Serverless-LambdaDLQ': props.noLambdaDlqBecause,
  });
  acknowledge(role, { 'AwsSolutions-IAM5[Resource::*]': XRAY, ...props.roleAcknowledgments });
  return { fn, logGroup };
}
