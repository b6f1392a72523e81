// The console's size budget: builds it (unless --no-build) and prints the JavaScript the browser downloads,
// gzipped: `console bundle: <n> KB gzipped`. Fails (exit 1) over the budget. `npx tsx lib/console/measure-bundle.ts`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const BUDGET_KB = 250;

const here = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(here, '..', '..', 'dist', 'console');

/** Gzipped size of every JavaScript file of the build, in bytes (level 9, what a CDN serves at most). */
export function measure(dir = OUT): { files: { name: string; raw: number; gzip: number }[]; gzipBytes: number } {
  const assets = join(dir, 'assets');
  const files = readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const bytes = readFileSync(join(assets, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  return { files, gzipBytes: files.reduce((sum, f) => sum + f.gzip, 0) };
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    const { build } = await import('vite');
    await build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });
  }
  const { files, gzipBytes } = measure();
  for (const f of files) console.log(`  ${f.name}: ${(f.raw / 1024).toFixed(1)} KB, ${(f.gzip / 1024).toFixed(1)} KB gzipped`);
  const kb = gzipBytes / 1024;
  console.log(`console bundle: ${kb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
  if (kb > BUDGET_KB) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
