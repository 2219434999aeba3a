import type { Tools } from '@switchboard/contracts';
import { DEMO_TASK, type Stack, startStack } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

/** A demo task that stopped before notes.add, as POST /orchestrate answers it (202). */
interface Waiting {
  taskId: string;
  approvalId: string;
}

// Approvals in the web console, in a real browser (Debian's Chromium through playwright-core) against
// real service processes (docs/approvals.md, docs/console.md): the demo task waits for a person's
// decision on notes.add; the inbox and the Run view's timeline card decide it; an admin sets and
// removes notes.add's approval policy in Tools & agents. Screenshots go to test-artifacts/console/.
describe('approvals in the web console, in Chromium (real stack)', () => {
  let stack: Stack;
  let browser: Browser;
  let gw: string;

  beforeAll(async () => {
    stack = await startStack({ shape: 'cell' });
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

  const user = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

  const call = (method: string, path: string, userId: string, body?: unknown, role = 'user') =>
    fetch(`${gw}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': userId, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  /** The demo task with notes.add to be approved: it answers once the task waits. */
  async function waitingDemo(userId: string): Promise<Waiting> {
    const res = await call('POST', '/orchestrate', userId, {
      task: DEMO_TASK,
      approval: { tools: ['notes.add'] },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      task_id: string;
      status: string;
      approval: { approvalId: string };
    };
    expect(body.status).toBe('waiting_approval');
    return { taskId: body.task_id, approvalId: body.approval.approvalId };
  }

  const notesOf = (userId: string) =>
    stack.dbs.tools.query<{ content: string }>('SELECT content FROM "Note" WHERE "userId" = $1', [
      userId,
    ]);

  async function signedIn(userId: string, role: 'user' | 'admin' = 'user'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  }

  async function inbox(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Approvals', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
  }

  async function catalogue(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Tools & agents', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Tools & agents' }).waitFor();
  }

  /** Sets (or with null removes) notes.add's approval policy through the admin API. */
  async function putNotesPolicy(policy: unknown): Promise<void> {
    const res = await call('PUT', '/approval-policies/notes.add', 'root', { policy }, 'admin');
    expect(res.status).toBe(200);
  }

  /** The API's list of approval policies (GET /approval-policies, as an admin). */
  async function policies(): Promise<Tools.ApprovalPolicyEntry[]> {
    const res = await call('GET', '/approval-policies', 'root', undefined, 'admin');
    expect(res.status).toBe(200);
    return ((await res.json()) as { policies: Tools.ApprovalPolicyEntry[] }).policies;
  }

  /** The catalogue's note under notes.add. */
  const notesAddNote = (page: Page) => page.locator('.tool[data-tool="notes.add"] .approval-note');

  const item = (page: Page, w: Waiting) =>
    page.locator(`.approval[data-approval="${w.approvalId}"]`);
  const statusLine = (page: Page) => page.locator('.run-status');
  /** The timeline's card of the task's approval. */
  const approvalCard = (page: Page) => page.locator('.card-approval');

  it('the inbox lists the waiting call; Approve runs it once, and the Run view shows the completion', async () => {
    const ann = user('ann');
    const waiting = await waitingDemo(ann);
    const page = await signedIn(ann);
    await inbox(page);
    const row = item(page, waiting);
    await row.waitFor();
    expect(await page.locator('.approval').count()).toBe(1);
    // The tool, its arguments as the API shows them, why, who asked, the task and the expiry.
    expect(await row.getByRole('heading', { level: 2 }).textContent()).toBe('Tool notes.add');
    const text = await row.textContent();
    expect(text).toContain('{"content":"391"}');
    expect(text).toContain(ann);
    expect(text).toMatch(/in 23 h 59 min|in 24 h/);
    const taskLink = row.getByRole('link', { name: `Task ${waiting.taskId.slice(0, 8)}` });
    expect(await taskLink.getAttribute('href')).toBe(`#/run/${waiting.taskId}`);
    expect(await page.locator('.approvals-count').textContent()).toBe('1 pending approval');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'approvals-inbox');
    expect(await notesOf(ann)).toEqual([]);

    await row.getByRole('button', { name: 'Approve', exact: true }).click();
    const decided = page.locator('.approval-last');
    await decided.waitFor();
    expect(await decided.textContent()).toContain('Approved notes.add');
    // Refreshed after the decision: nothing left to decide.
    await page.locator('.approvals-count', { hasText: '0 pending approvals' }).waitFor();
    expect(await page.locator('.approval').count()).toBe(0);

    await decided.getByRole('link', { name: 'Follow the task' }).click();
    await page.waitForURL(new RegExp(`#/run/${waiting.taskId}$`));
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    expect(await statusLine(page).textContent()).toContain('completed');
    expect(await page.locator('.card-answer').textContent()).toContain('391');
    const card = approvalCard(page);
    expect(await card.locator('.card-title').textContent()).toBe('Approval: notes.add');
    expect(await card.locator('.badge').textContent()).toBe('approved');
    expect(await card.textContent()).toContain(`Approved by ${ann}`);
    expect(await card.getByRole('button').count()).toBe(0);
    expect(await notesOf(ann)).toEqual([{ content: '391' }]);
    await page.close();
  });

  it("the inbox's Reject sends the reason; a call decided elsewhere meanwhile shows the API's 409", async () => {
    const cid = user('cid');
    const first = await waitingDemo(cid);
    const second = await waitingDemo(cid);
    const page = await signedIn(cid);
    await inbox(page);
    await item(page, first).waitFor();
    await item(page, second).waitFor();
    expect(await page.locator('.approval').count()).toBe(2);

    const row = item(page, first);
    await row.getByRole('button', { name: 'Reject', exact: true }).click();
    await row.getByLabel('Reason (the task hears it)').fill('not today');
    await row.getByRole('button', { name: 'Reject the call' }).click();
    await page.locator('.approval-last', { hasText: 'Rejected notes.add' }).waitFor();
    await page.locator('.approvals-count', { hasText: '1 pending approval' }).waitFor();
    expect(await item(page, first).count()).toBe(0);

    // Someone decides the other one while the page still shows it: the page says what the API said.
    const elsewhere = await call(
      'POST',
      `/tasks/${second.taskId}/approvals/${second.approvalId}`,
      cid,
      { decision: 'reject', reason: 'decided elsewhere' },
    );
    expect(elsewhere.status).toBe(200);
    const stale = item(page, second);
    await stale.getByRole('button', { name: 'Approve', exact: true }).click();
    const refusal = stale.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(
      `approval ${second.approvalId} is rejected already`,
    );
    expect(await refusal.textContent()).toContain('CONFLICT, HTTP 409');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.approvals-count', { hasText: '0 pending approvals' }).waitFor();

    // The rejected task went on without the call: its card says who rejected it and why.
    await page.goto(`${gw}/console/#/run/${first.taskId}`);
    await page.locator('.card-answer, .card-failed').waitFor({ timeout: 60_000 });
    const card = approvalCard(page);
    expect(await card.locator('.badge').textContent()).toBe('rejected');
    expect(await card.textContent()).toContain(`Rejected by ${cid}`);
    expect(await card.textContent()).toContain('not today');
    expect(await notesOf(cid)).toEqual([]);
    await page.close();
  });

  it('shows a waiting task as waiting for approval in the task list, the task and the Run view, where Edit runs the call with the edited arguments', async () => {
    const eve = user('eve');
    const waiting = await waitingDemo(eve);
    const page = await signedIn(eve);
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByLabel('Status').selectOption('waiting_approval');
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.locator('tbody tr', { hasText: DEMO_TASK });
    await row.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await row.locator('.badge').textContent()).toBe('waiting for approval');
    await page.getByLabel('Status').selectOption('completed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('0 tasks').waitFor();

    await page.goto(`${gw}/console/#/tasks/${waiting.taskId}`);
    await page.locator('.facts .badge', { hasText: 'waiting for approval' }).waitFor();

    await page.goto(`${gw}/console/#/run/${waiting.taskId}`);
    const card = approvalCard(page);
    await card.waitFor();
    await statusLine(page).getByText('waiting for approval').waitFor();
    await page.locator('.approval-waiting').waitFor();
    expect(await card.locator('.badge').textContent()).toBe('pending');
    expect(await page.getByRole('button', { name: 'Cancel task' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'run-waiting-approval');

    await card.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = card.getByLabel('Arguments (JSON)');
    expect(JSON.parse(await editor.inputValue())).toEqual({ content: '391' });
    const approve = card.getByRole('button', { name: 'Approve with these arguments' });
    // Not JSON: said on the page, nothing sent.
    await editor.fill('{"content": ');
    await approve.click();
    await card
      .getByRole('alert')
      .getByText(/not JSON/)
      .waitFor();
    // Arguments the tool's schema refuses: the API's 400, naming the field.
    await editor.fill('{"content": 5}');
    await approve.click();
    await card
      .getByRole('alert')
      .getByText(/HTTP 400/)
      .waitFor();
    expect(await card.getByRole('alert').textContent()).toContain('content');
    expect(await notesOf(eve)).toEqual([]);

    await editor.fill('{"content": "400"}');
    await approve.click();
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    expect(await statusLine(page).textContent()).toContain('completed');
    await card.getByText(`Approved by ${eve}, with edited arguments`).waitFor();
    expect(await page.locator('.approval-waiting').count()).toBe(0);
    expect(await notesOf(eve)).toEqual([{ content: '400' }]);
    await page.close();
  });

  it("an admin sets notes.add's approval policy in Tools & agents, sees it as an override the API lists, and removes it", async () => {
    const root = user('root');
    const page = await signedIn(root, 'admin');
    try {
      await catalogue(page);
      const panel = page.getByRole('region', { name: 'Approval policies' });
      await panel.getByRole('heading', { level: 2, name: 'Approval policies' }).waitFor();
      const row = panel.locator('tr[data-policy-tool="notes.add"]');
      await page.locator('.tool[data-tool="notes.add"]').waitFor();
      expect(await row.count()).toBe(0);
      expect(await notesAddNote(page).count()).toBe(0);

      await panel.getByRole('button', { name: 'Add a policy' }).click();
      const form = panel.getByRole('form', { name: 'Add a policy' });
      const save = form.getByRole('button', { name: 'Save policy' });
      const problems = form.getByRole('alert');
      // Checked on the page first, each problem naming the policy's field: nothing is sent.
      await form.getByLabel('Tool', { exact: true }).fill('no.such-tool');
      await form.getByLabel(/^Four eyes/).check();
      await form.getByLabel('Roles (comma-separated)').fill('Finance');
      await form.getByLabel('Expires after').fill('31');
      await save.click();
      await problems.waitFor();
      const lines = await problems.locator('li').allTextContents();
      expect(lines).toEqual([
        expect.stringMatching(/^approvers\.roles: "Finance" is not a role/),
        expect.stringMatching(/^allowSelf: four eyes needs approvers other than the requester/),
        'expiresInMs: must be at most 30 days',
      ]);
      expect(await seriousViolations(page)).toEqual([]);
      await form.getByLabel(/^The requester/).uncheck();
      await form.getByLabel('Roles (comma-separated)').fill('finance');
      await form.getByLabel('Expires after').fill('2');
      await form.getByLabel('Unit').selectOption('h');
      await form.getByLabel('On expiry').selectOption('fail');
      // A tool the platform does not know: the API's 404, with its message.
      await save.click();
      await problems.getByText(/HTTP 404/).waitFor();
      expect(await problems.textContent()).toContain('unknown tool "no.such-tool"');

      await form.getByLabel('Tool', { exact: true }).fill('notes.add');
      await save.click();
      const done = panel.locator('.policy-last');
      await done.waitFor();
      expect(await done.textContent()).toBe(
        'notes.add needs approval: role finance (four eyes: never the requester) (override).',
      );
      await row.waitFor();
      expect(await row.getAttribute('data-source')).toBe('override');
      expect(await row.locator('td').allTextContents()).toEqual([
        'role finance (four eyes: never the requester)',
        '2 h',
        'the task fails',
        expect.stringMatching(new RegExp(`^override by ${root}, `)),
        expect.stringContaining('Remove override'),
      ]);
      // The API has it, as set, and the catalogue marks the tool.
      expect((await policies()).filter((p) => p.tool === 'notes.add')).toEqual([
        {
          tool: 'notes.add',
          policy: {
            approvers: { requester: false, roles: ['finance'], users: [] },
            allowSelf: false,
            expiresInMs: 7_200_000,
            onExpiry: 'fail',
          },
          source: 'override',
          setBy: root,
          setAt: expect.any(String),
        },
      ]);
      await page
        .locator('.tool[data-tool="notes.add"] .approval-note', {
          hasText: 'needs approval: role finance (four eyes: never the requester)',
        })
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'approval-policies');

      // Edit starts from the policy as it is.
      await row.getByRole('button', { name: 'Edit notes.add' }).click();
      const edit = panel.getByRole('form', { name: 'Policy of notes.add' });
      expect(await edit.getByLabel('Roles (comma-separated)').inputValue()).toBe('finance');
      expect(await edit.getByLabel(/^Four eyes/).isChecked()).toBe(true);
      expect(await edit.getByLabel('Expires after').inputValue()).toBe('2');
      await edit.getByLabel('Users (comma-separated)').fill('bob');
      await edit.getByRole('button', { name: 'Save policy' }).click();
      await row
        .locator('.policy-who', {
          hasText: 'role finance or user bob (four eyes: never the requester)',
        })
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      await row.getByRole('button', { name: 'Remove override of notes.add' }).click();
      await panel
        .locator('.policy-last', { hasText: 'notes.add: its calls need no approval now.' })
        .waitFor();
      await row.waitFor({ state: 'detached' });
      await notesAddNote(page).waitFor({ state: 'detached' });
      expect((await policies()).filter((p) => p.tool === 'notes.add')).toEqual([]);
    } finally {
      await putNotesPolicy(null);
      await page.close();
    }
  });

  it('a non-admin sees which tools need approval, but not the approval policies panel', async () => {
    await putNotesPolicy({ approvers: { requester: false, roles: ['finance'] }, allowSelf: false });
    const dan = user('dan');
    const page = await signedIn(dan);
    try {
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/approval-policies')) asked.push(r.url());
      });
      await catalogue(page);
      const note = notesAddNote(page);
      await note.waitFor();
      expect(await note.textContent()).toBe(
        'needs approval: role finance (four eyes: never the requester)',
      );
      await page.getByRole('heading', { level: 2, name: 'Remote agents' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Approval policies' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Add a policy' }).count()).toBe(0);
      expect(asked).toEqual([]);
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await putNotesPolicy(null);
      await page.close();
    }
  });
});
