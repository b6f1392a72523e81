// API fuzz benchmark: the generator of test/support/api-fuzz.ts at scale (FUZZ_REQUESTS, default 20000) against one
// local stack over real HTTP, with the local tokens (infra/local/tokens.json) and a throttle far above the load.
// Prints `fuzz: <n> requests, <k> 5xx`, then every other wrong answer on stderr; exits 1 on any.
//   FUZZ_REQUESTS (20000)  FUZZ_SEED (random; printed)  FUZZ_CONCURRENCY (8)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ROOT } from '../../lib/config';
import type { Role } from '../../lib/api/routes';
import { startEmulators } from '../../infra/local/emulators';
import { startHttpApi } from '../../infra/local/http-api';
import { provisionLocalStack } from '../../infra/local/stack';
import { openSeedDisputes, runFuzz } from '../support/api-fuzz';
import { intEnv } from './options';

const REQUESTS = intEnv('FUZZ_REQUESTS', 20_000);
const CONCURRENCY = intEnv('FUZZ_CONCURRENCY', 8);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : intEnv('FUZZ_SEED', 0);

async function main(): Promise<boolean> {
  // Before provisioning: the handlers' logger is created when provisionLocalStack imports them.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const tokenFile = readFileSync(join(ROOT, 'infra', 'local', 'tokens.json'), 'utf8');
  process.env.AUTH_MODE = 'tokens';
  process.env.API_TOKENS = tokenFile;
  const callers = JSON.parse(tokenFile) as Record<string, { roles: Role[] }>;
  const tokenFor = (role: Role) => Object.entries(callers).find(([, caller]) => caller.roles.includes(role))![0];
  const emulators = await startEmulators();
  try {
    const stack = await provisionLocalStack(emulators, 'bench-fuzz-');
    const server = await startHttpApi(stack.handlers.api, 0, { throttle: { rateLimit: 1_000_000, burstLimit: 1_000_000 } });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tokens = { ticketing: tokenFor('ticketing'), reviewer: tokenFor('reviewer'), auditor: tokenFor('auditor'), billing: tokenFor('billing') };
      const disputeIds = await openSeedDisputes(base, tokens.ticketing);
      await stack.drainInvestigations();
      const started = performance.now();
      const report = await runFuzz({ base, count: REQUESTS, seed: SEED, concurrency: CONCURRENCY, tokens, disputeIds });
      const seconds = (performance.now() - started) / 1000;
      console.log(`fuzz: ${report.requests} requests, ${report.serverErrors} 5xx`);
      console.error(`seed ${report.seed}, ${seconds.toFixed(1)} s (${Math.round(report.requests / seconds)} requests/s), statuses ${JSON.stringify(report.statuses)}, ${report.failures.length} wrong answers`);
      for (const f of report.failures.slice(0, 50)) console.error(`  ${f.reason}\n    ${f.request}\n    → ${f.status} ${f.answer}`);
      return report.failures.length === 0;
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  } finally {
    await emulators.stop();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
