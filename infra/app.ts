// The CDK app: one stack, in the account and region of the caller's credentials (or environment-agnostic without),
// held to the cdk-nag AWS Solutions and Serverless packs: `cdk synth` fails on any unacknowledged finding.
import { App } from 'aws-cdk-lib';
import { applyNagPacks } from './aws/nag';
import { DisputePipelineStack } from './stack';

const app = new App();
new DisputePipelineStack(app, 'DisputePipelineStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Serverless billing-dispute pipeline',
});
applyNagPacks(app);
