// Synthesizing the stack for the template tests: an app held to the cdk-nag packs as infra/app.ts holds it, the
// template, and small lookups over its resources.
import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TABLES, type TableKey } from '../../../lib/adapters/resources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { applyNagPacks, nagPacks } from '../../../infra/aws/nag';
import { DisputePipelineStack, FUNCTIONS } from '../../../infra/stack';
import type { FunctionKey } from '../../../infra/aws/access';
import { type DueDatesAndAdjustments, SWEEP_FUNCTION } from '../../../infra/aws/due-dates-and-adjustments';
import { WEBHOOK_FUNCTIONS } from '../../../infra/aws/webhooks';

export const STACK = 'TestStack';

/**
 * Every function of the pipeline whose code is in this repository, by key: the stack's own (FUNCTIONS), the webhook
 * ones and the overdue sweep. Not the Cognito sign-in trigger (test/infra/console.test.ts) nor CDK's own handlers.
 */
export const PIPELINE_FUNCTIONS = {
  ...FUNCTIONS,
  ...Object.fromEntries(Object.entries(WEBHOOK_FUNCTIONS).map(([key, f]) => [key, { id: f.id, entry: f.entry }])),
  sweepOverdue: { id: SWEEP_FUNCTION.id, entry: SWEEP_FUNCTION.entry },
} as Record<FunctionKey | keyof typeof WEBHOOK_FUNCTIONS | 'sweepOverdue', { id: string; entry: string }>;
export type PipelineFunctionKey = keyof typeof PIPELINE_FUNCTIONS;

/**
 * The dead-letter queues besides each queue's own (resources.ts): the Disputes and Adjustments streams' on-failure
 * destination, the Cdrs stream's, the schedules' (audit and overdue sweep) and the webhook-events rule's.
 */
export const OTHER_DEAD_LETTER_QUEUES = ['dispute-events-dlq', 'cdr-counts-dlq', 'run-audit-dlq', 'webhook-events-rule-dlq'];
/**
 * A stand-in for the built console: the template tests do not depend on `npm run build:console` (nor race another
 * build emptying dist/console); a test that wants the real build passes consoleAssetPath itself.
 */
export const CONSOLE_STUB = fileURLToPath(new URL('./console-stub', import.meta.url));
/** A CloudFormation value as the template holds it: untyped JSON that the assertions read. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- template JSON has no static type
export type Cfn = any;
export type Resource = { Type: string; Properties: Record<string, Cfn>; DeletionPolicy?: string; UpdateReplacePolicy?: string; Metadata?: Record<string, Cfn> };

export interface Synthesized {
  app: App;
  stack: DisputePipelineStack;
  template: Template;
  resources: Record<string, Resource>;
  ofType: (type: string) => [string, Resource][];
  byName: (type: string, nameProp: string, name: string) => [string, Resource];
  /** The Lambda function of a PIPELINE_FUNCTIONS entry. */
  functionOf: (key: PipelineFunctionKey) => [string, Resource];
  /** The table key (resources.ts) of a table's logical id. */
  tableKeyOf: (logicalId: string) => TableKey | undefined;
}

/**
 * The stack in an app with the cdk-nag packs, as `cdk synth` builds it. `bundle: false` skips esbuild (the
 * template is the same but for the code assets), for the tests that do not look at code; `nag: false` leaves the
 * packs out (to see what the acknowledgments hide).
 */
export function synth(context: Record<string, unknown> = {}, options: { bundle?: boolean; nag?: boolean } = {}): Synthesized {
  const app = new App({ context: { consoleAssetPath: CONSOLE_STUB, ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new DisputePipelineStack(app, STACK);
  if (options.nag !== false) applyNagPacks(app);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const byName = (type: string, nameProp: string, name: string): [string, Resource] => {
    const found = ofType(type).find(([, r]) => r.Properties[nameProp] === name);
    if (!found) throw new Error(`no ${type} with ${nameProp} ${name}`);
    return found;
  };
  const constructs: Record<PipelineFunctionKey, NodejsFunction> = {
    ...stack.functions,
    ...stack.webhooks.functions,
    sweepOverdue: (stack.node.findChild('DueDatesAndAdjustments') as DueDatesAndAdjustments).sweep,
  };
  const functionOf = (key: PipelineFunctionKey): [string, Resource] => {
    const id = stack.getLogicalId(constructs[key].node.defaultChild as CfnElement);
    if (resources[id]?.Type !== 'AWS::Lambda::Function') throw new Error(`no function ${PIPELINE_FUNCTIONS[key].id}`);
    return [id, resources[id]];
  };
  const tableKeyOf = (logicalId: string) => {
    const name = resources[logicalId]?.Type === 'AWS::DynamoDB::Table' ? resources[logicalId].Properties.TableName : undefined;
    return (Object.keys(TABLES) as TableKey[]).find((k) => `${STACK}-${TABLES[k].name}` === name);
  };
  return { app, stack, template, resources, ofType, byName, functionOf, tableKeyOf };
}

export interface Finding {
  rule: string;
  severity?: string;
  path: string;
}

/** Every finding of the AWS Solutions and Serverless packs that no acknowledgment covers. */
export function nagFindings(app: App): Finding[] {
  return nagPacks(app).flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity, path: r.constructPath ?? '?' }))),
  );
}
