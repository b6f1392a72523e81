// How `npm start` begins and ends: the checks that turn a busy port or a DynamoDB Local left over on the data
// folder into one clear line, and the watch on the processes that launched it (npm → sh → tsx → this node), so
// losing any of them stops the stack as a signal would.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

/** A failure the person starting the stack can act on: printed as its message alone, exit status 1. */
export class StartError extends Error {
  override name = 'StartError';
}

const PROC = existsSync('/proc/self/stat');

export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
  /** `Z` for a zombie: exited, not yet reaped (by an init that may never reap it). */
  state?: string;
}

/** One process, or undefined when it is gone. Linux reads /proc; elsewhere `ps`. */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (PROC) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last `)`.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      return { pid, ppid: Number(ppid), argv, state };
    } catch {
      return undefined;
    }
  }
  try {
    const line = execFileSync('ps', ['-ww', '-o', 'ppid=,stat=,args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const [ppid, state, ...args] = line.split(/\s+/);
    return line ? { pid, ppid: Number(ppid), argv: args, state: state?.[0] } : undefined;
  } catch {
    return undefined;
  }
}

/** Every process this user can see. */
export function allProcesses(): ProcessInfo[] {
  if (PROC) {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => processInfo(Number(name)))
      .filter((p) => p !== undefined);
  }
  try {
    return execFileSync('ps', ['-axww', '-o', 'pid=,ppid=,args='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts.length >= 3)
      .map(([pid, ppid, ...argv]) => ({ pid: Number(pid), ppid: Number(ppid), argv }));
  } catch {
    return [];
  }
}

/** Running: alive and, where /proc tells, not a zombie (a container's init may never reap an orphan). */
export const isRunning = (pid: number): boolean => isAlive(pid) && (!PROC || processInfo(pid)?.state !== 'Z');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const PORT_VARIABLES = { API_PORT: 'the API', DYNAMO_PORT: 'DynamoDB Local', SQS_PORT: 'the SQS emulator' } as const;
export type PortVariable = keyof typeof PORT_VARIABLES;

export const portInUse = (port: number, variable: PortVariable) =>
  new StartError(`Port ${port} (${variable}, ${PORT_VARIABLES[variable]}) is already in use: stop what holds it, or choose another port, e.g. ${variable}=${port + 1} npm start`);

/** Fails with the one clear line when a port is taken. Checked on every address, as DynamoDB Local and fauxqs listen on all. */
export async function assertPortsFree(ports: Record<PortVariable, number>): Promise<void> {
  for (const [variable, port] of Object.entries(ports) as [PortVariable, number][]) {
    if (port === 0) continue;
    const free = await new Promise<boolean>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(new StartError(`Cannot listen on port ${port} (${variable}): ${error.code ?? error.message}`))));
      server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) throw portInUse(port, variable);
  }
}

/**
 * A DynamoDB Local already running on this database folder (a second one would share, and corrupt, its files):
 * `running` under a live npm start, `stopping` under emulators whose npm start is gone (their clean stop takes a
 * few seconds), `orphan` on its own, left by a start that was killed outright.
 */
export function dynamoOnFolder(dbPath: string, shownAs = dbPath): { kind: 'running' | 'stopping' | 'orphan'; error: StartError } | undefined {
  const java = allProcesses().find((p) => p.pid !== process.pid && p.state !== 'Z' && p.argv.some((a) => a.endsWith('DynamoDBLocal.jar')) && p.argv[p.argv.indexOf('-dbPath') + 1] === dbPath);
  if (!java) return undefined;
  const portAt = java.argv.indexOf('-port');
  const port = portAt >= 0 ? java.argv[portAt + 1] : '8000';
  const host = processInfo(java.ppid);
  const isHost = host !== undefined && host.state !== 'Z' && host.argv.some((a) => a.endsWith('emulator-host.ts'));
  const starter = isHost ? processInfo(host.ppid) : undefined;
  if (starter && starter.state !== 'Z' && starter.argv.some((a) => a.endsWith('start.ts'))) {
    return {
      kind: 'running',
      error: new StartError(
        `Another npm start (pid ${starter.pid}) is already running on the data folder ${shownAs} (DynamoDB Local pid ${java.pid}, port ${port}): stop it first (Ctrl-C in its terminal, or kill ${starter.pid}), or give this one another DATA_DIR.`,
      ),
    };
  }
  if (isHost) {
    return {
      kind: 'stopping',
      error: new StartError(`The emulators of an earlier npm start (pid ${host.pid}, DynamoDB Local pid ${java.pid}) are still stopping on the data folder ${shownAs}: wait a moment, or stop them with \`kill ${host.pid}\`, then start again.`),
    };
  }
  return {
    kind: 'orphan',
    error: new StartError(
      `DynamoDB Local (pid ${java.pid}, port ${port}) from an earlier npm start that did not stop cleanly is still running on the data folder ${shownAs}: stop it with \`kill ${java.pid}\`, then start again.`,
    ),
  };
}

const isNpm = (argv: string[]) => argv.some((a) => /(^|[\\/])npm(-cli\.js)?$/.test(a)) || /^npm( |$)/.test(argv[0] ?? '');

/** What to call a launcher in a message: npm, sh, tsx, node. */
function launcherName(argv: string[]): string {
  if (isNpm(argv)) return 'npm';
  if (argv.some((a) => /(^|[\\/])tsx$/.test(a))) return 'tsx';
  return (argv[0] ?? '?').split(/[\\/]/).pop()!.split(' ')[0]!;
}

export interface Launcher {
  pid: number;
  name: string;
}

/**
 * The processes whose end must end this one: under npm, every launcher up to npm itself (npm forwards only SIGINT
 * and SIGTERM, tsx relays only those two, and a SIGHUP or SIGKILL to npm otherwise leaves this process running);
 * otherwise the direct parent (tsx).
 */
export function launchers(npmLaunched: boolean): Launcher[] {
  const chain: Launcher[] = [];
  for (let pid = process.ppid; pid > 1 && chain.length < 6; ) {
    const info = processInfo(pid);
    if (!info) break;
    chain.push({ pid, name: launcherName(info.argv) });
    if (!npmLaunched) return chain;
    if (isNpm(info.argv)) return chain;
    pid = info.ppid;
  }
  return chain.slice(0, 1);
}

/** Calls `onGone` once when any of `launchers` ends or this process is re-parented. Does not keep the process alive. */
export function watchLaunchers(launchers: Launcher[], onGone: (launcher: Launcher) => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? (launchers.find((l) => l.pid === parent) ?? { pid: parent, name: 'parent' }) : launchers.find((l) => !isRunning(l.pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
