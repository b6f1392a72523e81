// The reviewer's and operator's `disputes` commands, run as a person runs them (the real CLI in its own process)
// against a running local stack: its API, its pollers, its emulators. What they print is checked against the
// fixture's own figures and against the API's answers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../lib/adapters/aws';
import { statsDataRange } from '../../lib/adapters/stats-store';
import { TTA_BIN_LABELS } from '../../lib/domain/statistics/connect-statistics';
import { loadScenarios } from '../fixtures/scenarios';
import { cliOf } from '../support/cli';
import { testStack } from '../support/stack';

const scenario = loadScenarios().find((s) => s.name === 'billed-unanswered-partial-credit')!;
const NUMBER = scenario.dispute.calledNumber as string;

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
let pollers: { stop: () => Promise<void> }[] = [];
const stateFile = join(mkdtempSync(join(tmpdir(), 'cli-reads-')), 'stack.json');

/** The CLI in its own process, pointed at this file's stack. */
const disputes = cliOf(stateFile);

const get = async (path: string, token = 'test-reviewer') => {
  const res = await api.call('GET', path, { token });
  expect(res.status).toBe(200);
  return res.body;
};

async function openRecommended(ticketId: string, accountId = scenario.dispute.accountId): Promise<string> {
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...scenario.dispute, accountId, ticketId } });
  expect(opened.status).toBe(202);
  for (let i = 0; i < 120; i++) {
    if ((await get(`/v1/disputes/${opened.body.disputeId}`)).status === 'RECOMMENDED') return opened.body.disputeId as string;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no recommendation');
}

beforeAll(async () => {
  stack = await testStack();
  await stack.sendCdrs(scenario.cdrLines.map((line) => JSON.parse(line)));
  await stack.drainIngest();
  api = await stack.startApi();
  writeFileSync(stateFile, JSON.stringify({ apiUrl: api.base, endpoints: inject('endpoints'), env: stack.env, tokens: { ticketing: 'test-ticketing', reviewer: 'test-reviewer', auditor: 'test-auditor' } }));
  pollers = stack.startPollers();
});
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await api?.close();
});

describe('disputes show', () => {
  it('prints the outcome, the reasons, then every disputed call in the dispute offset, then the history, within 120 columns', async () => {
    const id = await openRecommended('CLI-SHOW-1');
    const dispute = await get(`/v1/disputes/${id}`);
    const out = await disputes('show', id);
    expect(out.status).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.length > 120)).toEqual([]);
    expect(out.stdout).toContain(`recommendation: PARTIAL_CREDIT, credit $0.45 of ${formatUsd(dispute.recommendation.disputedAmount.amountMinor)} disputed`);
    expect(out.stdout).toContain('goodwill: not eligible');
    const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
    const header = at('    Started (UTC)');
    expect(lines[header]).toMatch(/^ {4}Started \(UTC\) +Answered +To answer +Talk +Billed +Expected +Charge +Verdict +Credit +Reasons$/);
    expect(at('    BILLED_UNANSWERED: ')).toBeLessThan(header);
    expect(at('  history (UTC):')).toBeGreaterThan(header);
    const calls = dispute.recommendation.calls as { startedAt: string; verdict: string; creditMinor: number; billedSeconds: number; expectedBilledSeconds: number; charge: { amountMinor: number }; answered: boolean; reasons: string[] }[];
    expect(out.stdout).toContain(`  disputed calls (${calls.length}):`);
    // Each call's row, at its start time in the dispute's offset (UTC here), with its figures.
    const credited = calls.filter((c) => c.verdict === 'CREDIT');
    expect(credited.reduce((sum, c) => sum + c.creditMinor, 0)).toBe(45);
    for (const c of credited) {
      const row = lines.find((l) => l.startsWith(`    ${c.startedAt.slice(0, 10)} ${c.startedAt.slice(11, 19)}`))!;
      expect(row).toMatch(new RegExp(`^ {4}\\S+ \\S+ +No +– +0\\.0 s +${c.billedSeconds} s +${c.expectedBilledSeconds} s +\\${formatUsd(c.charge.amountMinor)} +CREDIT +\\${formatUsd(c.creditMinor)} +Billed unanswered`));
      expect(c.billedSeconds).toBeGreaterThan(0);
      expect(c.expectedBilledSeconds).toBe(0);
    }
    const rows = lines.slice(header + 1, at('  history'));
    expect(rows.filter((l) => /^ {4}\d{4}-/.test(l))).toHaveLength(calls.length);
  });

  it('--json prints the API answer exactly', async () => {
    const id = await openRecommended('CLI-SHOW-JSON');
    const out = await disputes('show', id, '--json');
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(await get(`/v1/disputes/${id}`));
    expect(out.stdout).toBe(`${JSON.stringify(JSON.parse(out.stdout), null, 2)}\n`);
  });

  it('an unknown dispute is the API 404 in one line', async () => {
    const out = await disputes('show', '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('disputes: 404 Not Found: dispute 01ARZ3NDEKTSV4RRFFQ69G5FAV does not exist\n');
  });
});

describe('--json on every read command', () => {
  it('queue, history and stats print what the API answers', async () => {
    await openRecommended('CLI-JSON-Q', 'acct-cli-json');
    const queue = await disputes('queue', '--account', 'acct-cli-json', '--json');
    expect(JSON.parse(queue.stdout)).toEqual(await get('/v1/disputes?status=RECOMMENDED&limit=25&accountId=acct-cli-json'));
    const history = await disputes('history', 'acct-cli-json', '--json');
    expect(JSON.parse(history.stdout)).toEqual(await get('/v1/accounts/acct-cli-json/disputes'));
    expect(JSON.parse(history.stdout).items).toHaveLength(1);
    const stats = await disputes('stats', NUMBER, '--granularity', 'hour', '--json');
    expect(JSON.parse(stats.stdout)).toEqual(await get(`/v1/numbers/${encodeURIComponent(NUMBER)}/stats?granularity=hour`));
  });

  it('audit --json prints the finished report as the API has it', async () => {
    const out = await disputes('audit', '--from', '2026-10-27T00:00:00Z', '--to', '2026-10-27T02:00:00Z', '--json');
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.status).toBe('COMPLETED');
    expect(report).toEqual(await get(`/v1/audits/${report.auditId}`, 'test-auditor'));
  }, 120_000);
});

/** What the fixture says for the number over [from, to): counted here from the CDRs, not by the product. */
function fixtureFigures(from: number, to: number) {
  const cdrs = scenario.cdrLines.map((l) => JSON.parse(l) as { calledNumber: string; startedAt: string; answeredAt: string | null; endedAt: string; disposition: string }).filter((c) => c.calledNumber === NUMBER);
  const inWindow = cdrs.filter((c) => Date.parse(c.startedAt) >= from && Date.parse(c.startedAt) < to);
  const answered = inWindow.filter((c) => c.disposition === 'ANSWERED');
  const edges = [1, 3, 6, 12, 24];
  const bins = TTA_BIN_LABELS.map(() => 0);
  for (const c of answered) {
    const tta = (Date.parse(c.answeredAt!) - Date.parse(c.startedAt)) / 1000;
    const bin = edges.findIndex((e) => tta < e);
    bins[bin === -1 ? edges.length : bin]! += 1;
  }
  const talkMs = answered.reduce((sum, c) => sum + Date.parse(c.endedAt) - Date.parse(c.answeredAt!), 0);
  const hours = cdrs.map((c) => Math.floor(Date.parse(c.startedAt) / 3_600_000) * 3_600_000);
  return { attempts: inWindow.length, answered: answered.length, bins, acd: talkMs / 1000 / answered.length, first: Math.min(...hours), last: Math.max(...hours) };
}

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

describe('disputes stats', () => {
  it('without --from/--to shows the 7 days ending with the latest stored hour, says so, and prints ACD and the histogram', async () => {
    const all = fixtureFigures(0, Date.UTC(2100, 0));
    const end = all.last + 3_600_000;
    const week = fixtureFigures(end - 7 * 86_400_000, end);
    expect(week.attempts).toBeGreaterThan(100);
    const out = await disputes('stats', NUMBER);
    expect(out.status).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`+1 312 555 0147: connect statistics per day, ${utc(end - 7 * 86_400_000)} – ${utc(end)} UTC`);
    expect(lines[1]).toBe(`  default: the 7 days ending with its latest stored hour; its data: ${utc(all.first)} – ${utc(end)} UTC`);
    expect(lines[2]).toMatch(/^ {2}Day \(UTC\) +Attempts +Answered +ASR \(95%\) +NER \(95%\) +Short calls +ACD$/);
    const total = lines.find((l) => l.startsWith('  total'))!;
    const asr = Math.round((week.answered / week.attempts) * 100);
    expect(total).toMatch(new RegExp(`^ {2}total +${week.attempts} +${week.answered} +${asr}% \\(\\d+-\\d+%\\) .* ${week.acd.toFixed(1)} s$`));
    expect(out.stdout).toContain(`  time to answer of the ${week.answered.toLocaleString('en-US')} answered calls (seconds):`);
    TTA_BIN_LABELS.forEach((label, i) => {
      const line = lines.find((l) => l.startsWith(`    ${label} s`))!;
      expect(line).toMatch(new RegExp(`^ {4}${label.replace(/[[\]()]/g, '\\$&')} s +${week.bins[i]} +\\d+%`));
      expect(line.includes('█')).toBe(week.bins[i]! > 0);
    });
    expect(lines.filter((l) => l.length > 120)).toEqual([]);
  });

  it('with --from/--to reads that period; a period without calls says where the data is; a number without data says so in one line', async () => {
    const fig = fixtureFigures(Date.parse('2026-10-27T00:00:00Z'), Date.parse('2026-10-28T00:00:00Z'));
    const day = await disputes('stats', NUMBER, '--from', '2026-10-27T00:00:00Z', '--to', '2026-10-28T00:00:00Z');
    expect(day.stdout.split('\n').slice(0, 2)).toEqual(['+1 312 555 0147: connect statistics per day, 2026-10-27 00:00 – 2026-10-28 00:00 UTC', '  its data: 2026-10-20 00:00 – 2026-11-01 00:00 UTC']);
    expect(day.stdout).toMatch(new RegExp(`\\n {2}2026-10-27 +${fig.attempts} +${fig.answered} `));

    const empty = await disputes('stats', NUMBER, '--from', '2025-01-01T00:00:00Z', '--to', '2025-01-02T00:00:00Z');
    expect(empty.status).toBe(0);
    expect(empty.stdout).toMatch(/its data: 2026-10-\d\d \d\d:00 – 2026-1\d-\d\d \d\d:00 UTC\n {2}no calls in this period: run it without --from and --to/);

    const none = await disputes('stats', '+1 555 555 0100');
    expect(none.status).toBe(0);
    expect(none.stdout).toBe('+1 555 555 0100 has no stored calls: nothing was ingested for it (check the number, or ingest its CDRs first)\n');
  });
});

describe('GET /v1/numbers/{e164}/stats without a period', () => {
  it('answers the 7 days ending with the latest stored hour and where the data is; one bound keeps its old default', async () => {
    const { first, last } = fixtureFigures(0, Date.UTC(2100, 0));
    const iso = (ms: number) => new Date(ms).toISOString();
    const body = await get(`/v1/numbers/${encodeURIComponent(NUMBER)}/stats?granularity=day`);
    expect(body).toMatchObject({ from: iso(last + 3_600_000 - 7 * 86_400_000).replace('.000Z', 'Z'), to: iso(last + 3_600_000), dataFrom: iso(first).replace('.000Z', 'Z'), dataTo: iso(last + 3_600_000).replace('.000Z', 'Z') });
    expect(body.series).toHaveLength(7);
    const toOnly = await get(`/v1/numbers/${encodeURIComponent(NUMBER)}/stats?to=2026-10-28T00:00:00Z`);
    expect(toOnly).toMatchObject({ from: '2026-10-27T00:00:00Z', to: '2026-10-28T00:00:00Z', dataFrom: body.dataFrom, dataTo: body.dataTo });
    expect(toOnly.series).toHaveLength(24);
  });

  it('a number without calls has no data range, and an hour brought back to zero attempts does not count as data', async () => {
    const none = await get('/v1/numbers/%2B15555550100/stats');
    expect(none).toMatchObject({ dataFrom: null, dataTo: null, total: { attempts: 0 } });
    expect(Date.parse(none.to) - Date.parse(none.from)).toBe(7 * 86_400_000);
    // An hour later than the data whose counters went back to zero (a repair, a replaced conflict).
    await documentClient().send(new PutCommand({ TableName: tableName('connectStats'), Item: { calledNumber: NUMBER, hour: '2026-12-01T05:00:00Z', attempts: 0, answered: 0 } }));
    expect(await statsDataRange(NUMBER)).toEqual({ first: (await get(`/v1/numbers/${encodeURIComponent(NUMBER)}/stats`)).dataFrom, last: new Date(fixtureFigures(0, Date.UTC(2100, 0)).last).toISOString().replace('.000Z', 'Z') });
  });
});

describe('decide and reinvestigate', () => {
  it('--override without --reason is one line naming it, before anything is sent', async () => {
    const id = await openRecommended('CLI-DECIDE-1');
    const out = await disputes('decide', id, '--override', '--outcome', 'CREDIT', '--credit', '1.20');
    expect(out.status).toBe(1);
    expect(out.stderr).toBe('disputes: --override needs --reason TEXT (why, kept in the history)\n');
    expect((await get(`/v1/disputes/${id}`)).status).toBe('RECOMMENDED');
  });

  it('an amount over the disputed one is refused in dollars, and an override says its difference in dollars', async () => {
    const id = await openRecommended('CLI-DECIDE-2');
    const disputed = (await get(`/v1/disputes/${id}`)).recommendation.disputedAmount.amountMinor as number;
    const tooMuch = await disputes('decide', id, '--override', '--outcome', 'CREDIT', '--credit', ((disputed + 1) / 100).toFixed(2), '--reason', 'all of it');
    expect(tooMuch.status).toBe(1);
    expect(tooMuch.stderr).toBe(`disputes: --credit must not exceed the disputed amount (${formatUsd(disputed)})\n`);
    const ok = await disputes('decide', id, '--override', '--outcome', 'CREDIT', '--credit', '1.00', '--reason', 'first complaint');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${id} DECIDED: overrode with CREDIT $1.00 by rita.reviewer\n  differs from the recommendation: outcome PARTIAL_CREDIT → CREDIT, credit +$0.55\n`);
    expect((await disputes('show', id)).stdout).toMatch(/\n {2}decision: overridden with CREDIT \$1\.00 by rita\.reviewer at \d{4}-\d\d-\d\d \d\d:\d\d UTC: first complaint\n/);
  });

  it('reinvestigate waits for the new recommendation and prints the dispute as show does', async () => {
    const id = await openRecommended('CLI-REINV-1');
    const out = await disputes('reinvestigate', id, '--reason', 'late CDRs', '--wait-seconds', '60');
    expect(out.stderr).toContain(`${id} sent back to the investigator; waiting for its new recommendation…`);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('recommendation: PARTIAL_CREDIT, credit $0.45');
    const history = out.stdout.split('  history (UTC):\n')[1]!.trimEnd().split('\n');
    expect(history.map((l) => l.trim().split(/\s+/)[2])).toEqual(['RECEIVED', 'INVESTIGATING', 'RECOMMENDED', 'INVESTIGATING', 'RECOMMENDED']);
    expect(history[3]).toMatch(/INVESTIGATING +rita\.reviewer: re-investigation requested/);
    expect((await get(`/v1/disputes/${id}`)).status).toBe('RECOMMENDED');
  }, 90_000);
});

describe('usage errors: refused before any work, exit status 1', () => {
  it('audit --export xml starts no audit', async () => {
    const before = (await get('/v1/audits?limit=100', 'test-auditor')).items.length;
    const out = await disputes('audit', '--export', 'xml');
    expect(out).toEqual({ status: 1, stdout: '', stderr: 'disputes: --export must be one of json, csv (got "xml")\n' });
    expect((await get('/v1/audits?limit=100', 'test-auditor')).items).toHaveLength(before);
  });

  it.each([
    [['frob'], 'disputes: there is no command frob: the commands are ingest, rejects, open, show, queue, decide, reinvestigate, history, stats, audit, adjustments, webhooks (disputes --help)'],
    [['show', 'X', '--granularity', 'day'], 'disputes: show has no option --granularity (disputes show --help lists its options)'],
    [['stats', NUMBER, '--from', '2026-10-27'], 'disputes: --from must be a date and time with an offset, e.g. 2026-10-26T19:00:00-05:00 or 2026-10-27T00:00:00Z (got "2026-10-27")'],
    [['stats', '6145550123'], 'disputes: the number must be E.164, + then the country code and number, 8-15 digits, e.g. +16145550123, or a stored extension of up to 7 digits (got "6145550123")'],
    [['queue', '--limit', 'ten'], 'disputes: --limit must be a whole number from 1 to 100 (got "ten")'],
    [['decide', 'X', '--goodwill'], 'disputes: --goodwill needs --reason TEXT (why the goodwill credit is granted)'],
    [['decide', 'X', '--override', '--outcome', 'CREDIT', '--credit', '$1', '--reason', 'r'], 'disputes: --credit must be an amount in currency units, digits and a point, e.g. 1.20 for $1.20 (got "$1")'],
    [['reinvestigate'], 'disputes: reinvestigate needs DISPUTE_ID: disputes reinvestigate DISPUTE_ID'],
  ])('%j', async (args, message) => {
    expect(await disputes(...args)).toEqual({ status: 1, stdout: '', stderr: `${message}\n` });
  });
});

function formatUsd(minor: number): string {
  return `$${(minor / 100).toFixed(2)}`;
}
