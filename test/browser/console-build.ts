// The browser tests need the built console (dist/console, served by the local server). `npm test` builds it first
// (pretest); a test file run on its own builds it here when a source is newer than the build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_DIR } from '../../infra/local/console-server';
import { ROOT } from '../../lib/config';

const SOURCE = join(ROOT, 'lib', 'console');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export async function ensureConsoleBuilt(): Promise<void> {
  const built = statSync(join(CONSOLE_DIR, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built >= newest(SOURCE)) return;
  const { build } = await import('vite');
  await build({ configFile: join(SOURCE, 'vite.config.ts'), logLevel: 'warn' });
}
