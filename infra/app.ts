// The CDK app: one stack, in the account and region of the caller's credentials (or environment-agnostic without).
import { App } from 'aws-cdk-lib';
import { DisputePipelineStack } from './stack';

const app = new App();
new DisputePipelineStack(app, 'DisputePipelineStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Serverless billing-dispute pipeline',
});
