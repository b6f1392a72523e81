// The reviewer console in a real browser (Chromium through playwright-core) against the real local stack: the
// handlers on the emulators, the API and the console served by the same local server. One browser for the file, a
// fresh context (sign-in) per test. Every page is checked with axe-core and photographed at 1280×800 and 390×844
// into test-output/screenshots/.
import { mkdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import chromium from '@sparticuz/chromium';
import { type Browser, type BrowserContext, type Page, chromium as playwright } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditToCsv } from '../../lib/cli/audit-report';
import { ROOT } from '../../lib/config';
import type { Cdr } from '../../lib/domain/cdr';
import type { AuditReport } from '../../lib/domain/audit/findings';
import { loadScenarios } from '../fixtures/scenarios';
import { testStack } from '../support/stack';
import { ensureConsoleBuilt } from './console-build';

const SHOTS = join(ROOT, 'test-output', 'screenshots');

// The second local reviewer (infra/local/tokens.json), beside the test tokens of test/support/env.setup.ts.
const LOCAL_TOKENS = JSON.parse(readFileSync(join(ROOT, 'infra', 'local', 'tokens.json'), 'utf8')) as Record<string, { subject: string; roles: string[] }>;
const [REVIEWER_2_TOKEN] = Object.entries(LOCAL_TOKENS).find(([, user]) => user.subject === 'local.reviewer2')!;
process.env.API_TOKENS = JSON.stringify({ ...JSON.parse(process.env.API_TOKENS ?? '{}'), [REVIEWER_2_TOKEN]: LOCAL_TOKENS[REVIEWER_2_TOKEN] });
const LOTTERY = 'auto-attendant-never-connected';
const PARTIAL = 'billed-unanswered-partial-credit';

let stack: Awaited<ReturnType<typeof testStack>>;
let api: Awaited<ReturnType<Awaited<ReturnType<typeof testStack>>['startApi']>>;
let browser: Browser;
const disputes: Record<string, string> = {};

/** Waits for the page (or the API) to show what is expected: pages load and re-render asynchronously. */
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** A raw GET, path as written (fetch would resolve dot segments before sending). */
const rawGet = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const url = new URL(api.base);
    get({ host: url.hostname, port: url.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });

/** Two calls charged though never answered, two hours ago: the audit of the last day finds them. */
function freshBilledUnanswered(): Cdr[] {
  const start = Date.now() - 2 * 3_600_000;
  return [0, 1].map((i) => ({
    callId: `console-bu-${i}`,
    source: 'console-test',
    accountId: 'acct-console-audit',
    callingNumber: '+13125550111',
    calledNumber: '+13125550199',
    startedAt: new Date(start + i * 60_000).toISOString(),
    answeredAt: null,
    endedAt: new Date(start + i * 60_000 + 25_000).toISOString(),
    disposition: 'NO_ANSWER',
    releaseCause: 19,
    billedSeconds: 60,
    charge: { amountMinor: 12, currency: 'USD' },
    billingIncrement: { minimumSeconds: 60, incrementSeconds: 60 },
  }));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const launching = (async () => {
    const executablePath = await chromium.executablePath();
    // @sparticuz/chromium's flags are for Lambda; in one process a closed context takes the browser down with it.
    const args = chromium.args.filter((arg) => arg !== '--single-process');
    return playwright.launch({ executablePath, args, headless: true });
  })();
  const building = ensureConsoleBuilt();
  stack = await testStack();
  const scenarios = loadScenarios().filter((s) => s.name === LOTTERY || s.name === PARTIAL);
  await stack.sendCdrs([...scenarios.flatMap((s) => s.cdrLines.map((line) => JSON.parse(line) as Cdr)), ...freshBilledUnanswered()]);
  await stack.drainIngest();
  api = await stack.startApi();
  // Opened in this order, so the queue (oldest first) lists the lottery case first.
  for (const name of [LOTTERY, PARTIAL]) {
    const scenario = scenarios.find((s) => s.name === name)!;
    const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...scenario.dispute, ticketId: `CONSOLE-${name}` } });
    expect(opened.status).toBe(202);
    disputes[name] = opened.body.disputeId;
    await stack.drainInvestigations();
  }
  await building;
  browser = await launching;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

/** Opens another lottery-line dispute (DENY, $2.20 goodwill offered) and waits for its recommendation. */
async function openLottery(ticketId: string): Promise<string> {
  const scenario = loadScenarios().find((s) => s.name === LOTTERY)!;
  const opened = await api.call('POST', '/v1/disputes', { token: 'test-ticketing', body: { ...scenario.dispute, ticketId } });
  expect(opened.status).toBe(202);
  await stack.drainInvestigations();
  return opened.body.disputeId;
}

async function signedIn(as: string, hash: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${api.base}/?as=${as}#${hash}`);
  return { context, page };
}

/** No serious or critical axe-core violation (WCAG 2.1 A and AA rules). */
async function expectAccessible(page: Page, name: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Full-page screenshots (or of one part of the page) at the desktop and the phone size. */
async function photograph(page: Page, name: string, part?: string) {
  const shoot = (path: string) => (part ? page.locator(part).first().screenshot({ path }) : page.screenshot({ path, fullPage: true }));
  await shoot(join(SHOTS, `${name}-1280x800.png`));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // Chart.js redraws on resize
  await shoot(join(SHOTS, `${name}-390x844.png`));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForTimeout(300);
}

/** The page has no horizontal scroll outside the regions meant to scroll (wide tables). */
async function expectNoSidewaysScroll(page: Page) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('the reviewer console', { timeout: 120_000 }, () => {
  it('serves the console and its local settings next to the API', async () => {
    const index = await fetch(`${api.base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await fetch(`${api.base}/config.json`).then((r) => r.json())).toMatchObject({ apiBaseUrl: '', auth: { mode: 'local' } });
    const users = (await fetch(`${api.base}/local/users`).then((r) => r.json())) as { users: { subject: string; roles: string[] }[] };
    expect(users.users.map((u) => u.subject)).toContain('rita.reviewer');
    expect(await rawGet('/assets/..%2f..%2f..%2fpackage.json')).toBe(404);
    expect(await rawGet('/../package.json')).toBe(404);
    expect((await api.call('GET', '/v1/nope')).status).toBe(404);
  });

  it('shows a ticketing identity the dispute but not the decision actions', async () => {
    const { context, page } = await signedIn('ticketing', `/disputes/${disputes[LOTTERY]}`);
    await poll(() => page.getByTestId('outcome').textContent()).toBe('DENY');
    expect(await page.getByTestId('no-decision-role').isVisible()).toBe(true);
    expect(await page.getByTestId('decision-actions').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Accept/ }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Queue' }).count()).toBe(0);
    await page.goto(`${api.base}/#/queue`);
    await page.getByText('Your role cannot open this page').waitFor();
    await context.close();
  });

  it('lets a reviewer open the queue and the lottery case, read its evidence and accept it', async () => {
    const { context, page } = await signedIn('reviewer', '/queue');
    const rows = page.locator('table.queue tbody tr');
    await poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('acct-lotto-fan');
    expect(await page.getByTestId('queue-counts').textContent()).toContain('0 overdue');
    await expectAccessible(page, 'queue');
    await page.setViewportSize({ width: 390, height: 844 }); // the queue turns into cards on a phone
    await expectAccessible(page, 'queue on a phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await photograph(page, 'queue');

    await rows.nth(0).getByRole('link').first().click();
    await poll(() => page.getByTestId('outcome').textContent()).toBe('DENY');
    const codes = await page.locator('[data-testid=reasons] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code')));
    expect(codes).toEqual(['CALL_CONNECTED', 'DESTINATION_HEALTHY', 'AUTO_ATTENDANT_DETECTED', 'UNANSWERED_NOT_CHARGED', 'GOODWILL_ELIGIBLE']);
    expect(await page.getByTestId('goodwill').textContent()).toContain('Eligible: $2.20');
    const calls = page.locator('[data-testid=calls] tbody tr');
    expect(await calls.count()).toBe(40);
    // Both charts drawn: the connect rate over the 7-day baseline and the window (one point per hour), and the TTA histogram.
    await page.locator('figure[data-chart=connect] canvas[data-rendered=true]').waitFor();
    await page.locator('figure[data-chart=tta] canvas[data-rendered=true]').waitFor();
    expect(Number(await page.locator('figure[data-chart=connect]').getAttribute('data-points'))).toBeGreaterThanOrEqual(17 * 24);
    expect(await page.getByTestId('account-attempts').textContent()).toMatch(/Answered\s*22.*Charged\s*22.*Uncharged\s*18/s);

    // Filter by verdict and sort by a column.
    await page.getByTestId('verdict-filter').getByLabel(/Credit/).check();
    await poll(() => calls.count()).toBe(0);
    await page.getByTestId('verdict-filter').getByLabel(/Deny/).check();
    await poll(() => calls.count()).toBe(40);
    await page.getByRole('button', { name: /^Talk/ }).click();
    await poll(() => page.locator('th[aria-sort=ascending]').textContent()).toContain('Talk');
    expect(await calls.first().locator('td').nth(3).textContent()).toBe('0.0 s');

    await expectAccessible(page, 'dispute');
    await expectNoSidewaysScroll(page);
    await photograph(page, 'dispute');

    await page.getByTestId('accept').click();
    await poll(() => page.getByTestId('decision').textContent()).toContain('Accepted by rita.reviewer');
    const decided = await api.call('GET', `/v1/disputes/${disputes[LOTTERY]}`, { token: 'test-reviewer' });
    expect(decided.body.status).toBe('DECIDED');
    expect(decided.body.decision).toMatchObject({ action: 'ACCEPT', outcome: 'DENY', reviewer: 'rita.reviewer', creditAmount: { amountMinor: 0, currency: 'USD' } });
    await context.close();
  });

  it('records an override typed in dollars as exact minor units, and shows problems next to their fields', async () => {
    const { context, page } = await signedIn('reviewer', `/disputes/${disputes[PARTIAL]}`);
    await poll(() => page.getByTestId('outcome').textContent()).toBe('PARTIAL CREDIT');
    await page.getByTestId('override-toggle').click();
    const form = page.getByTestId('override-form');
    await form.getByLabel('Outcome').selectOption('PARTIAL_CREDIT');
    await form.getByLabel('Credit (USD)').fill('0.375');
    await form.getByLabel('Reason').fill('The customer was charged for two calls that rang out.');
    await page.getByTestId('override-submit').click();
    // Checked before sending: three decimals are not dollars and cents.
    await poll(() => form.locator('[data-field-error]').allTextContents()).toEqual(['USD has at most 2 decimals']);
    expect((await api.call('GET', `/v1/disputes/${disputes[PARTIAL]}`, { token: 'test-reviewer' })).body.status).toBe('RECOMMENDED');

    // A problem the API answers is shown next to the field it names.
    await page.route('**/v1/disputes/*/decision', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/problems/validation-failed', title: 'Bad Request', status: 400, detail: '1 field(s) failed validation', errors: [{ field: 'body.reason', reason: 'the reason is refused (test)' }] }),
      }),
    );
    await form.getByLabel('Credit (USD)').fill('0.35');
    await page.getByTestId('override-submit').click();
    await poll(() => form.locator('[data-field-error]').allTextContents()).toEqual(['the reason is refused (test)']);
    expect(await form.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'override form');
    await photograph(page, 'dispute-override', '.decision-panel');
    await page.unroute('**/v1/disputes/*/decision');

    await page.getByTestId('override-submit').click();
    await poll(() => page.getByTestId('decision').textContent()).toContain('Overridden by rita.reviewer');
    const decided = await api.call('GET', `/v1/disputes/${disputes[PARTIAL]}`, { token: 'test-reviewer' });
    expect(decided.body.decision).toMatchObject({ action: 'OVERRIDE', outcome: 'PARTIAL_CREDIT', creditAmount: { amountMinor: 35, currency: 'USD' }, reason: 'The customer was charged for two calls that rang out.' });
    await context.close();
  });

  it("shows a number's connect statistics over a chosen period", async () => {
    const { context, page } = await signedIn('reviewer', `/numbers/${encodeURIComponent('+16145550123')}?from=2026-10-19T00:00:00Z&to=2026-11-06T00:00:00Z&granularity=day`);
    await page.locator('figure[data-chart=connect] canvas[data-rendered=true]').waitFor();
    await page.locator('figure[data-chart=tta] canvas[data-rendered=true]').waitFor();
    expect(await page.locator('figure[data-chart=connect]').getAttribute('data-points')).toBe('18');
    expect(await page.getByTestId('number-totals').textContent()).toContain('2,424');
    // The form checks the number before asking.
    await page.getByLabel('Number (E.164)').fill('6145550123');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('enter an E.164 number').waitFor();
    await expectAccessible(page, 'number');
    await expectNoSidewaysScroll(page);
    await photograph(page, 'number');
    await context.close();
  });

  it('lets an auditor run an audit, read the report and export it as the CLI writes it', async () => {
    const { context, page } = await signedIn('auditor', '/audits');
    await page.getByRole('heading', { name: 'Audits' }).waitFor();
    const hour = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString().slice(0, 16);
    await page.getByLabel('From (UTC)').fill(hour(Date.now() - 24 * 3_600_000));
    await page.getByLabel('To (UTC)').fill(hour(Date.now() + 2 * 3_600_000));
    await page.getByRole('button', { name: 'Run audit' }).click();
    await page.getByRole('heading', { name: /Audit report/ }).waitFor();
    const auditId = page.url().split('/').pop()!;
    await stack.drainAuditRuns();
    await poll(() => page.locator('.badge', { hasText: 'Completed' }).count()).toBe(1);

    const summary = page.getByTestId('audit-summary');
    expect(await summary.locator('tr[data-type=BILLED_UNANSWERED] td').first().textContent()).toBe('1');
    expect(await summary.locator('tr[data-type=BILLED_UNANSWERED]').textContent()).toContain('$0.24');
    // The two decisions of the tests above, by the same reviewer.
    expect(await page.getByTestId('consistency').textContent()).toMatch(/rita\.reviewer\s*2\s*1\s*1/);
    await expectAccessible(page, 'audit report');
    await photograph(page, 'audit');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const report = (await api.call('GET', `/v1/audits/${auditId}`, { token: 'test-auditor' })).body as AuditReport;
    expect(csv).toBe(auditToCsv(report));
    expect(csv.split('\n')[0]).toBe('auditId,type,accountId,calledNumber,hour,callId,source,startedAt,disputeId,reviewer,reason,count,amountMinor,currency,detail');

    await page.getByRole('link', { name: 'Audits' }).first().click();
    await page.getByTestId('audits').waitFor();
    await expectAccessible(page, 'audits');
    await photograph(page, 'audits');
    await context.close();
  });

  it('sends an expired or invalid token back to the sign-in, which offers the local users', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(() => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        sessionStorage.setItem('disputes-console.session', JSON.stringify({ token: 'expired-token', subject: 'rita.reviewer', roles: ['reviewer'], via: 'local' }));
      }
    });
    const page = await context.newPage();
    await page.goto(`${api.base}/#/queue`);
    await poll(() => page.getByTestId('signin-message').textContent()).toContain('401');
    await page.getByRole('button', { name: 'Sign in as rita.reviewer' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await photograph(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in as rita.reviewer' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    await context.close();
  });

  it('says so when the API is down and recovers by itself', async () => {
    const { context, page } = await signedIn('reviewer', '/queue');
    await page.locator('table.queue, .empty').first().waitFor();
    let failures = 0;
    await page.route('**/v1/disputes?*', (route) => (++failures === 1 ? route.abort('connectionrefused') : route.fulfill({ status: 503, contentType: 'application/json', body: '{"message":"Service Unavailable"}' })));
    await page.getByLabel('Status').selectOption('DECIDED');
    await poll(() => page.getByTestId('outage').textContent()).toContain('The API is not answering');
    await poll(() => failures).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('outage').textContent()).toContain('503');
    await photograph(page, 'outage');
    await page.unroute('**/v1/disputes?*');
    await page.getByRole('button', { name: 'Retry now' }).click();
    await poll(() => page.getByTestId('outage').count()).toBe(0);
    await poll(() => page.locator('table.queue tbody tr').count()).toBeGreaterThan(0);
    await context.close();
  });

  it('keeps a dispute one reviewer holds out of a second reviewer’s hands, showing who holds it', async () => {
    const id = await openLottery('CONSOLE-lease');
    const first = await signedIn('reviewer', `/disputes/${id}`);
    await poll(() => first.page.getByTestId('lease').textContent()).toContain('You hold this dispute');
    expect((await api.call('GET', `/v1/disputes/${id}`, { token: 'test-reviewer' })).body.lease).toMatchObject({ holder: 'rita.reviewer' });

    const second = await signedIn('local.reviewer2', `/disputes/${id}`);
    await poll(() => second.page.getByTestId('lease-held').textContent()).toContain('rita.reviewer is reviewing this dispute');
    expect(await second.page.getByTestId('accept').isDisabled()).toBe(true);
    expect(await second.page.getByRole('button', { name: /Grant .* goodwill/ }).isDisabled()).toBe(true);
    expect(await second.page.getByRole('button', { name: 'Re-investigate' }).isDisabled()).toBe(true);
    await expectAccessible(second.page, 'dispute held by another reviewer');
    await photograph(second.page, 'dispute-lease-held', '.decision-panel');
    // The API refuses the second reviewer's decision whatever the page shows.
    const refused = await api.call('POST', `/v1/disputes/${id}/decision`, { token: REVIEWER_2_TOKEN, body: { action: 'ACCEPT' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: '/problems/lease-held' });
    expect(refused.body.detail).toContain('rita.reviewer');

    // The second reviewer's queue shows the dispute in review by the first.
    await second.page.goto(`${api.base}/#/queue`);
    await poll(() => second.page.locator('table.queue tbody tr', { hasText: 'in review: rita.reviewer' }).count()).toBe(1);
    await photograph(second.page, 'queue-in-review');
    await second.context.close();

    // The holder still decides, and the decision ends the lease.
    await first.page.getByTestId('accept').click();
    await poll(() => first.page.getByTestId('decision').textContent()).toContain('Accepted by rita.reviewer');
    const decided = (await api.call('GET', `/v1/disputes/${id}`, { token: 'test-reviewer' })).body;
    expect(decided.lease).toBeUndefined();
    expect(decided.decision).toMatchObject({ action: 'ACCEPT', reviewer: 'rita.reviewer' });
    await first.context.close();
  });

  it('records goodwill as its own decision of the suggested amount', async () => {
    const id = await openLottery('CONSOLE-goodwill');
    const { context, page } = await signedIn('reviewer', `/disputes/${id}`);
    await poll(() => page.getByTestId('lease').count()).toBe(1);
    const form = page.getByTestId('goodwill-form');
    await form.getByRole('button', { name: 'Grant $2.20 goodwill' }).click();
    // Checked before sending: goodwill needs a reason.
    await poll(() => form.locator('[data-field-error]').allTextContents()).toEqual(['a goodwill credit needs a reason']);
    await expectAccessible(page, 'goodwill form');
    await photograph(page, 'dispute-goodwill', '.decision-panel');
    await form.getByLabel('Reason').fill('First complaint in eight years.');
    await form.getByRole('button', { name: 'Grant $2.20 goodwill' }).click();
    await poll(() => page.getByTestId('decision').textContent()).toContain('Goodwill granted by rita.reviewer');
    expect(await page.getByTestId('decision').textContent()).toContain('Same outcome as recommended; credit +$2.20 against the recommendation');
    await poll(() => page.getByTestId('history').textContent()).toContain('granted goodwill $2.20 (DENY stands): First complaint in eight years.');
    await photograph(page, 'dispute-goodwill-decided', '[data-testid=decision]');

    const decided = (await api.call('GET', `/v1/disputes/${id}`, { token: 'test-reviewer' })).body;
    expect(decided.status).toBe('DECIDED');
    expect(decided.decision).toMatchObject({
      action: 'GOODWILL',
      outcome: 'DENY',
      creditAmount: { amountMinor: 220, currency: 'USD' },
      reason: 'First complaint in eight years.',
      reviewer: 'rita.reviewer',
      difference: { outcomeChanged: false, creditDeltaMinor: 220 },
    });
    expect(decided.lease).toBeUndefined();
    await context.close();
  });
});
