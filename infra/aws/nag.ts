// The cdk-nag rule packs the stack is held to: AWS Solutions and Serverless. cdk-nag 3 runs them as CDK policy
// validation plugins, so `cdk synth` (and every test that synthesizes the app) fails on any finding that is not
// acknowledged; each acknowledgment sits next to its resource with the reason it is right for this design.
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const nagPacks = (app: App) => [new AwsSolutionsChecks(app), new ServerlessChecks(app)];

export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/** Acknowledges cdk-nag findings on one construct (and what it contains), each with its reason. */
export function acknowledge(scope: IConstruct, findings: Record<string, string>): void {
  Validations.of(scope).acknowledge(...Object.entries(findings).map(([id, reason]) => ({ id, reason })));
}
