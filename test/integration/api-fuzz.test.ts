// The API under generated abuse, over real HTTP on one local stack: at least 2,000 requests per run across every
// route, role and field (test/support/api-fuzz.ts says what is generated and how each answer is judged). A failure
// prints the seed; FUZZ_SEED=<seed> replays the run, FUZZ_REQUESTS=<n> changes its size.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../lib/config';
import { API_ROUTES, type Role, routeKey } from '../../lib/api/routes';
import { type FuzzReport, WHO, openSeedDisputes, runFuzz } from '../support/api-fuzz';
import { testStack } from '../support/stack';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
let tokens: Record<Role, string>;
const disputeIds: string[] = [];

/** The local tokens (infra/local/tokens.json), the first one per role. */
function localTokens(): Record<Role, string> {
  const file = JSON.parse(readFileSync(join(ROOT, 'infra', 'local', 'tokens.json'), 'utf8')) as Record<string, { roles: Role[] }>;
  const byRole = (role: Role) => Object.entries(file).find(([, caller]) => caller.roles.includes(role))![0];
  return { ticketing: byRole('ticketing'), reviewer: byRole('reviewer'), auditor: byRole('auditor'), billing: byRole('billing') };
}

beforeAll(async () => {
  process.env.API_TOKENS = readFileSync(join(ROOT, 'infra', 'local', 'tokens.json'), 'utf8');
  tokens = localTokens();
  stack = await testStack();
  // Far above anything this test sends: the stage's own 429 is the throttling test's business.
  api = await stack.startApi({ rateLimit: 1_000_000, burstLimit: 1_000_000 });
  // A few disputes that exist, so decisions, leases and reinvestigations reach the stored state.
  disputeIds.push(...(await openSeedDisputes(api.base, tokens.ticketing)));
  await stack.drainInvestigations();
});
afterAll(() => api?.close());

function describeFailures(report: FuzzReport): string {
  const byReason = new Map<string, FuzzReport['failures']>();
  for (const f of report.failures) {
    const key = f.reason.replace(/\(.*$/s, '').slice(0, 80);
    byReason.set(key, [...(byReason.get(key) ?? []), f]);
  }
  const lines = [`seed ${report.seed}: ${report.failures.length} of ${report.requests} answers wrong`];
  for (const [reason, failures] of byReason) {
    lines.push(`  ${failures.length} × ${reason}`);
    for (const f of failures.slice(0, 3)) lines.push(`      ${f.reason}\n      ${f.request}\n      → ${f.status} ${f.answer}`);
  }
  return lines.join('\n');
}

describe('API fuzz', () => {
  it(`answers ${REQUESTS} generated requests: no 5xx, problem+json for every 4xx, no 2xx for forbidden input`, async () => {
    const started = Date.now();
    const report = await runFuzz({ base: api.base, count: REQUESTS, seed: SEED, tokens, disputeIds, concurrency: 6 });
    expect(report.requests).toBeGreaterThanOrEqual(REQUESTS);
    expect(report.failures, describeFailures(report)).toEqual([]);
    expect(report.serverErrors).toBe(0);
    // Every route as every caller.
    const missing = API_ROUTES.flatMap((route) => WHO.map((who) => `${routeKey(route)} as ${who}`)).filter((pair) => !report.covered.has(pair));
    expect(missing).toEqual([]);
    // The stack still answers.
    expect((await api.call('GET', '/v1/openapi.json')).status).toBe(200);
    console.log(`fuzz: ${report.requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${report.seed}, statuses ${JSON.stringify(report.statuses)}`);
  }, 120_000);

  it('answers the probe findings as the contract says', async () => {
    const reviewer = { token: tokens.reviewer };
    const field = async (path: string) => {
      const res = await api.call('GET', path, reviewer);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      return [res.status, res.body.errors?.[0]?.field];
    };
    // The schema decoded the path a second time and threw on what API Gateway had already decoded.
    expect(await field('/v1/numbers/%25ZZ/stats')).toEqual([400, 'path.e164']);
    // Encoded twice: decoded once it is %2B…, not E.164.
    expect(await field('/v1/numbers/%252B16145550123/stats')).toEqual([400, 'path.e164']);
    expect(await field('/v1/numbers/%ZZ/stats')).toEqual([400, 'path.e164']);
    expect((await api.call('GET', '/v1/numbers/%2B16145550123/stats', reviewer)).status).toBe(200);
    expect((await api.call('GET', '/v1/numbers/+16145550123/stats', reviewer)).status).toBe(200);
    for (const limit of ['0x10', '1e2', '+5', '%205', '5.0', '0', '101', '', '5%2C5']) expect(await field(`/v1/disputes?limit=${limit}`), limit).toEqual([400, 'query.limit']);
    for (const limit of ['0x10', '1e2', '+5', '%205', '5.0']) expect(await field(`/v1/audits?limit=${limit}`)).toEqual([403, undefined]);
    expect((await api.call('GET', '/v1/disputes?limit=007', reviewer)).status).toBe(200);
  });

  it('answers a 100 KB URL and 40 KB of headers 431 as problem+json, and keeps serving', async () => {
    const long = await fetch(`${api.base}/v1/disputes/${'A'.repeat(100_000)}`);
    expect(long.status).toBe(431);
    expect(long.headers.get('content-type')).toBe('application/problem+json');
    expect(await long.json()).toMatchObject({ type: '/problems/headers-too-large', status: 431 });
    const headers = await fetch(`${api.base}/v1/disputes`, { headers: { 'x-big': 'b'.repeat(40_000) } });
    expect(headers.status).toBe(431);
    expect(headers.headers.get('content-type')).toBe('application/problem+json');
    expect((await api.call('GET', '/v1/openapi.json')).status).toBe(200);
  });

  it('answers what is not HTTP as problem+json, and survives requests cut off midway', async () => {
    const port = Number(new URL(api.base).port);
    /** Writes raw bytes, then closes (after `cutAfterMs`, abruptly); resolves with whatever came back. */
    const raw = (text: string, cutAfterMs?: number) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
        socket.on('error', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.write(text);
        setTimeout(() => (cutAfterMs === undefined ? socket.end() : socket.destroy()), cutAfterMs ?? 300);
      });
    const auth = `Authorization: Bearer ${tokens.ticketing}\r\nContent-Type: application/json\r\n`;
    for (const request of [
      `POST /v1/disputes HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST /v1/disputes HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      'GET /v1/disputes HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      'GET /v1/dis putes HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET //[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'hello\r\n\r\n',
    ]) {
      const answer = await raw(request);
      expect(answer, JSON.stringify(request)).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer.toLowerCase(), JSON.stringify(request)).toContain('content-type: application/problem+json');
    }
    // Cut off in the headers and in the body: nothing to answer, and nothing stops.
    await raw('GET /v1/disputes HTTP/1.1\r\nHost: x\r\nX-Long: aaaa', 100);
    await raw(`POST /v1/disputes HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 1000\r\n\r\n{"accountId":`, 100);
    expect((await api.call('GET', '/v1/openapi.json')).status).toBe(200);
  });
});
