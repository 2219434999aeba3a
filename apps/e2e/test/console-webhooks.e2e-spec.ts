import type { Webhooks } from '@switchboard/contracts';
import {
  DEMO_TASK,
  type Stack,
  startStack,
  startWebhookReceiver,
  waitFor,
  type WebhookReceiver,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import {
  ARTIFACTS,
  type Browser,
  launchBrowser,
  screenshot,
  seriousViolations,
} from './support/browser.js';

// Webhooks in the web console, in a real browser (Debian's Chromium through playwright-core) against
// real service processes (docs/webhooks.md, docs/console.md): a user subscribes a real receiver with
// the form and gets its secret once, a failing receiver's delivery lands in the dead letters, an admin
// redelivers it from the page, and the subscription is deleted. Screenshots go to
// test-artifacts/console/.
describe('webhooks in the web console, in Chromium (real stack)', () => {
  let stack: Stack;
  let browser: Browser;
  let receiver: WebhookReceiver;
  let gw: string;

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      env: {
        orchestrator: {
          WEBHOOK_HTTPS_ONLY: 'false',
          WEBHOOK_ALLOWED_TARGETS: '127.0.0.1',
          WEBHOOK_RETRY_INITIAL_MS: '200',
          WEBHOOK_RETRY_MAX_DELAY_MS: '500',
          // Short, so the failing receiver's delivery is dead within seconds.
          WEBHOOK_RETRY_FOR_MS: '1500',
          WEBHOOK_SWEEP_MS: '200',
        },
      },
    });
    gw = stack.gatewayUrl;
    receiver = await startWebhookReceiver();
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    console.log(`console screenshots: ${ARTIFACTS}`);
    expect(refused).toEqual([]);
  });

  afterEach(() => {
    // No script error and nothing the page's Content-Security-Policy had to refuse.
    expect(browser.problems).toEqual([]);
  });

  const call = (method: string, path: string, userId: string, body?: unknown, role = 'user') =>
    fetch(`${gw}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'x-user-id': userId,
        'x-user-role': role,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function signedIn(userId: string, role: 'user' | 'admin' = 'user'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${gw}/console/`);
    await page.getByLabel('User id').fill(userId);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    return page;
  }

  const hooksOf = async (userId: string) =>
    (
      (await (await call('GET', '/webhooks', userId)).json()) as {
        webhooks: Webhooks.WebhookView[];
      }
    ).webhooks;

  it('subscribes a URL with the form, shows its secret once; a failing delivery is a dead letter the user sees', async () => {
    const wes = `wes-${randomUUID().slice(0, 8)}`;
    receiver.answer(500);
    const page = await signedIn(wes);
    expect(await page.locator('.webhooks-none').textContent()).toBe('No subscriptions.');
    // What needs no server is said on the page.
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Give the URL to call.');
    // A target the URL policy refuses: the gateway's reason, on the page.
    await page.getByLabel('URL').fill('http://169.254.169.254/latest');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('.webhook-form [role=alert]', { hasText: 'cloud metadata' }).waitFor();

    await page.getByLabel('URL').fill(`${receiver.url}/wes`);
    await page.getByLabel('Description').fill('ops bot');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const secret = (await page.locator('.webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    const [hook] = await hooksOf(wes);
    expect(hook).toMatchObject({
      url: `${receiver.url}/wes`,
      events: ['ended'],
      description: 'ops bot',
    });
    const row = page.locator(`.webhook[data-webhook="${hook!.webhookId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Task ended');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'webhooks-subscribed');

    // The task ends; its delivery fails (500) until its retry window is over: a dead letter.
    const res = await call('POST', '/orchestrate', wes, { task: DEMO_TASK });
    const { task_id: taskId } = (await res.json()) as { task_id: string };
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await page.locator('.delivery-dead').count()) === 1;
      },
      { what: 'the dead letter on the page', timeoutMs: 30_000, intervalMs: 500 },
    );
    const dead = page.locator('.delivery-dead');
    expect(await dead.textContent()).toContain(`Task ${taskId.slice(0, 8)}`);
    expect(await dead.locator('.delivery-state').textContent()).toMatch(
      /^Gave up after \d+ attempts: HTTP 500: receiver answers 500$/,
    );
    // Every failed attempt was signed with the secret the page showed.
    const verified = new Webhook(secret).verify(receiver.received[0]!.body, {
      'webhook-id': String(receiver.received[0]!.headers['webhook-id']),
      'webhook-timestamp': String(receiver.received[0]!.headers['webhook-timestamp']),
      'webhook-signature': String(receiver.received[0]!.headers['webhook-signature']),
    }) as Webhooks.WebhookPayload;
    expect(verified.data.taskId).toBe(taskId);
    await screenshot(page, 'webhooks-dead-letter');
    await page.close();
  });

  it("lets an admin redeliver the tenant's dead letter from the page, and delete the subscription", async () => {
    const vic = `vic-${randomUUID().slice(0, 8)}`;
    receiver.answer(500);
    const sub = (await (
      await call('POST', '/webhooks', vic, { url: `${receiver.url}/vic` })
    ).json()) as Webhooks.WebhookCreated;
    const res = await call('POST', '/orchestrate', vic, { task: DEMO_TASK });
    const { task_id: taskId } = (await res.json()) as { task_id: string };
    const [dead] = await waitFor(
      async () => {
        const r = await call('GET', `/webhooks/deliveries?status=dead&task_id=${taskId}`, vic);
        const ds = ((await r.json()) as { deliveries: Webhooks.WebhookDeliveryView[] }).deliveries;
        return ds.length === 1 && ds;
      },
      { what: "vic's dead letter", timeoutMs: 30_000 },
    );
    receiver.answer(204);
    const before = receiver.received.length;

    const page = await signedIn('root', 'admin');
    const item = page.locator(`.delivery[data-delivery="${dead!.deliveryId}"]`);
    await item.waitFor();
    expect(await item.textContent()).toContain(`${vic}'s`);
    expect(await seriousViolations(page)).toEqual([]);
    await item.getByRole('button', { name: 'Redeliver' }).click();
    expect(await page.locator('.redelivered').textContent()).toContain(
      `Sent again: orchestrator.task.completed of task ${taskId.slice(0, 8)}`,
    );
    await waitFor(() => receiver.received.length > before, { what: 'the redelivery' });
    const got = receiver.received.slice(before);
    expect(got.map((r) => r.headers['webhook-id'])).toEqual([dead!.messageId]);
    new Webhook(sub.secret).verify(got[0]!.body, {
      'webhook-id': String(got[0]!.headers['webhook-id']),
      'webhook-timestamp': String(got[0]!.headers['webhook-timestamp']),
      'webhook-signature': String(got[0]!.headers['webhook-signature']),
    });
    // Delivered: it leaves the dead letters.
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await item.count()) === 0;
      },
      { what: 'the dead letter to leave the list', intervalMs: 300 },
    );
    await page.getByLabel('Show').selectOption('delivered');
    await page.locator(`.delivery-delivered[data-delivery="${dead!.deliveryId}"]`).waitFor();
    await screenshot(page, 'webhooks-redelivered');

    // The admin sees vic's subscription and deletes it.
    const row = page.locator(`.webhook[data-webhook="${sub.webhookId}"]`);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await hooksOf(vic)).map((w) => w.webhookId)).not.toContain(sub.webhookId);
    await page.close();
  });
});
