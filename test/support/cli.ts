// The operator CLI as a user runs it: its own process, pointed at a test's stack through a state file.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../lib/config';

const run = promisify(execFile);

/** `disputes ...args` with DISPUTES_STATE = `stateFile`: its exit status, stdout and stderr. */
export function cliOf(stateFile: string) {
  return async (...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'lib', 'cli', 'disputes.js'), ...args], { env: { ...process.env, DISPUTES_STATE: stateFile }, cwd: ROOT });
      return { status: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { status: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}
