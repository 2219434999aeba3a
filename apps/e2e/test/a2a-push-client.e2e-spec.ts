import type { Tasks } from '@switchboard/contracts';
import {
  freePort,
  type ScriptedA2aAgent,
  type Stack,
  startScriptedA2aAgent,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The platform's A2A client uses a remote agent's push notifications when its card offers them
 * (docs/a2a.md, "Push notifications from remote agents"), on real processes (NATS with per-service
 * identities, gateway, orchestrator, a2a) and real A2A 1.0 agents (@a2a-js/sdk servers): a long
 * delegation registers a push config on the gateway's public callback and holds no stream; the
 * agent's notification — token checked by the a2a replica running the delegation — wakes it, and
 * GetTask reads the result. Forged notifications change nothing; an agent without push is streamed
 * from as before; a cancel reaches a push-mode agent's task.
 */
describe("the A2A client follows a remote agent's push notifications (real processes and agents)", () => {
  let stack: Stack;
  let watcher: ScriptedA2aAgent;
  let keeper: ScriptedA2aAgent;
  let streamer: ScriptedA2aAgent;
  let gateway: string;

  beforeAll(async () => {
    // Long work, offering push (and streaming, which push replaces).
    watcher = await startScriptedA2aAgent({
      name: 'watcher',
      behaviour: 'hold',
      streaming: true,
      push: true,
    });
    keeper = await startScriptedA2aAgent({ name: 'keeper', behaviour: 'hold', push: true });
    streamer = await startScriptedA2aAgent({
      name: 'streamer',
      behaviour: 'answer',
      streaming: true,
    });
    const port = await freePort();
    gateway = `http://127.0.0.1:${port}`;
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      env: {
        gateway: { PORT: String(port) },
        a2a: {
          A2A_AGENTS: JSON.stringify([
            { name: 'watcher', url: watcher.url },
            { name: 'keeper', url: keeper.url },
            { name: 'streamer', url: streamer.url },
          ]),
          A2A_PUSH_CALLBACK_URL: gateway,
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await Promise.allSettled([watcher?.close(), keeper?.close(), streamer?.close()]);
    // The gateway asking the a2a replica, and a2a answering on the delegation's subject, are allowed.
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, user: string, body?: unknown) =>
    fetch(`${gateway}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-user-role': 'user' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function submit(task: string, user: string): Promise<string> {
    const res = await call('POST', '/orchestrate?async=true', user, { task });
    expect(res.status).toBe(202);
    return ((await res.json()) as { task_id: string }).task_id;
  }

  const ended = (taskId: string, user: string) =>
    waitFor(
      async () => {
        const t = (await (await call('GET', `/tasks/${taskId}`, user)).json()) as Tasks.TaskView;
        return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
      },
      { timeoutMs: 60_000, what: `task ${taskId} to end` },
    );

  const notify = (url: string, token: string | undefined, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/a2a+json',
        ...(token !== undefined ? { 'x-a2a-notification-token': token } : {}),
      },
      body: JSON.stringify(body),
    });

  it('registers a push config instead of a stream, refuses forged notifications, and finishes on the notification', async () => {
    const ann = `ann-${randomUUID()}`;
    const taskId = await submit('ask the watcher about the logs of March', ann);
    // The agent works (held); it has told the platform so through the callback.
    const working = await waitFor(
      () => watcher.traffic.notifications.find((n) => n.state === 'TASK_STATE_WORKING'),
      { what: 'the WORKING notification' },
    );
    expect(working.status).toBe(200);
    expect(watcher.traffic.pushConfigs).toHaveLength(1);
    const [config] = watcher.traffic.pushConfigs;
    expect(config!.url).toMatch(new RegExp(`^${gateway}/a2a/notifications/[0-9a-f-]{36}$`));
    expect(config!.token.length).toBeGreaterThanOrEqual(40);
    // Nothing is held open while the agent works, and it was never asked for a stream.
    expect(watcher.traffic.openStreams).toBe(0);
    expect(watcher.traffic.methods).not.toContain('SendStreamingMessage');
    expect(watcher.traffic.methods[0]).toBe('SendMessage');

    // Forged notifications: no token, a wrong one, an unknown or malformed delegation id.
    const statusUpdate = { statusUpdate: { taskId: 'someone-else', contextId: 'c' } };
    expect((await notify(config!.url, undefined, statusUpdate)).status).toBe(401);
    expect((await notify(config!.url, 'x'.repeat(43), statusUpdate)).status).toBe(401);
    // The right token about another task than the delegation's.
    expect((await notify(config!.url, config!.token, statusUpdate)).status).toBe(403);
    const unknown = `${gateway}/a2a/notifications/${randomUUID()}`;
    expect((await notify(unknown, config!.token, statusUpdate)).status).toBe(404);
    const malformed = await notify(`${gateway}/a2a/notifications/nope`, config!.token, {});
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('delegation id');
    // The refused ones are audited (never with the token); the unknown delegation is not counted.
    const refusals = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ details: { code: string } }>(
          `SELECT details FROM "AuditEntry" WHERE action = 'a2a.notification.refused' AND resource = $1`,
          [`POST ${new URL(config!.url).pathname}`],
        );
        return rows.length >= 3 ? rows : undefined;
      },
      { what: 'the audit records of the refused notifications' },
    );
    expect(refusals.map((r) => r.details.code).sort()).toEqual([
      'FORBIDDEN',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
    ]);
    expect(JSON.stringify(refusals)).not.toContain(config!.token);
    expect(
      (await call('GET', `/tasks/${taskId}`, ann).then((r) => r.json())) as Tasks.TaskView,
    ).toMatchObject({ status: 'running' });

    watcher.release();
    const done = await ended(taskId, ann);
    expect(done.status).toBe('completed');
    expect(done.result).toContain('done: the logs of March');
    // No stream was open when any notification was sent. Those sent while the delegation ran were
    // accepted; one that comes after it ended (the agent's last events) finds nobody waiting (404).
    const sent = await waitFor(
      () => {
        const all = watcher.traffic.notifications;
        return all.at(-1)?.state === 'TASK_STATE_COMPLETED' ? all : undefined;
      },
      { what: 'the COMPLETED notification' },
    );
    expect(sent.every((n) => n.openStreams === 0)).toBe(true);
    // Each other answer named with its state, so a failure says which notification got what.
    expect(
      sent.filter((n) => n.status !== 200 && n.status !== 404).map((n) => [n.state, n.status]),
    ).toEqual([]);
    expect(sent.filter((n) => n.status === 200).length).toBeGreaterThanOrEqual(2);
    // The platform read the result with GetTask, after a notification.
    expect(watcher.traffic.methods.at(-1)).toBe('GetTask');
    // Each read followed an accepted notification (the forged ones woke nothing, and the safety
    // poll, 60 s, never came into play).
    const gets = watcher.traffic.methods.filter((m) => m === 'GetTask').length;
    expect(gets).toBeGreaterThanOrEqual(1);
    expect(gets).toBeLessThanOrEqual(sent.filter((n) => n.status === 200).length);
    expect(watcher.traffic.methods).not.toContain('SendStreamingMessage');
    expect(watcher.tasksCreated()).toBe(1);
    // The token is a secret between the agent and the a2a replica: no service logged it.
    for (const file of readdirSync(stack.logDir))
      expect(readFileSync(join(stack.logDir, file), 'utf8')).not.toContain(config!.token);
  });

  it('streams from an agent whose card offers no push, registering nothing', async () => {
    const bo = `bo-${randomUUID()}`;
    const done = await ended(await submit('ask the streamer about the weather', bo), bo);
    expect(done.status).toBe('completed');
    expect(done.result).toContain('done: the weather');
    expect(streamer.traffic.methods).toContain('SendStreamingMessage');
    expect(streamer.traffic.pushConfigs).toEqual([]);
  });

  it("cancels a push-mode delegation down to the agent's task", async () => {
    const cy = `cy-${randomUUID()}`;
    const taskId = await submit('ask the keeper about the archive', cy);
    await waitFor(
      () => keeper.traffic.notifications.find((n) => n.state === 'TASK_STATE_WORKING'),
      { what: "the keeper's WORKING notification" },
    );
    const cancel = await call('POST', `/tasks/${taskId}/cancel`, cy, { reason: 'not needed' });
    expect(cancel.status).toBe(202);
    const done = await ended(taskId, cy);
    expect(done.status).toBe('cancelled');
    await waitFor(() => (keeper.cancelled.length === 1 ? true : undefined), {
      what: 'CancelTask at the keeper',
    });
    expect(keeper.traffic.methods).toContain('CancelTask');
    expect(keeper.traffic.methods).not.toContain('SendStreamingMessage');
  });
});
