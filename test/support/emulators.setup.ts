// Starts DynamoDB Local and the SQS emulator once per test run; every test file provisions its own prefixed stack on them.
import type { TestProject } from 'vitest/node';
import { startEmulators } from '../../infra/local/emulators';
import type { Endpoints } from '../../infra/local/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: Endpoints;
  }
}

export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  project.provide('endpoints', { dynamoEndpoint: emulators.dynamoEndpoint, sqsEndpoint: emulators.sqsEndpoint });
  return () => emulators.stop();
}
