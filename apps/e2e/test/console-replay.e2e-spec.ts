import type { Tasks } from '@switchboard/contracts';
import { DEMO_TASK, type SharedStack, sharedStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

const TASK_ID = /#\/run\/([0-9a-f-]{36})$/;

// Replay and fork in the web console (docs/console.md, docs/replay.md), in a real browser (Debian's
// Chromium through playwright-core) against real service processes on NATS with per-service
// identities: the demo task is replayed from its Run view (identical), forked from step 2 with an
// edited calculator result (the fork runs live and writes its note), both appear in the task's tree
// of runs, and the diff view shows the first divergence at step 1. Screenshots go to
// test-artifacts/console/.
describe('replay and fork in the web console, in Chromium (real stack, NATS identities)', () => {
  let stack: SharedStack;
  let browser: Browser;
  let gw: string;
  let page: Page;
  const ann = `ann-${randomUUID().slice(0, 8)}`;
  /** The demo task, its replay and its fork, as the steps below create them. */
  const ids = { demo: '', replay: '', fork: '' };

  beforeAll(async () => {
    stack = await sharedStack();
    gw = stack.gatewayUrl;
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(ann);
    await page.getByLabel('Role').selectOption('user');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    const refused = stack?.violations() ?? [];
    await stack?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
    // nats-server refused no service anything
    expect(refused).toEqual([]);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  const api = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${gw}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': ann, 'x-user-role': 'user' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect([path, res.status]).toEqual([path, method === 'POST' ? 202 : 200]);
    return (await res.json()) as T;
  };
  const view = (taskId: string) => api<Tasks.TaskView>('GET', `/tasks/${taskId}`);
  const notes = async () =>
    (
      await stack.dbs.tools.query<{ content: string }>(
        'SELECT content FROM "Note" WHERE "userId" = $1 ORDER BY "createdAt"',
        [ann],
      )
    ).map((n) => n.content);

  const statusLine = () => page.locator('.run-status');
  /** Waits for the Run view to follow another task than `previous`, and returns its id. */
  async function followed(previous: string): Promise<string> {
    await page.waitForURL((u) => TASK_ID.test(u.hash) && !u.hash.endsWith(previous));
    return TASK_ID.exec(new URL(page.url()).hash)?.[1] ?? '';
  }
  const treeNode = (taskId: string) => page.locator(`.run-node[data-task="${taskId}"]`);

  it('runs the demo task, replays it from the Run view and shows the replay identical', async () => {
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.getByLabel('Task', { exact: true }).fill(DEMO_TASK);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    ids.demo = await followed('#/run');
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    // Ended: Replay offered, the tree is empty, and each step and round can be forked.
    await page.getByText('None yet.').waitFor();
    expect(await page.locator('.card-tool .fork-here').count()).toBe(2);
    expect(await page.locator('.card-planning .fork-here').count()).toBe(2);
    expect(await notes()).toEqual(['391']);

    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    ids.replay = await followed(ids.demo);
    const verdict = page.locator('.verdict-notice');
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-identical')).toBe('true');
    expect(await verdict.textContent()).toBe(
      `Identical. The same decisions, steps and outcome as task ${ids.demo.slice(0, 8)} (2 planning rounds, 2 steps; times and ids are not compared).`,
    );
    await page.locator('.card-answer').waitFor();
    expect(await statusLine().textContent()).toContain('completed');
    expect(await page.locator('.card-verdict .card-title').textContent()).toBe(
      'Replay verdict: identical',
    );
    expect(await page.locator('.run-origin').textContent()).toBe(
      `Replay of task ${ids.demo.slice(0, 8)} · Compare with the original`,
    );
    // The conversation is the replay's, not the AG-UI run's, and the replay wrote nothing.
    expect(await page.locator('.bubble-agent').textContent()).toContain('391');
    expect(await notes()).toEqual(['391']);
    expect(await view(ids.replay)).toMatchObject({
      run: { kind: 'replay', of: ids.demo },
      verdict: { identical: true },
    });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'replay-identical');
  });

  it('forks from step 2 with an edited calculator result: checked first, then followed to its end and listed in the tree', async () => {
    await page
      .locator('.run-origin')
      .getByRole('link', { name: `task ${ids.demo.slice(0, 8)}` })
      .click();
    await page.waitForURL((u) => u.hash === `#/run/${ids.demo}`);
    const replayNode = treeNode(ids.replay);
    await replayNode.waitFor();
    expect(await replayNode.locator('.badge-identical').textContent()).toBe('identical');

    const calculator = page.locator('.card-tool[data-step="1"]');
    expect(await calculator.locator('.card-title').textContent()).toBe('Tool call: calculator');
    await calculator.getByRole('button', { name: 'Fork from here' }).click();
    const form = calculator.getByRole('form', { name: 'Fork from step 1' });
    expect(await form.getByLabel('Task', { exact: true }).inputValue()).toBe(DEMO_TASK);
    const result = form.getByLabel('Result of step 1 (JSON)');
    expect(JSON.parse(await result.inputValue())).toMatchObject({ result: 391 });
    const start = form.getByRole('button', { name: 'Start the fork' });
    // Not JSON: said on the page, nothing sent.
    await result.fill('{"expression": "17 * 23", "result": ');
    await start.click();
    await form
      .getByRole('alert')
      .getByText(/^The result is not JSON: /)
      .waitFor();
    expect(await result.getAttribute('aria-invalid')).toBe('true');
    expect((await view(ids.demo)).runs).toHaveLength(1);
    expect(await seriousViolations(page)).toEqual([]);

    await result.fill('{"expression": "17 * 23", "result": 400}');
    expect(await form.locator('.fork-words').textContent()).toBe(
      'Step 1 is taken from the record, with the result above; live from step 2.',
    );
    await screenshot(page, 'fork-editor');
    await start.click();
    ids.fork = await followed(ids.demo);
    // The fork's own view (the demo's answer card may still be on the page for a moment), ended: its
    // origin line offers the comparison once the run is over.
    await page
      .locator('.run-origin[data-kind="fork"]', { hasText: 'Compare with the original' })
      .waitFor({ timeout: 60_000 });
    await page.locator('.card-answer').waitFor();
    expect(await statusLine().textContent()).toContain('completed');
    expect(await page.locator('.run-origin').textContent()).toContain(
      `Fork of task ${ids.demo.slice(0, 8)} from step 2`,
    );
    expect(await page.locator('.bubble-agent').textContent()).toContain('400');
    expect(await page.locator('.card-verdict').count()).toBe(0);
    // Step 2 ran live, with the edited result: one new note.
    expect(await notes()).toEqual(['391', '400']);
    expect(await view(ids.fork)).toMatchObject({
      status: 'completed',
      run: { kind: 'fork', of: ids.demo, from: { step: 2 } },
    });

    await page
      .locator('.run-origin')
      .getByRole('link', { name: `task ${ids.demo.slice(0, 8)}` })
      .click();
    const forkNode = treeNode(ids.fork);
    await forkNode.waitFor();
    expect(
      await page
        .locator('.run-node')
        .evaluateAll((ns) => ns.map((n) => n.getAttribute('data-task'))),
    ).toEqual([ids.replay, ids.fork]);
    expect(await forkNode.locator('.run-kind').textContent()).toBe('fork from step 2');
    expect(await forkNode.locator('.badge').first().textContent()).toBe('completed');
    expect(await page.locator('#run-tree-title').textContent()).toBe('Replays and forks (2)');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'replay-tree');
  });

  it("opens a run's own replays and forks in the tree, read as they are opened", async () => {
    const second = await api<{ task_id: string }>('POST', `/tasks/${ids.fork}/replay`);
    await waitFor(
      async () => ['completed', 'failed'].includes((await view(second.task_id)).status),
      {
        timeoutMs: 60_000,
        what: 'the replay of the fork to end',
      },
    );
    const forkNode = treeNode(ids.fork);
    await forkNode.getByRole('button', { name: /^Its replays and forks/ }).click();
    const nested = forkNode.locator(`.runs .run-node[data-task="${second.task_id}"]`);
    await nested.waitFor();
    expect(await nested.locator('.run-kind').textContent()).toBe('replay');
    expect(await nested.locator('.badge-identical').textContent()).toBe('identical');
    expect(await page.locator('#run-tree-title').textContent()).toBe('Replays and forks (3)');
    expect(
      await forkNode
        .getByRole('button', { name: /^Hide its replays and forks/ })
        .getAttribute('aria-expanded'),
    ).toBe('true');
  });

  it('compares the fork with the original from the tree, and by URL: the first divergence at step 1', async () => {
    await treeNode(ids.fork)
      .getByRole('link', { name: /^Compare with original/ })
      .first()
      .click();
    await page.waitForURL((u) => u.hash === `#/diff/${ids.demo}/${ids.fork}`);
    await expectFirstDivergence('A', 'B');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'replay-diff');

    // By its address, in a fresh load, the other way round.
    await page.goto(`${gw}/console/#/diff/${ids.fork}/${ids.demo}`);
    await page.reload();
    await expectFirstDivergence('B', 'A');
  });

  it("forks from planning round 1 with an edited plan from the Task view, whose fork, the replay's verdict and origin it shows too", async () => {
    await page.goto(`${gw}/console/#/tasks/${ids.replay}`);
    await page.locator('.verdict-notice[data-identical="true"]').waitFor();
    // The comparison is offered once the replay's stream has been read to its end.
    await page.locator('.run-origin', { hasText: 'Compare with the original' }).waitFor();
    expect(await page.locator('.run-origin').textContent()).toBe(
      `Replay of task ${ids.demo.slice(0, 8)} · Compare with the original`,
    );

    await page.goto(`${gw}/console/#/tasks/${ids.demo}`);
    await treeNode(ids.fork).waitFor();
    const round = page.locator('.card-planning[data-round="1"]');
    await round.getByRole('button', { name: 'Fork from here' }).click();
    const form = round.getByRole('form', { name: 'Fork from planning round 1' });
    const plan = form.getByLabel('Plan of round 1 (JSON array of actions)');
    const recorded = JSON.parse(await plan.inputValue()) as Tasks.PlanAction[];
    expect(recorded.map((a) => a.target)).toEqual(['calculator', 'notes.add']);
    const start = form.getByRole('button', { name: 'Start the fork' });
    // Not a plan the API would take: said on the page, naming the action, nothing sent.
    await plan.fill(JSON.stringify([{ ...recorded[0], kind: 'mcp' }]));
    await start.click();
    await form
      .getByRole('alert')
      .getByText('Action 1: "kind" must be "tool" or "agent".')
      .waitFor();
    expect((await view(ids.demo)).runs).toHaveLength(2);

    await plan.fill(JSON.stringify([{ ...recorded[0], input: { expression: '2 * 21' } }]));
    expect(await form.locator('.fork-words').textContent()).toBe(
      'Round 1 runs the plan above (1 action), live, and what follows runs live.',
    );
    await start.click();
    const forked = await followed(ids.demo);
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    expect(await page.locator('.bubble-agent').textContent()).toContain('42');
    expect(await page.locator('.run-origin').textContent()).toContain(
      `Fork of task ${ids.demo.slice(0, 8)} from planning round 1`,
    );
    // Only the calculator ran: no note this time.
    expect(await notes()).toEqual(['391', '400']);
    expect(await view(forked)).toMatchObject({
      status: 'completed',
      run: { kind: 'fork', of: ids.demo, from: { round: 1 } },
    });
    await page
      .locator('.run-origin')
      .getByRole('link', { name: `task ${ids.demo.slice(0, 8)}` })
      .click();
    await treeNode(forked)
      .locator('.run-kind', { hasText: 'fork from planning round 1' })
      .waitFor();
  });

  /** The diff of the demo task and its fork, the original on side `original`. */
  async function expectFirstDivergence(original: 'A' | 'B', forked: 'A' | 'B'): Promise<void> {
    const headline = page.locator('.diff-headline');
    await headline.waitFor();
    expect(await headline.getAttribute('data-identical')).toBe('false');
    expect(await headline.locator('p').first().textContent()).toBe(
      'Different. First divergence at step 1: the result differs.',
    );
    const first = page.locator('tr[data-first]');
    expect(await first.count()).toBe(1);
    expect(await first.locator('th').textContent()).toBe(
      'Step 1 (round 1)first divergencethe result differs',
    );
    const cell = (side: 'A' | 'B') => first.locator(side === 'A' ? '.diff-a' : '.diff-b');
    expect(await cell(original).textContent()).toContain('"result":391');
    expect(await cell(forked).textContent()).toContain('"result":400');
    // Before it, the same; the summary on top has both answers.
    const rows = await page
      .locator('.diff-table tbody tr')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-same')));
    expect(rows.slice(0, 2)).toEqual(['true', 'true']);
    const answer = page.locator('.diff-summary tr[data-row="Answer"]');
    expect(await answer.getAttribute('class')).toBe('diff-differs');
    const answers = await answer.locator('td').allTextContents();
    expect(answers[original === 'A' ? 0 : 1]).toContain('391');
    expect(answers[forked === 'A' ? 0 : 1]).toContain('400');
    const heads = await page.locator('.diff-table thead th').allTextContents();
    expect(heads[forked === 'A' ? 1 : 2]).toBe(
      `${forked}: Fork of task ${ids.demo.slice(0, 8)} from step 2`,
    );
    expect(heads[original === 'A' ? 1 : 2]).toBe(
      `${original}: Task ${ids.demo.slice(0, 8)}, the original`,
    );
  }
});
