import { type Stack, startStack } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

interface Answer {
  status: string;
  result?: string;
  task_id: string;
}

// Long-term memory in the web console, in a real browser (Debian's Chromium through playwright-core)
// against real service processes (docs/memory.md, docs/console.md): a fact remembered in one thread
// is recalled in another (the built-in planner answers 42), the task's timeline shows the recall
// without its content, the Memory view lists, searches and forgets the item (the run records'
// recalls with it), "Forget me" forgets the rest, and another user of the tenant sees none of it.
describe('memory in the web console, in Chromium (real stack)', () => {
  let stack: Stack;
  let browser: Browser;
  let gw: string;
  const stamp = randomUUID().slice(0, 8);
  const ann = `ann-${stamp}`;
  const bob = `bob-${stamp}`;
  const cyd = `cyd-${stamp}`;
  const dora = `dora-${stamp}`;

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      services: ['mcp-tools', 'audit', 'orchestrator', 'gateway'],
      natsIdentities: true,
    });
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

  const ask = async (userId: string, task: string, thread: string): Promise<Answer> => {
    const res = await fetch(`${gw}/orchestrate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': userId, 'x-user-role': 'user' },
      body: JSON.stringify({ task, thread_id: `${thread}-${stamp}` }),
    });
    return (await res.json()) as Answer;
  };

  const memoryOf = async (userId: string) =>
    (
      (await (
        await fetch(`${gw}/memory`, { headers: { 'x-user-id': userId, 'x-user-role': 'user' } })
      ).json()) as { items: { id: string; content: string }[] }
    ).items;

  async function signedIn(userId: string, role = 'user'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  }

  async function openMemory(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Memory' }).waitFor();
    await page.locator('.memory-count', { hasNotText: 'Loading' }).waitFor();
  }

  const search = async (page: Page, q: string) => {
    await page.getByLabel('Search memory').fill(q);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('.memory-found').waitFor();
  };

  let second = '';

  it('answers 42 in a second thread; its timeline shows the recall, not what was recalled', async () => {
    const stored = await ask(ann, 'remember that my favourite number is 7', 'first');
    expect(stored).toMatchObject({
      status: 'completed',
      result: 'I will remember that my favourite number is 7.',
    });
    const answered = await ask(ann, 'what is my favourite number times 6', 'second');
    expect(answered).toMatchObject({ status: 'completed', result: '7 * 6 = 42.' });
    second = answered.task_id;
    const [item] = await memoryOf(ann);

    const page = await signedIn(ann);
    await page.goto(`${gw}/console/#/tasks/${second}`);
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    const card = page.locator('.card-recalled');
    expect(await card.locator('.card-title').textContent()).toBe(
      'Recalled from memory: 1 item (by words)',
    );
    // Before the first round, and naming the item without its content.
    const kinds = await page
      .locator('.card')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    expect(kinds.indexOf('recalled')).toBeLessThan(kinds.indexOf('planning'));
    expect(await card.locator(`li[data-item="${item!.id}"]`).textContent()).toMatch(
      new RegExp(`^user:${ann} · item ${item!.id.slice(0, 8)} · by words, score \\d\\.\\d+$`),
    );
    expect(await card.textContent()).not.toContain('favourite number is 7');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'memory-recalled-card');
    await page.close();
  });

  it("another user of the tenant sees none of it, and is refused ann's namespace with the API's message", async () => {
    const page = await signedIn(bob);
    await openMemory(page);
    expect(await page.locator('.memory-count').textContent()).toBe(`0 items in user:${bob}`);
    expect(await page.locator('.memory-none').textContent()).toBe('Nothing remembered.');
    await search(page, 'favourite number');
    expect(await page.locator('.memory-found').textContent()).toBe('0 found');
    expect(await page.locator('.memory-item').count()).toBe(0);

    // Ann's own namespace, asked for by name: mcp-tools refuses it, and the page says why.
    await page.getByLabel('User id').fill(ann);
    await page.getByRole('button', { name: 'Show' }).click();
    const refusal = page.locator('[role=alert]', { hasText: 'HTTP 403' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`you may not read memory namespace user:${ann}`);
    expect(await page.locator('.memory-count').textContent()).toBe(`Could not list user:${ann}`);
    expect(await page.locator('.memory-item').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'memory-refused');
    await page.close();
  });

  it('lists, searches and forgets the item, with the recorded recalls; then "Forget me" forgets the rest', async () => {
    const page = await signedIn(ann);
    await openMemory(page);
    const list = page.getByRole('list', { name: 'Items' });
    expect(await page.locator('.memory-count').textContent()).toBe(`1 item in user:${ann}`);
    expect(await list.locator('.memory-content').textContent()).toBe('my favourite number is 7');

    await search(page, 'favourite number');
    const results = page.getByRole('list', { name: 'Search results' });
    expect(await page.locator('.memory-found').textContent()).toBe('1 found');
    expect(await results.locator('.memory-content').textContent()).toBe('my favourite number is 7');
    expect(await results.locator('.memory-match').textContent()).toMatch(
      /^ · by words, score \d\.\d+$/,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'memory-search');

    await list.getByRole('button', { name: 'Forget "my favourite number is 7"' }).click();
    const forgotten = page.locator('.memory-forgotten');
    await forgotten.waitFor();
    // The second task recalled it: its run record's recall was emptied too.
    const recalls = /^Forgotten; (\d+) recorded recalls? in tasks' run records emptied\.$/.exec(
      (await forgotten.textContent()) ?? '',
    );
    expect(Number(recalls?.[1])).toBeGreaterThanOrEqual(1);
    await page.locator('.memory-none').waitFor();
    expect(await page.locator('.memory-item').count()).toBe(0);
    expect(await memoryOf(ann)).toEqual([]);
    await screenshot(page, 'memory-forgotten');

    // "Forget me", after a confirmation, forgets what is left and says it verified that.
    await ask(ann, 'remember that my favourite colour is green', 'third');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.memory-count', { hasText: '1 item' }).waitFor();
    await page.getByRole('button', { name: 'Forget me…' }).click();
    expect(await page.locator('.forget-confirm p').textContent()).toBe(
      `Forget everything of ${ann}? This cannot be undone.`,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Yes, forget everything of mine' }).click();
    const done = page.locator('.memory-forget-me');
    await done.waitFor();
    expect(await done.textContent()).toMatch(
      new RegExp(
        `^Forgot 1 item of ${ann}; \\d+ recorded recalls? in tasks' run records emptied\\. Verified: nothing of it remains\\.$`,
      ),
    );
    // The list reloads after the answer: wait for it rather than read it at once (a race on a busy machine).
    await page.locator('.memory-count', { hasText: `0 items in user:${ann}` }).waitFor();
    await page.locator('.memory-none').waitFor();
    expect(await memoryOf(ann)).toEqual([]);
    await screenshot(page, 'memory-forget-me');
    await page.close();
  });

  it("edits an item (a refusal shown with the API's message); an admin forgets a user after a confirmation", async () => {
    await ask(cyd, 'remember that my lucky number is 5', 'lucky');
    const page = await signedIn(cyd);
    await openMemory(page);
    const list = page.getByRole('list', { name: 'Items' });
    expect(await list.locator('.memory-content').textContent()).toBe('my lucky number is 5');

    await list.getByRole('button', { name: 'Edit "my lucky number is 5"' }).click();
    const content = list.getByLabel('Content');
    // The focus goes to the text once the form has rendered (an effect after it: waited for, not read
    // at once — a CI run read it a moment too early); an empty content is refused before anything is sent.
    await page.waitForFunction("document.activeElement?.tagName === 'TEXTAREA'", undefined, {
      timeout: 10_000,
    });
    await content.fill('  ');
    await list.getByRole('button', { name: 'Save' }).click();
    expect(await list.locator('[role=alert]').textContent()).toBe(
      'Content: write something (or Forget the item).',
    );
    expect(await content.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'memory-edit');
    await content.fill('my lucky number is 8');
    await list.getByRole('button', { name: 'Save' }).click();
    await page.locator('.memory-edited').waitFor();
    await list.locator('.memory-content', { hasText: 'my lucky number is 8' }).waitFor();
    expect(await list.getByLabel('Content').count()).toBe(0);
    expect((await memoryOf(cyd)).map((i) => i.content)).toEqual(['my lucky number is 8']);
    const answered = await ask(cyd, 'what is my lucky number times 6', 'lucky-2');
    expect(answered).toMatchObject({ status: 'completed', result: '8 * 6 = 48.' });
    await page.close();

    // An admin of the tenant reads cyd's memory but may not write it: the API's refusal shows.
    const admin = await signedIn(dora, 'admin');
    await openMemory(admin);
    await admin.getByLabel('User id').fill(cyd);
    await admin.getByRole('button', { name: 'Show' }).click();
    await admin.locator('.memory-count', { hasText: `1 item in user:${cyd}` }).waitFor();
    const theirs = admin.getByRole('list', { name: 'Items' });
    await theirs.getByRole('button', { name: 'Edit "my lucky number is 8"' }).click();
    await theirs.getByLabel('Content').fill('my lucky number is 13');
    await theirs.getByRole('button', { name: 'Save' }).click();
    const refusal = theirs.locator('[role=alert]', { hasText: 'HTTP 403' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('only its own user edits a user item');
    await theirs.getByRole('button', { name: 'Cancel' }).click();
    expect(await theirs.locator('.memory-content').textContent()).toBe('my lucky number is 8');

    // Forget a user: the id, a confirmation naming them, then what went.
    await admin.getByLabel('User to forget').fill(cyd);
    await admin.getByRole('button', { name: 'Forget this user…' }).click();
    const confirm = admin.getByRole('group', { name: 'Confirm forgetting a user' });
    expect(await confirm.locator('p').textContent()).toBe(
      `Forget everything of ${cyd} in this tenant? This cannot be undone.`,
    );
    expect(await seriousViolations(admin)).toEqual([]);
    await screenshot(admin, 'memory-forget-user-confirm');
    await confirm.getByRole('button', { name: `Yes, forget ${cyd}` }).click();
    const done = admin.locator('.memory-forget-user-done');
    await done.waitFor();
    // The task that answered 48 recalled the item: its run record's recall was emptied too.
    expect(await done.textContent()).toMatch(
      new RegExp(
        `^Forgot 1 item of ${cyd}; [1-9]\\d* recorded recalls? in tasks' run records emptied\\. Verified: nothing of it remains\\.$`,
      ),
    );
    await admin.locator('.memory-count', { hasText: `0 items in user:${cyd}` }).waitFor();
    expect(await memoryOf(cyd)).toEqual([]);
    await screenshot(admin, 'memory-forget-user');
    await admin.close();
  });
});
