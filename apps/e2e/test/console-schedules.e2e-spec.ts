import type { Schedules } from '@switchboard/contracts';
import { DEMO_TASK, type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

// Schedules in the web console, in a real browser (Debian's Chromium through playwright-core) against
// real service processes (docs/schedules.md, docs/console.md): a user creates a cron schedule with the
// form (on a thread, with the thread's policy), sees it with its next run, pauses, resumes and deletes it; a cron the API refuses shows the
// API's message naming the field. Screenshots go to test-artifacts/console/.
describe('schedules in the web console, in Chromium (real stack)', () => {
  let stack: Stack;
  let browser: Browser;
  let gw: string;

  beforeAll(async () => {
    stack = await startStack({ natsIdentities: true, shape: 'cell' });
    gw = stack.gatewayUrl;
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
    expect(refused).toEqual([]);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  const schedulesOf = async (userId: string) =>
    (
      (await (
        await fetch(`${gw}/schedules`, { headers: { 'x-user-id': userId, 'x-user-role': 'user' } })
      ).json()) as { schedules: Schedules.ScheduleView[] }
    ).schedules;

  async function signedIn(userId: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('Role').selectOption('user');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByRole('link', { name: 'Schedules', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    return page;
  }

  it('creates a cron schedule on a thread with the form, pauses, resumes and deletes it', async () => {
    const sam = `sam-${randomUUID().slice(0, 8)}`;
    const page = await signedIn(sam);
    expect(await page.locator('.schedules-none').textContent()).toBe('No schedules.');
    await page.getByLabel('Task', { exact: true }).fill(DEMO_TASK);
    await page.getByLabel('Cron', { exact: true }).fill('0 8 * * 1-5');
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await page.getByLabel('Thread', { exact: true }).fill('standup');
    await page.getByLabel('When the thread is busy').selectOption('reject');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.locator('.schedule-created').waitFor();
    const [created] = await schedulesOf(sam);
    expect(created).toMatchObject({
      cron: '0 8 * * 1-5',
      timezone: 'Europe/Berlin',
      task: DEMO_TASK,
      threadId: 'standup',
      threadPolicy: 'reject',
    });
    const item = page.locator(`[data-schedule="${created?.scheduleId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain('0 8 * * 1-5 (Europe/Berlin)');
    expect(await item.locator('.schedule-thread').textContent()).toContain(
      'thread standup (reject when busy)',
    );
    expect(await item.locator('.schedule-status').textContent()).toBe('Active');
    expect(await item.textContent()).toContain('next ');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'schedules-created');

    await item.getByRole('button', { name: 'Pause' }).click();
    await item.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await item.locator('.schedule-status').textContent()).toBe('Paused');
    expect((await schedulesOf(sam))[0]?.status).toBe('paused');
    await item.getByRole('button', { name: 'Resume' }).click();
    await item.getByRole('button', { name: 'Pause' }).waitFor();
    expect((await schedulesOf(sam))[0]?.status).toBe('active');

    await item.getByRole('button', { name: 'Delete' }).click();
    await page.locator('.schedules-none').waitFor();
    await waitFor(async () => (await schedulesOf(sam)).length === 0, { what: 'the deletion' });
  });

  it("shows the API's refusal of a cron expression, naming the field", async () => {
    const sue = `sue-${randomUUID().slice(0, 8)}`;
    const page = await signedIn(sue);
    await page.getByLabel('Task', { exact: true }).fill(DEMO_TASK);
    await page.getByLabel('Cron', { exact: true }).fill('61 8 * * *');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const alert = page.locator('.schedule-form [role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('cron');
    expect(await schedulesOf(sue)).toEqual([]);
    await screenshot(page, 'schedules-refused');
  });
});
