import type { Tenancy } from '@switchboard/contracts';
import { DEMO_TASK, type Stack, startStack } from '@switchboard/testing';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

type Role = 'user' | 'admin' | 'platform-admin';

// Tenants and quotas in the web console, in a real browser (Debian's Chromium through playwright-core)
// against real service processes with TENANCY on (dev mode: the sign-in's Tenant is sent as
// X-Tenant-Id; docs/console.md, docs/tenancy.md, docs/quotas.md). The stack has its own Redis prefix
// and databases, so the tenants acme and globex are this suite's alone. Screenshots go to
// test-artifacts/console/.
describe('tenants and quotas in the web console, in Chromium (real stack, TENANCY on)', () => {
  let stack: Stack;
  let browser: Browser;
  let gw: string;
  /** The demo task ann of acme ran. */
  let acmeTask: string;

  beforeAll(async () => {
    stack = await startStack({ shape: 'cell', env: { gateway: { TENANCY: 'true' } } });
    gw = stack.gatewayUrl;
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  const call = (
    who: { user: string; role: Role; tenant?: string },
    method: string,
    path: string,
    body?: unknown,
  ) =>
    fetch(`${gw}${path}`, {
      method,
      headers: {
        'x-user-id': who.user,
        'x-user-role': who.role,
        ...(who.tenant ? { 'x-tenant-id': who.tenant } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const operator = { user: 'op', role: 'platform-admin' as const };
  const quotaOf = async (tenant: string) =>
    (await (
      await call(operator, 'GET', `/tenants/${tenant}/quotas`)
    ).json()) as Tenancy.TenantQuotaView;

  async function signedIn(user: string, role: Role, tenant?: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(user);
    await page.getByLabel('Role').selectOption(role);
    if (tenant) await page.getByLabel(/^Tenant/).fill(tenant);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  }

  async function open(page: Page, link: string, heading: string | RegExp): Promise<void> {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  /** The Usage view's row of a counter: its used amount, the tenant's and each user's limit. */
  async function counter(page: Page, name: string) {
    const row = page.locator(`.usage-table tr[data-counter="${name}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    return {
      used: cells[0],
      limit: cells[1],
      perUser: cells[3],
      fill: await row.getAttribute('data-fill'),
    };
  }

  const quotaForm = (page: Page, whose: string) =>
    page.getByRole('form', { name: `Quota of ${whose}` });

  it('a platform operator sets the platform default and the quota of tenant acme in the Usage view; the form checks it first', async () => {
    const page = await signedIn('op', 'platform-admin');
    expect(await page.locator('.who').textContent()).toContain('op (platform-admin)');
    expect(await page.locator('.who .identity').allTextContents()).toEqual([
      'tenant default',
      'platform operator',
    ]);
    await open(page, 'Usage', 'Usage of tenant default');

    // The platform default (*): every tenant without a quota of its own.
    await page.getByLabel(/^the platform default \(\*\)/).check();
    const platform = quotaForm(page, 'the platform default (*)');
    await platform.getByText('Now: no platform default').waitFor();
    await platform.getByLabel('Concurrent tasks, tenant').fill('20');
    await platform.getByRole('button', { name: 'Save quota' }).click();
    await page
      .locator('.quota-last', { hasText: 'Platform default (*): 20 concurrent tasks.' })
      .waitFor();
    expect(await quotaOf('*')).toEqual({
      tenantId: '*',
      quota: { concurrentTasks: 20 },
      source: 'platform',
    });

    // Tenant acme, picked by name: the platform default applies to it so far.
    await page.getByRole('form', { name: 'Choose a tenant' }).getByLabel('Tenant').fill('acme');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/#\/usage\/acme$/);
    await page.getByRole('heading', { level: 1, name: 'Usage of tenant acme' }).waitFor();
    await page.getByLabel(/^tenant acme/).check();
    const form = quotaForm(page, 'tenant acme');
    await form
      .getByText('Now: the platform default applies to tenant acme (20 concurrent tasks)')
      .waitFor();
    expect(await form.getByLabel('Concurrent tasks, tenant').inputValue()).toBe('20');
    expect(await page.locator('.usage-source').textContent()).toBe('the platform default (*)');

    // What the API would refuse is named on the page, field by field, and nothing is sent.
    await form.getByLabel('Tasks per minute, tenant').fill('1.5');
    await form.getByLabel('Concurrent tasks, each user').fill('0');
    await form.getByLabel('Cost per day (USD), tenant').fill('-2');
    await form.getByRole('button', { name: 'Save quota' }).click();
    const problems = form.locator('.quota-problems');
    await problems.waitFor();
    expect(await problems.locator('li').allTextContents()).toEqual([
      'tasksPerMinute: must be a whole number of at least 1 (leave it empty for no limit)',
      'costPerDayUsd: must be 0 or more dollars (0: no spending at all)',
      'perUser.concurrentTasks: must be a whole number of at least 1 (leave it empty for no limit)',
    ]);
    expect(await form.getByLabel('Tasks per minute, tenant').getAttribute('aria-invalid')).toBe(
      'true',
    );
    expect(await form.locator('#quota-perUser-concurrentTasks-problem').textContent()).toContain(
      'whole number',
    );
    expect(await seriousViolations(page)).toEqual([]);
    expect((await quotaOf('acme')).source).toBe('platform');

    await form.getByLabel('Tasks per minute, tenant').fill('1');
    await form.getByLabel('Concurrent tasks, tenant').fill('5');
    await form.getByLabel('Concurrent tasks, each user').fill('3');
    await form.getByLabel('Cost per day (USD), tenant').fill('50');
    await form.getByRole('button', { name: 'Save quota' }).click();
    await page
      .locator('.quota-last', {
        hasText:
          'Tenant acme: 1 task a minute, 5 concurrent tasks, $50.00 a day; each user: 3 concurrent tasks (its own quota).',
      })
      .waitFor();
    expect(await quotaOf('acme')).toEqual({
      tenantId: 'acme',
      quota: {
        tasksPerMinute: 1,
        concurrentTasks: 5,
        costPerDayUsd: 50,
        perUser: { concurrentTasks: 3 },
      },
      source: 'tenant',
    });
    // The usage above follows: acme's own quota, counted from now on.
    await page.locator('.usage-source', { hasText: "the tenant's own quota" }).waitFor();
    expect(await counter(page, 'tasksLastMinute')).toEqual({
      used: '0',
      limit: '1',
      perUser: 'unlimited',
      fill: 'ok',
    });
    expect(await counter(page, 'runningTasks')).toMatchObject({ limit: '5', perUser: '3' });
    expect(await counter(page, 'costUsd')).toMatchObject({ used: '$0.00', limit: '$50.00' });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'usage-quota-editor');

    // The platform default goes again: globex (no quota of its own) is not limited by it.
    await page.getByLabel(/^the platform default \(\*\)/).check();
    await quotaForm(page, 'the platform default (*)')
      .getByRole('button', { name: 'Remove the platform default' })
      .click();
    await page.locator('.quota-last', { hasText: 'Platform default (*): none now' }).waitFor();
    expect(await quotaOf('*')).toEqual({ tenantId: '*', quota: null, source: 'none' });
    await page.close();
  });

  it('an acme user signs in with tenant acme, sees the quota, runs the demo task and sees the usage move', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill('ann');
    // A tenant the gateway would refuse is named before anything is sent.
    await page.getByLabel(/^Tenant/).fill('acme corp');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('"acme corp" is not a tenant id').waitFor();
    expect(await page.getByLabel(/^Tenant/).getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-tenant');
    await page.getByLabel(/^Tenant/).fill('acme');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(await page.locator('.who .identity').allTextContents()).toEqual(['tenant acme']);

    await open(page, 'Usage', 'Usage of tenant acme');
    await page.locator('.usage-source', { hasText: "the tenant's own quota" }).waitFor();
    expect(await counter(page, 'tasksLastMinute')).toMatchObject({ used: '0', limit: '1' });
    expect(await counter(page, 'runningTasks')).toMatchObject({
      used: '0',
      limit: '5',
      perUser: '3',
    });
    // A user sees the tenant's totals and their own row; no picker, no editor.
    await page.getByRole('heading', { level: 2, name: 'Your own counters' }).waitFor();
    expect(await page.locator('.usage-users tbody tr').count()).toBe(1);
    expect(await page.locator('.usage-users tr[data-user="ann"]').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Quotas' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Choose a tenant' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await open(page, 'Run', 'Run a task');
    await page.getByLabel('Task', { exact: true }).fill(DEMO_TASK);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/#\/run\/[0-9a-f-]{36}$/);
    acmeTask = page.url().split('/').pop()!;
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    expect(await page.locator('.bubble-agent').textContent()).toContain('391');

    await open(page, 'Usage', 'Usage of tenant acme');
    await page
      .locator('.usage-table tr[data-counter="tasksLastMinute"] .usage-used', { hasText: '1' })
      .waitFor();
    expect(await counter(page, 'tasksLastMinute')).toEqual({
      used: '1',
      limit: '1',
      perUser: 'unlimited',
      fill: 'over',
    });
    expect(
      await page
        .locator('.usage-users tr[data-user="ann"] td[data-counter="tasksLastMinute"]')
        .textContent(),
    ).toBe('1');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'usage-tenant-user');
    await page.close();
  });

  it("an over-quota run shows the 429's quota and when to try again", async () => {
    // Another task of acme first: whether or not the last minute has passed, acme's 1 task a minute is taken.
    await call({ user: 'bob', role: 'user', tenant: 'acme' }, 'POST', '/orchestrate?async=true', {
      task: 'what is 6 * 7',
    });
    const page = await signedIn('ann', 'user', 'acme');
    await page.getByLabel('Task', { exact: true }).fill(DEMO_TASK);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const refusal = page.locator('.quota-refusal');
    await refusal.waitFor();
    expect(await refusal.getAttribute('role')).toBe('alert');
    expect(await refusal.getAttribute('data-quota')).toBe('tasksPerMinute');
    const text = (await refusal.textContent()) ?? '';
    expect(text).toMatch(
      /^Over quota\. Tenant acme has reached its limit of 1 task a minute \(1 used; quota tasksPerMinute\)\. Try again in \d+ s, at \d\d:\d\d:\d\d\./,
    );
    expect(text).toContain(
      'quota tasksPerMinute of tenant acme reached: 1 used of 1 tasks per minute',
    );
    expect(text).toContain('(RATE_LIMITED)');
    // No task was started: the form stays, with no task id in the address.
    expect(page.url()).not.toMatch(/#\/run\/[0-9a-f-]{36}$/);
    await page.getByLabel('Task', { exact: true }).waitFor();
    expect(await page.locator('.notice-error:not(.quota-refusal)').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'run-over-quota');
    await refusal.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { level: 1, name: 'Usage of tenant acme' }).waitFor();
    await page.close();
  });

  it("a globex user sees none of acme's tasks; the platform operator sees both tenants'", async () => {
    await call({ user: 'gil', role: 'user', tenant: 'globex' }, 'POST', '/orchestrate', {
      task: DEMO_TASK,
    });
    // The same user id in another tenant is another person; an admin of globex sees all of globex.
    const page = await signedIn('ann', 'admin', 'globex');
    expect(await page.locator('.who .identity').allTextContents()).toEqual(['tenant globex']);
    await open(page, 'Tasks', 'Tasks (all users of tenant globex)');
    await page.locator('tbody tr', { hasText: 'gil' }).waitFor();
    // the columns: selection, created, task, user, …
    const users = await page.locator('tbody tr td:nth-child(4)').allTextContents();
    expect(users).toEqual(['gil']);
    expect(await page.locator(`a[href="#/tasks/${acmeTask}"]`).count()).toBe(0);
    // acme's task by its address: answered as a task that does not exist.
    await page.goto(`${gw}/console/#/tasks/${acmeTask}`);
    await page
      .getByRole('alert')
      .getByText(/HTTP 404/)
      .first()
      .waitFor();
    // globex has no quota: nothing is counted for it, and its admin cannot edit quotas.
    await page.goto(`${gw}/console/#/usage`);
    await page.getByRole('heading', { level: 1, name: 'Usage of tenant globex' }).waitFor();
    await page.getByText('No quota applies to tenant globex').waitFor();
    expect(await page.getByRole('heading', { name: 'Quotas' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();

    const op = await signedIn('op', 'platform-admin');
    await open(op, 'Tasks', 'Tasks (every tenant)');
    await op.locator(`a[href="#/tasks/${acmeTask}"]`).waitFor();
    await op.locator('tbody tr', { hasText: 'gil' }).first().waitFor();
    await op.close();
  });

  it("the Audit view says which chain it verified: acme's for its admin, the whole one (and a Tenant column) for the operator", async () => {
    const boss = await signedIn('boss', 'admin', 'acme');
    await open(boss, 'Audit', 'Audit trail');
    expect(await boss.getByRole('columnheader', { name: 'Tenant' }).count()).toBe(0);
    await boss.getByRole('button', { name: 'Verify the hash chain' }).click();
    const result = boss.locator('.verify-result');
    await result.getByText('The chain of tenant acme is intact').waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toMatch(
      /^The chain of tenant acme is intact: [\d,]+ records, tenantSeq 1–[\d,]+\.$/,
    );
    await boss.close();

    const op = await signedIn('op', 'platform-admin');
    await open(op, 'Audit', 'Audit trail');
    await op.getByRole('columnheader', { name: 'Tenant' }).waitFor();
    await op.getByLabel('Action').fill('quota.set');
    await op.getByRole('button', { name: 'Apply' }).click();
    await op
      .locator('tbody tr[data-tenant="acme"] .audit-tenant', { hasText: 'acme' })
      .first()
      .waitFor();
    await op.getByRole('button', { name: 'Verify the hash chain' }).click();
    await op
      .locator('.verify-result')
      .getByText('The whole chain is intact')
      .waitFor({ timeout: 60_000 });
    expect(await op.locator('.verify-result').textContent()).toMatch(
      /^The whole chain is intact: [\d,]+ records, every tenant's\.$/,
    );
    expect(await seriousViolations(op)).toEqual([]);
    await screenshot(op, 'audit-platform-operator');

    // The Tenant filter (tenant_id) narrows both the rows and the check to one tenant's chain.
    await op.getByLabel('Tenant', { exact: true }).fill('acme');
    await op.getByLabel('Action').fill('');
    await op.getByRole('button', { name: 'Apply' }).click();
    await op.locator('tbody tr[data-tenant="acme"]').first().waitFor();
    await op.locator('tbody tr:not([data-tenant="acme"])').first().waitFor({ state: 'detached' });
    await op.getByRole('button', { name: 'Verify the hash chain' }).click();
    await op.locator('.verify-result').getByText('The chain of tenant acme is intact').waitFor();
    expect(await op.locator('.verify-result').textContent()).toMatch(
      /^The chain of tenant acme is intact: [\d,]+ records, tenantSeq 1–[\d,]+\.$/,
    );
    await op.close();
  });

  it("the platform operator removes acme's quota: acme is no longer limited", async () => {
    const page = await signedIn('op', 'platform-admin');
    await page.goto(`${gw}/console/#/usage/acme`);
    const form = quotaForm(page, 'tenant acme');
    await form.getByRole('button', { name: 'Remove the quota of acme' }).click();
    await page
      .locator('.quota-last', {
        hasText: 'Tenant acme: no quota now; nothing is limited or counted.',
      })
      .waitFor();
    expect(await quotaOf('acme')).toEqual({ tenantId: 'acme', quota: null, source: 'none' });
    await page.getByText('No quota applies to tenant acme').waitFor();
    await page.close();
  });
});
