import {
  DEMO_TASK,
  type ServiceHandle,
  startService,
  startTcpProxy,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { SignJWT } from 'jose';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type AgentsStack, startAgentsStack } from './support/agents-stack.js';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

const DELEGATION_TASK =
  'ask the researcher about NATS JetStream, then have the writer draft a summary';
const JWT_SECRET = 'console-e2e-secret-of-at-least-32-characters';
// A provider users must be granted before its tool is offered (a built-in under another name).
const TOOLS_FILE = `
providers:
  - { name: partner, requiresAuthorization: true }
tools:
  - name: partner.time
    description: The time, from a provider that needs authorization.
    provider: partner
    inputSchema: { type: object, additionalProperties: false }
    handler: { kind: builtin, ref: time.now }
`;
/** Markup an agent's answer may carry: none of it may become an element of the page. */
const PAYLOAD =
  '<img src=x onerror="document.body.dataset.pwned=1"> <script>document.body.dataset.pwned=2</script> [the docs](https://example.com/docs)';

// The web console in a real browser (Debian's Chromium through playwright-core) against the whole
// platform: six services, a private Prosody and sample agents reached only over XMPP. Screenshots of
// each view are left in test-artifacts/console/.
describe('the web console in Chromium (real stack, agents over XMPP)', () => {
  let env: AgentsStack;
  let browser: Browser;
  let jwtGateway: ServiceHandle;
  let gw: string;

  beforeAll(async () => {
    const toolsFile = join(tempDir('console-tools'), 'tools.yaml');
    writeFileSync(toolsFile, TOOLS_FILE);
    env = await startAgentsStack(
      [
        { name: 'researcher', kind: 'researcher' },
        { name: 'writer', kind: 'writer' },
        // Working steps far apart: time to reload the page, or to cancel, while the task runs.
        { name: 'steady', kind: 'researcher', stepDelayMs: 3_000 },
        { name: 'slow', kind: 'researcher', stepDelayMs: 60_000 },
      ],
      { 'mcp-tools': { TOOLS_FILE: toolsFile } },
    );
    gw = env.stack.gatewayUrl;
    // This gateway has no `live` identity: its Live view reads the traffic as the gateway, which the
    // platform's NATS refuses (what users meet when LIVE_NATS_* is not set).
    const withoutLive = Object.fromEntries(
      Object.entries(env.stack.envOf('gateway')).filter(([k]) => !k.startsWith('LIVE_NATS_')),
    );
    jwtGateway = await startService(
      'gateway',
      {
        ...withoutLive,
        AUTH_MODE: 'jwt',
        JWT_SECRET,
        JWT_ISSUER: 'console-e2e',
        JWT_AUDIENCE: 'authenticated',
      },
      { logDir: env.stack.logDir },
    );
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await jwtGateway?.stop();
    await env?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  async function signedIn(user: string, role: 'user' | 'admin', base = gw): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${base}/console/`);
    await page.getByLabel('User id').fill(user);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    return page;
  }

  async function run(page: Page, task: string): Promise<string> {
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.getByLabel('Task', { exact: true }).fill(task);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/#\/run\/[0-9a-f-]{36}$/);
    return page.url().split('/').pop()!;
  }

  /** A token of the JWT gateway for the admin `jo`. */
  const adminToken = () =>
    new SignJWT({ role: 'admin', email: 'jo@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('jo')
      .setIssuer('console-e2e')
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(JWT_SECRET));

  const statusLine = (page: Page) => page.locator('.run-status');
  /** The text of the element that has the keyboard focus. */
  const focused = (page: Page) =>
    page.evaluate<string | undefined>('document.activeElement?.textContent');

  it('runs the demo task from the Run view: the answer 391, and the saved note in the timeline', async () => {
    const page = await signedIn('ada', 'user');
    const taskId = await run(page, DEMO_TASK);
    const answer = page.locator('.bubble-agent');
    await answer.waitFor({ timeout: 60_000 });
    expect(await answer.textContent()).toContain('17 * 23 = 391');
    await page.locator('.card-answer').waitFor();
    const calculator = page.locator('.card-tool', { hasText: 'Tool call: calculator' });
    expect(await calculator.textContent()).toContain('completed');
    const note = page.locator('.card-tool', { hasText: 'Tool call: notes.add' });
    expect(await note.textContent()).toContain('391');
    const [stored] = await env.stack.dbs.tools.query<{ content: string }>(
      `SELECT content FROM "Note" WHERE "userId" = 'ada'`,
    );
    expect(stored).toEqual({ content: '391' });
    expect(await statusLine(page).textContent()).toContain('completed');
    // The built-in planner asks no model: "no LLM", not a count of 0 tokens.
    expect(await statusLine(page).textContent()).toContain('no LLM');
    expect(await statusLine(page).textContent()).not.toContain('0 tokens');
    expect(await page.locator('.card-answer').textContent()).toContain('no LLM');
    expect(await statusLine(page).getAttribute('data-events')).toBe(
      await statusLine(page).getAttribute('data-last-seq'),
    );
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    // The Run view with its timeline (the form alone is checked with the other views).
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'run-demo');
    await page.close();
  });

  it('reloaded mid-run, resumes the stream after the last event it had (Last-Event-ID), without gaps or repeats', async () => {
    const page = await signedIn('bea', 'user');
    const resumes: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (/\/tasks\/[0-9a-f-]{36}\/events$/.test(r.url()))
        resumes.push(r.headers()['last-event-id']);
    });
    const taskId = await run(page, 'ask the steady about NATS JetStream');
    // The agent is working (its first status update is on the page): the task is mid-run.
    await page.locator('.card-delegation .updates li').first().waitFor({ timeout: 60_000 });
    const had = Number(await statusLine(page).getAttribute('data-last-seq'));
    expect(had).toBeGreaterThan(0);
    expect(resumes).toEqual([undefined]);

    await page.reload();
    await page.locator('.card-answer').waitFor({ timeout: 90_000 });
    // After the reload the page asked only for what it lacked.
    expect(resumes).toHaveLength(2);
    expect(Number(resumes[1])).toBeGreaterThanOrEqual(had);
    expect(await statusLine(page).textContent()).toContain(`resumed after event ${resumes[1]}`);
    // Every event once, in order: as many as the task's last seq, and as many as the server holds.
    const events = Number(await statusLine(page).getAttribute('data-events'));
    expect(await statusLine(page).getAttribute('data-last-seq')).toBe(String(events));
    const stored = await fetch(`${gw}/tasks/${taskId}`, { headers: { 'x-user-id': 'bea' } });
    expect(((await stored.json()) as { lastEventSeq: number }).lastEventSeq).toBe(events);
    expect(await page.locator('.card-delegation').count()).toBe(1);
    await page.close();
  });

  it("renders an agent's Markdown answer without letting its markup into the page", async () => {
    const page = await signedIn('ann', 'user');
    await run(page, `have the writer draft a summary about ${PAYLOAD}`);
    await page.locator('.card-answer').waitFor({ timeout: 90_000 });
    for (const where of ['.card-answer', '.bubble-agent']) {
      const reply = page.locator(`${where} .reply .markdown`);
      // The writer's "# Summary: …" is a heading; the markup in it is shown as text.
      const heading = reply.locator('h3');
      expect(await heading.textContent()).toContain('<img src=x onerror=');
      expect(await heading.textContent()).toContain('<script>');
      expect(await reply.locator('img, script, iframe, [onerror]').count()).toBe(0);
      // A link opens elsewhere, without giving the target the console's window or address.
      const link = heading.getByRole('link', { name: 'the docs' });
      expect(await link.getAttribute('href')).toBe('https://example.com/docs');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    }
    expect(await page.locator('img, [onerror]').count()).toBe(0);
    expect(await page.evaluate('document.body.dataset.pwned')).toBeUndefined();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('cancels a running task from the page', async () => {
    const page = await signedIn('cyd', 'user');
    await run(page, 'ask the slow about NATS JetStream');
    await page.locator('.card-delegation .updates li').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel task' }).click();
    const cancelled = page.locator('.card-cancelled');
    await cancelled.waitFor({ timeout: 60_000 });
    expect(await cancelled.textContent()).toContain('cancelled from the console');
    expect(await statusLine(page).textContent()).toContain('cancelled');
    expect(await page.locator('.card-delegation').textContent()).not.toContain('unknown');
    await page.getByRole('button', { name: 'New task' }).waitFor();
    await page.close();
  });

  it('shows each delegation with its agent, the xmpp transport and its status updates', async () => {
    const page = await signedIn('dan', 'user');
    await run(page, DELEGATION_TASK);
    await page.locator('.card-answer').waitFor({ timeout: 90_000 });
    const delegations = page.locator('.card-delegation');
    expect(await delegations.count()).toBe(2);
    for (const [i, agent] of ['researcher', 'writer'].entries()) {
      const card = delegations.nth(i);
      expect(await card.locator('.card-title').textContent()).toBe(`Delegation to ${agent}`);
      expect(await card.locator('[data-transport]').getAttribute('data-transport')).toBe('xmpp');
      expect(await card.locator('.updates li').count()).toBeGreaterThan(0);
      // A2A's states in words.
      expect(await card.locator('p').first().textContent()).toContain('completed');
      expect(await card.textContent()).not.toMatch(/TASK_STATE_/);
      // The planned action names its agent once, not again in its description.
      const planned = page.locator('.card-planning .actions li').nth(i);
      expect((await planned.textContent())?.match(new RegExp(`delegate to ${agent}`, 'g'))).toEqual(
        [`delegate to ${agent}`],
      );
    }
    // Each agent's reply is a section of its own, labelled by the agent, its Markdown rendered: in the
    // answer card and in the conversation.
    for (const where of ['.card-answer', '.bubble-agent']) {
      const replies = page.locator(`${where} .reply`);
      expect(await replies.locator('.reply-agent').allTextContents()).toEqual([
        'researcher',
        'writer',
      ]);
      const research = replies.nth(0).locator('.markdown');
      expect(await research.locator('h4').textContent()).toBe('NATS JetStream');
      expect(await research.locator('li').count()).toBe(3);
      expect(await replies.nth(1).locator('.markdown h3').textContent()).toBe(
        'Summary: NATS JetStream',
      );
      expect(await page.locator(`${where} .replies`).textContent()).not.toMatch(/#|replied:/);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'run-delegation');
    await page.close();
  });

  it('shows every view to an admin without serious or critical accessibility violations', async () => {
    const page = await signedIn('root', 'admin');
    const views: [string, string, () => Promise<unknown>][] = [
      ['Run', 'Run a task', () => page.getByLabel('Task', { exact: true }).waitFor()],
      ['Tasks', 'Tasks (all users)', () => page.locator('tbody tr').first().waitFor()],
      ['Tools & agents', 'Tools & agents', () => page.locator('.agent').first().waitFor()],
      [
        'Agent versions',
        'Agents',
        () => page.locator('.agents-none, .agent-config').first().waitFor(),
      ],
      ['Datasets', 'Datasets', () => page.locator('.datasets-none, .datasets').first().waitFor()],
      [
        'Experiments',
        'Experiments',
        () => page.locator('.experiments-none, .experiments').first().waitFor(),
      ],
      ['Audit', 'Audit trail', () => page.locator('tbody tr').first().waitFor()],
      ['Live', 'Live traffic', () => page.getByText('Connected').waitFor()],
      ['Health', 'Health', () => page.locator('.service').nth(5).waitFor()],
    ];
    for (const [link, title, ready] of views) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await ready();
      expect({ view: link, violations: await seriousViolations(page) }).toEqual({
        view: link,
        violations: [],
      });
      await screenshot(page, link.toLowerCase().replace(/[^a-z]+/g, '-'));
    }
    // The Health view: all six services up, each with its figures.
    expect(await page.locator('.service[data-status="up"]').count()).toBe(6);
    expect(await page.locator('.service').first().textContent()).toContain('handled');
    const signInPage = await browser.newPage();
    await signInPage.goto(`${gw}/console/`);
    await signInPage.getByLabel('User id').waitFor();
    expect(await seriousViolations(signInPage)).toEqual([]);
    await screenshot(signInPage, 'sign-in');
    await signInPage.close();
    await page.close();
  });

  it('lists tasks with filters and replays a stored task as the same timeline', async () => {
    const page = await signedIn('eve', 'user');
    const taskId = await run(page, 'what is 6 * 7');
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    const row = page.locator('tbody tr', { hasText: 'what is 6 * 7' });
    await row.waitFor();
    expect(await row.textContent()).toContain('completed');
    expect(await page.locator('tbody tr').count()).toBe(1); // eve's own tasks only
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('0 tasks').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/tasks/${taskId}$`));
    await page.locator('.card-answer').waitFor();
    expect(await page.locator('.card-answer').textContent()).toContain('6 * 7 = 42');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'task-replay');
    await page.close();
  });

  it('Audit: filters by task and outcome, and verifies the chain with one button', async () => {
    const page = await signedIn('root', 'admin');
    const taskId = await run(page, 'what is 2 + 2');
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByLabel('Task id').fill(taskId);
    await page.getByLabel('Outcome').selectOption('success');
    await page.getByRole('button', { name: 'Apply' }).click();
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Apply' }).click();
        // The rows of this Apply, not the unfiltered page the view opened with.
        await page.locator('table.audit[aria-busy="false"]').waitFor();
        return (await page.locator('tbody tr', { hasText: 'task.submit' }).count()) > 0;
      },
      { what: "the task's audit rows", timeoutMs: 30_000, intervalMs: 500 },
    );
    const outcomes = await page.locator('tbody tr .badge').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(['success']));
    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await page.getByText('The chain is intact').waitFor({ timeout: 60_000 });
    await page.close();
  });

  it('Live: shows the traffic of a task as it runs, filtered by user; pauses; expands a message', async () => {
    const page = await signedIn('root', 'admin');
    await page.getByRole('link', { name: 'Live', exact: true }).click();
    await page.getByLabel('User').fill('fay');
    await page.getByLabel('Commands and health requests too').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    // The applied filter's own connection: until its effect runs, the status line still says the
    // first connection's "Connected", which watched no commands.
    await page.locator('.live-watching').getByText('sb.cmd.>').waitFor();
    await page.getByText('Connected').waitFor();
    const submit = () =>
      fetch(`${gw}/orchestrate`, {
        method: 'POST',
        headers: { 'x-user-id': 'fay', 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'what is 3 * 3' }),
      });
    expect((await submit()).status).toBe(200);
    const taskEvent = page.locator('.live-row[data-subject^="sb.evt.task."]').first();
    await taskEvent.waitFor({ timeout: 30_000 });
    await page.locator('.live-row[data-subject^="sb.cmd.tools.call."]').first().waitFor();
    // Only fay's messages.
    const users = await page
      .locator('.live-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    expect(new Set(users)).toEqual(new Set(['fay']));

    await page.getByRole('button', { name: 'Pause' }).click();
    const shown = await page.locator('.live-row').count();
    expect((await submit()).status).toBe(200);
    await page.getByText(/paused, [1-9]\d* waiting/).waitFor();
    expect(await page.locator('.live-row').count()).toBe(shown);
    await page.getByRole('button', { name: 'Resume' }).click();
    await waitFor(async () => (await page.locator('.live-row').count()) > shown, {
      what: 'the waiting messages shown',
    });
    // Expanded (by keyboard here): the message, then its payload.
    await taskEvent.locator('> summary').focus();
    await page.keyboard.press('Enter');
    const payload = taskEvent.locator('details.json');
    await payload.locator('> summary').focus();
    await page.keyboard.press('Enter');
    expect(await payload.locator('pre').textContent()).toContain('"taskId"');
    // The view with its messages, one expanded (checked empty with the other views).
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'live-traffic');
    await page.close();
  });

  it('Live with commands, on the platform NATS identities: says what it watches, shows the demo task as it runs, and the gateway stays ready', async () => {
    const page = await signedIn('root', 'admin');
    await page.getByRole('link', { name: 'Live', exact: true }).click();
    await page.getByLabel('User').fill('lou');
    await page.getByLabel('Commands and health requests too').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    const watching = page.locator('.live-watching');
    await watching.getByText('sb.cmd.>').waitFor();
    expect(await watching.textContent()).toContain('sb.evt.>');
    expect(await watching.textContent()).toContain('as the live identity');
    expect(await page.locator('.live-refused').count()).toBe(0);
    const answer = await fetch(`${gw}/orchestrate`, {
      method: 'POST',
      headers: { 'x-user-id': 'lou', 'content-type': 'application/json' },
      body: JSON.stringify({ task: DEMO_TASK }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { result: string }).result).toContain('391');
    // The task's audit records are relayed from the orchestrator's journal: the Live view shows them
    // as the audit service announces them once chained (sb.evt.audit.…).
    for (const prefix of ['sb.task.submit', 'sb.cmd.tools.call.', 'sb.evt.task.', 'sb.evt.audit.'])
      await page.locator(`.live-row[data-subject^="${prefix}"]`).first().waitFor();
    // Still connected, and watching commands left the gateway ready.
    expect(await page.locator('.live-status').textContent()).toContain('Connected');
    expect((await fetch(`${gw}/readiness`)).status).toBe(200);
    await page.close();
  });

  it('Live on a gateway without the live identity: says what NATS refuses it and why, instead of hanging', async () => {
    const page = await browser.newPage();
    await page.goto(`${jwtGateway.url}/console/`);
    await page.getByLabel('Access token (JWT)').fill(await adminToken());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Live', exact: true }).click();
    const refused = page.locator('.live-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(
      /Not visible: sb\.\S+ — NATS refused it \(.*permissions violation.*\)/i,
    );
    expect(await refused.textContent()).toContain('give the gateway the live identity');
    expect(await refused.textContent()).toContain('docs/operations.md#nats-identities');
    expect(await page.locator('.live-status').textContent()).not.toMatch(/Connecting|ended/);
    expect(await page.getByText('The live stream ended').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'live-refused');
    await page.close();
  });

  it('Health during a NATS outage of the gateway: says NATS is unreachable from it, and the gateway serving the page is not marked down', async () => {
    const proxy = await startTcpProxy({ port: env.stack.nats.port });
    const cut = await startService(
      'gateway',
      { ...env.stack.envOf('gateway'), NATS_SERVERS: `nats://127.0.0.1:${proxy.port}` },
      { logDir: env.stack.logDir },
    );
    try {
      const page = await signedIn('root', 'admin', cut.url);
      await page.getByRole('link', { name: 'Health', exact: true }).click();
      const up = page.locator('.service[data-status="up"]');
      await waitFor(async () => (await up.count()) === 6, { what: 'six services up' });
      await proxy.refuse();
      const outage = page.locator('.nats-outage');
      await outage.waitFor({ timeout: 30_000 });
      expect(await outage.textContent()).toContain('NATS unreachable from the gateway');
      const gateway = page.locator('.service[data-service="gateway"]');
      expect(await gateway.getAttribute('data-status')).toBe('serving');
      expect(await gateway.textContent()).toContain('serving this page');
      // The others' state is unknown from here, not "down".
      expect(await page.locator('.service[data-status="down"], .badge-unreachable').count()).toBe(
        0,
      );
      expect(await page.locator('.service[data-status="unknown"]').count()).toBe(5);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'health-nats-outage');
      await proxy.accept();
      await waitFor(async () => (await up.count()) === 6, {
        what: 'six services up again',
        timeoutMs: 30_000,
      });
      expect(await outage.count()).toBe(0);
      await page.close();
    } finally {
      if (!proxy.accepting) await proxy.accept();
      await cut.stop();
      await proxy.stop();
    }
  });

  it('refuses the Audit and Live views, and their endpoints, to a user', async () => {
    const page = await signedIn('gus', 'user');
    const nav = page.getByRole('navigation', { name: 'Views' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Run',
      'Tasks',
      'Approvals',
      'Schedules',
      'Agent versions',
      'Datasets',
      'Experiments',
      'Webhooks',
      'Memory',
      'Tools & agents',
      'MCP',
      'Usage',
      'Health',
    ]);
    for (const view of ['audit', 'live']) {
      await page.goto(`${gw}/console/#/${view}`);
      await page.getByText('This view is for admins only').waitFor();
    }
    const statuses = await page.evaluate(async () => {
      const headers = { 'x-user-id': 'gus', 'x-user-role': 'user' };
      const codes: number[] = [];
      for (const path of ['../audit', '../audit/verify', '../live'])
        codes.push((await fetch(path, { headers })).status);
      return codes;
    });
    expect(statuses).toEqual([403, 403, 403]);
    await page.close();
  });

  it('Tools & agents: the manifest per provider with roles, the agents over XMPP with their peers online', async () => {
    const page = await signedIn('hal', 'user');
    await page.getByRole('link', { name: 'Tools & agents', exact: true }).click();
    await page.getByRole('heading', { name: 'math' }).waitFor();
    expect(await page.getByRole('region', { name: 'Provider notes' }).textContent()).toContain(
      'notes.add',
    );
    // admin.debug is for admins: not in a user's manifest.
    expect(await page.getByText('admin.debug').count()).toBe(0);
    const calculator = page.locator('.tool[data-tool="calculator"]');
    expect(await calculator.textContent()).toContain('any role');
    // The input schema, folded, pretty-printed when opened.
    const inputSchema = calculator.locator('details.json', { hasText: 'Input schema' });
    await inputSchema.locator('> summary').click();
    expect(await inputSchema.locator('pre').textContent()).toContain(
      '{\n  "type": "object",\n  "properties": {\n    "expression": {',
    );
    // Try: a form from the input schema, called through the platform's MCP endpoint.
    await calculator.getByText('Try calculator').click();
    const call = calculator.getByRole('button', { name: 'Call calculator' });
    await call.click();
    await calculator.getByText('expression: required').waitFor();
    await calculator.getByLabel('expression').fill('17 * 23');
    await call.click();
    const outcome = calculator.locator('.try-outcome');
    await outcome.locator('[data-outcome="result"]').waitFor();
    expect(await outcome.textContent()).toContain('391');
    await calculator.getByLabel('expression').fill('2 +');
    await call.click();
    await outcome.locator('[data-outcome="error"]').waitFor();
    expect(await outcome.textContent()).toContain('VALIDATION');
    // partner.time needs a grant hal does not have: not offered, and no button to grant it here.
    expect(await page.locator('.tool[data-tool="partner.time"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Grant|Authorize/ }).count()).toBe(0);
    const researcher = page.locator('.agent[data-agent="researcher"]');
    await researcher.waitFor();
    expect(await researcher.locator('[data-transport]').getAttribute('data-transport')).toBe(
      'xmpp',
    );
    await researcher.getByText(/XMPP peer researcher@/).waitFor();
    expect(await researcher.textContent()).toContain('online');
    await page.close();
  });

  it('Tools & agents for an admin: admin-only tools, and grants only where a provider needs them', async () => {
    const page = await signedIn('root', 'admin');
    await page.getByRole('link', { name: 'Tools & agents', exact: true }).click();
    const debug = page.locator('.tool[data-tool="admin.debug"]');
    await debug.waitFor();
    expect(await debug.textContent()).toContain('admin-only');
    expect(await debug.textContent()).not.toContain('any role');
    const table = page.getByRole('table', { name: /Providers for/ });
    const row = (provider: string) => table.locator('tr', { hasText: provider });
    await row('partner').waitFor();
    expect(await row('math').getByRole('button').count()).toBe(0);
    // Granting a provider to a user, not the admin role to anyone.
    await page.getByLabel('User', { exact: true }).fill('kim');
    await page.getByRole('button', { name: 'Show' }).click();
    await row('partner').getByRole('button', { name: 'Authorize partner for kim' }).click();
    await row('partner').getByRole('button', { name: 'Revoke partner for kim' }).waitFor();
    expect(await row('partner').textContent()).toContain('by root');
    expect(await page.getByRole('button', { name: /Authorize|Grant|Revoke/ }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'tools-admin');
    await page.close();
  });

  // ---- evaluations (docs/evaluations.md): seeded over HTTP, each page driven in the browser
  const api = async <T>(
    user: string,
    role: string,
    method: string,
    path: string,
    body?: unknown,
  ) => {
    const res = await fetch(`${gw}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': role },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const answer = (await res.json()) as T;
    expect({ path, status: res.status, ok: res.ok }).toEqual({
      path,
      status: res.status,
      ok: true,
    });
    return answer;
  };
  const v1 = { instructions: 'Answer briefly.', model: { name: 'builtin' } };
  let seeded: Promise<string[]> | undefined;
  /**
   * The agent `support` (v1: every tool, `production`; v2: the calculator only) and two demo tasks
   * of una's on its production: once, for the tests that need them.
   */
  const supportTasks = () =>
    (seeded ??= (async () => {
      await api('root', 'admin', 'POST', '/agent-configs', { name: 'support', config: v1 });
      await api('root', 'admin', 'POST', '/agent-configs/support/versions', {
        config: { ...v1, instructions: 'Only calculate.', tools: ['calculator'] },
      });
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const done = await api<{ task_id: string; status: string }>(
          'una',
          'user',
          'POST',
          '/orchestrate',
          {
            task: DEMO_TASK,
            agent: { name: 'support' },
          },
        );
        expect(done.status).toBe('completed');
        ids.push(done.task_id);
      }
      return ids;
    })());

  it('Agent versions: moves a label, splits production with a canary and ends the split', async () => {
    await supportTasks();
    const page = await signedIn('root', 'admin');
    await page.getByRole('link', { name: 'Agent versions', exact: true }).click();
    const agent = page.locator('.agent-config[data-agent="support"]');
    await agent.getByRole('button', { name: 'support' }).click();
    const controls = agent.locator('.label-controls');
    const labels = agent.locator('.agent-labels');
    await controls.getByLabel('Label').fill('staging');
    await controls.getByLabel('Version').selectOption('2');
    await controls.getByRole('button', { name: 'Move label' }).click();
    await labels.locator('[data-label="staging"]', { hasText: 'staging → v2' }).waitFor();
    await controls.getByLabel('Label').fill('production');
    await controls.getByLabel('Canary weight (%)').fill('10');
    await controls.getByRole('button', { name: 'Set canary' }).click();
    const production = labels.locator('[data-label="production"]');
    await production.getByText('production → v1 90% · v2 10%', { exact: false }).waitFor();
    // The versions table says which version the canary sends its share to.
    expect(await page.locator('.agent-versions tr[data-version="2"]').textContent()).toContain(
      'production (canary 10%)',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'agent-canary');
    await controls.getByRole('button', { name: 'Clear canary' }).click();
    await waitFor(async () => (await production.textContent()) === 'production → v1', {
      what: 'the canary cleared',
    });
    // A move to the version the label has is refused on the page, before any request.
    await controls.getByLabel('Version').selectOption('1');
    await controls.getByRole('button', { name: 'Set canary' }).click();
    await controls.getByText('the label already points at v1').waitFor();
    await page.close();
  });

  it('Datasets: made with a rule or by hand, tasks added from the list and from their page, items with their tasks', async () => {
    const [first, second] = await supportTasks();
    const page = await signedIn('una', 'user');
    await page.getByRole('link', { name: 'Datasets', exact: true }).click();
    const form = page.getByRole('form', { name: 'New dataset' });
    await form.getByLabel('Name').fill('picked');
    await form.getByRole('button', { name: 'Create dataset' }).click();
    await page.locator('tr[data-dataset="picked"]').waitFor();
    await form.getByLabel('Name').fill('support-prod');
    await form.getByLabel('Add matching tasks as they end').check();
    await form.getByLabel('Called the tool').fill('calculator');
    await form.getByLabel('Ended').selectOption('completed');
    await form.getByLabel('Label').fill('production');
    await form.getByRole('button', { name: 'Create dataset' }).click();
    const ruled = page.locator('tr[data-dataset="support-prod"]');
    await ruled.waitFor();
    expect(await ruled.textContent()).toContain(
      'adds 100% of the tasks that called calculator, ended completed, on label production as they end',
    );
    // From the task list: tick the first task.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.locator(`a[href="#/tasks/${first}"]`).waitFor();
    const rowOf = (id: string) =>
      page.locator('tbody tr', { has: page.locator(`a[href="#/tasks/${id}"]`) });
    await rowOf(first!).getByRole('checkbox').check();
    await page.locator('.add-to-dataset').getByLabel('Dataset').selectOption('picked');
    await page.getByRole('button', { name: 'Add to dataset' }).click();
    await page.getByText('Added to picked (version 1, 1 items).').waitFor();
    // From the second task's page.
    await page.goto(`${gw}/console/#/tasks/${second}`);
    await page.locator('.add-to-dataset').getByLabel('Dataset').selectOption('picked');
    await page.getByRole('button', { name: 'Add to dataset' }).click();
    await page.getByText('Added to picked (version 2, 2 items).').waitFor();
    // A task ending after the rule is collected by it.
    const later = await api<{ task_id: string }>('una', 'user', 'POST', '/orchestrate', {
      task: DEMO_TASK,
      agent: { name: 'support' },
    });
    await waitFor(
      async () =>
        (await api<{ items: unknown[] }>('una', 'user', 'GET', '/datasets/support-prod')).items
          .length > 0,
      { what: 'the rule collecting the task' },
    );
    await page.goto(`${gw}/console/#/datasets/picked`);
    const items = page.locator('.dataset-items');
    await items.locator(`tr[data-task="${second}"]`).waitFor();
    expect(await items.locator('.dataset-facts').textContent()).toContain('Version 2 · 2 items');
    for (const id of [first, second]) {
      const item = items.locator(`tr[data-task="${id}"]`);
      expect(await item.getByRole('link').textContent()).toBe(DEMO_TASK);
      expect(await item.textContent()).toContain('completed');
      expect(await item.textContent()).toContain('by hand');
    }
    await page.getByRole('link', { name: 'support-prod' }).click();
    const collected = items.locator(`tr[data-task="${later.task_id}"]`);
    await collected.waitFor();
    expect(await collected.textContent()).toContain('by its rule');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'datasets');
    await page.close();
  });

  it('Experiments: starts v2 against production and shows it side by side; its code scores are on the run', async () => {
    const tasks = await supportTasks();
    await api('root', 'admin', 'POST', '/datasets', { name: 'exp-support' });
    await api('root', 'admin', 'POST', '/datasets/exp-support/items', {
      items: tasks.map((taskId) => ({ taskId })),
    });
    const page = await signedIn('root', 'admin');
    await page.getByRole('link', { name: 'Experiments', exact: true }).click();
    const form = page.getByRole('form', { name: 'New experiment' });
    await form.getByLabel('Dataset').selectOption('exp-support');
    await form.getByLabel('Agent').selectOption('support');
    await form.getByRole('combobox', { name: /^Version/ }).selectOption('2');
    expect(await form.getByLabel(/^Baseline/).inputValue()).toBe('production');
    await form.getByLabel('Tool trajectory').selectOption('strict');
    await form.getByRole('button', { name: 'Start experiment' }).click();
    await page.waitForURL(/#\/experiments\/[0-9a-f-]{36}$/);
    const experiment = page.locator('.experiment[data-status="completed"]');
    await experiment.waitFor({ timeout: 60_000 });
    expect(await experiment.locator('h2').textContent()).toBe(
      'support v2 vs v1 on exp-support (v1)',
    );
    expect(await experiment.locator('.experiment-verdict').textContent()).toBe(
      '0 better, 2 worse, 0 same, 0 diverged — does not pass',
    );
    const measure = (m: string) =>
      experiment.locator(`tr[data-measure="${m}"] td`).allTextContents();
    expect(await measure('Mean trajectory.strict')).toEqual(['0', '1']);
    expect(await measure('Items')).toEqual(['2', '2']);
    expect(await measure('Diverged')).toEqual(['0', '0']);
    expect((await measure('Cost')).length).toBe(2);
    for (const taskId of tasks) {
      const item = experiment.locator(`.experiment-items tr[data-task="${taskId}"]`);
      expect(await item.getAttribute('data-comparison')).toBe('worse');
      expect(await item.locator('td').nth(1).textContent()).toBe('0 / 1');
    }
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'experiment');
    // The candidate's run carries its code score, with the scorer's version.
    await experiment
      .locator('.experiment-items tbody tr')
      .first()
      .getByRole('link', { name: 'run', exact: true })
      .click();
    const score = page.locator('.task-scores tr[data-name="trajectory.strict"]');
    await score.waitFor();
    const cells = await score.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['trajectory.strict', '0', 'code']);
    expect(cells[3]).not.toBe('');
    await page.close();
  });

  it("Scores on a task's page: none at first, then a person's score with its source", async () => {
    const [taskId] = await supportTasks();
    const page = await signedIn('una', 'user');
    await page.goto(`${gw}/console/#/tasks/${taskId}`);
    const scores = page.locator('.task-scores');
    await scores.getByText('No scores yet.').waitFor();
    await scores.getByRole('button', { name: 'Add score' }).click();
    await scores.getByText('Name: give the score a name').waitFor();
    await scores.getByLabel('Score name').fill('helpful');
    await scores.getByLabel('Value').fill('0.8');
    await scores.getByLabel('Reason').fill('clear and short');
    await scores.getByRole('button', { name: 'Add score' }).click();
    const row = scores.locator('tr[data-name="helpful"]');
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['helpful', '0.8', 'human']);
    expect(cells[4]).toBe('clear and short');
    expect(cells[5]).toContain('by una');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'task-scores');
    // Another user of the tenant may not read una's task, nor score it.
    const other = await fetch(`${gw}/tasks/${taskId}/scores`, { headers: { 'x-user-id': 'vic' } });
    expect(other.status).toBe(404);
    await page.close();
  });

  it('is usable by keyboard: sign in, move between views and run a task without a mouse', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').waitFor();
    await page.keyboard.press('Tab'); // the user id field
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('ivy');
    await page.keyboard.press('Tab'); // role
    await page.keyboard.press('Tab'); // sign in
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    // Tab order: skip link, then the views.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Tasks');
    await page.keyboard.press('Enter');
    // The new view's heading takes the focus.
    await waitFor(async () => ((await focused(page)) === 'My tasks' ? true : undefined));
    // Back to Run through the navigation, then into the task field and run it with Ctrl+Enter.
    await page.getByRole('link', { name: 'Run', exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitFor(async () => ((await focused(page)) === 'Run a task' ? true : undefined));
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('task');
    await page.keyboard.type('what is 5 * 5');
    await page.keyboard.press('Control+Enter');
    await page.locator('.card-answer').waitFor({ timeout: 60_000 });
    expect(await page.locator('.bubble-agent').textContent()).toContain('25');
    await page.close();
  });

  it('signs in with a pasted JWT where the gateway takes tokens, and refuses a bad one', async () => {
    const token = await adminToken();
    const page = await browser.newPage();
    await page.goto(`${jwtGateway.url}/console/`);
    await page.getByLabel('Access token (JWT)').fill('not.a.token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('UNAUTHORIZED');
    // The token sign-in, with its refusal on screen.
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in-jwt');
    await page.getByLabel('Access token (JWT)').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('jo (admin)');
    // An admin by the token's role claim: the admins' views are offered.
    await page.getByRole('link', { name: 'Audit', exact: true }).waitFor();
    await page.close();
  });
});
