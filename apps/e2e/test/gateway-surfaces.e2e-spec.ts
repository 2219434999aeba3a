import { HttpAgent } from '@ag-ui/client';
import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  readSse,
  repoRoot,
  type ServiceHandle,
  type SseEvent,
  type Stack,
  startService,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { SignJWT } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockNotes, readUntil } from './support/held-steps.js';

const SECRET = randomBytes(32).toString('hex');
const ISSUER = 'https://switchboard.test/auth/v1';

function token(sub: string, role = 'user'): Promise<string> {
  return new SignJWT({ role, email: `${sub}@example.com` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

const view = (e: SseEvent) => ({ id: e.id, event: e.event, data: JSON.parse(e.data) as unknown });

describe('gateway HTTP surfaces end to end (JWT auth, real processes)', () => {
  let stack: Stack;
  let second: ServiceHandle;
  let writer: ServiceHandle;
  let user: string;
  let userToken: string;
  let adminToken: string;

  beforeAll(async () => {
    // One sample A2A agent, reached directly over HTTP, so GET /agents has something to list.
    writer = await startService(
      'agent-writer',
      { NODE_OPTIONS: '--import tsx', AGENT_KIND: 'writer' },
      { entry: join(repoRoot, 'examples/a2a-agents/src/main.ts') },
    );
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator', 'a2a', 'gateway'],
      env: {
        a2a: { A2A_AGENTS: `writer=${writer.url}` },
        gateway: {
          AUTH_MODE: 'jwt',
          JWT_SECRET: SECRET,
          JWT_ISSUER: ISSUER,
          JWT_AUDIENCE: 'authenticated',
          SSE_HEARTBEAT_MS: '1000',
        },
      },
    });
    second = await startService('gateway', stack.envOf('gateway'), { logDir: stack.logDir });
    user = `e2e-${randomUUID().slice(0, 8)}`;
    userToken = await token(user);
    adminToken = await token(`admin-${randomUUID().slice(0, 8)}`, 'admin');
  });

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    await writer?.stop();
  });

  const gw = () => stack.gatewayUrl;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  const post = (
    base: string,
    path: string,
    body: unknown,
    t = userToken,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(t), ...headers },
      body: JSON.stringify(body),
    });

  it('serves an AG-UI 1.0 run to the official HttpAgent, which gets the answer in newMessages', async () => {
    const agent = new HttpAgent({
      url: `${gw()}/ag-ui`,
      headers: auth(userToken),
      initialMessages: [{ id: randomUUID(), role: 'user', content: 'what is 17 * 23' }],
    });
    const types: string[] = [];
    const { newMessages } = await agent.runAgent(
      {},
      { onEvent: ({ event }) => void types.push(event.type) },
    );
    expect(types[0]).toBe('RUN_STARTED');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(types).toEqual(
      expect.arrayContaining([
        'TOOL_CALL_START',
        'TOOL_CALL_ARGS',
        'TOOL_CALL_END',
        'TOOL_CALL_RESULT',
        'TEXT_MESSAGE_CONTENT',
      ]),
    );
    const call = newMessages.find((m) => m.role === 'assistant' && m.toolCalls?.length);
    expect(call).toMatchObject({
      toolCalls: [{ type: 'function', function: { name: 'calculator' } }],
    });
    expect(newMessages.find((m) => m.role === 'tool')).toMatchObject({
      content: expect.stringContaining('391'),
    });
    expect(newMessages.at(-1)).toMatchObject({ role: 'assistant', content: '17 * 23 = 391.' });

    // Errors before the stream are the envelope with a status, which HttpAgent reports.
    const anonymous = new HttpAgent({
      url: `${gw()}/ag-ui`,
      initialMessages: [{ id: randomUUID(), role: 'user', content: 'hi' }],
    });
    await expect(anonymous.runAgent()).rejects.toThrow(/HTTP 401/);
    const empty = new HttpAgent({ url: `${gw()}/ag-ui`, headers: auth(userToken) });
    await expect(empty.runAgent()).rejects.toThrow(/HTTP 400.*messages/);
  });

  it('streams the legacy AG-UI events format (GET /ag-ui/events): its shape and types', async () => {
    const r = await fetch(
      `${gw()}/ag-ui/events?user_message=${encodeURIComponent('what is 6 * 7, then save the result as a note')}`,
      { headers: auth(userToken) },
    );
    expect(r.status).toBe(200);
    const events = (await collectSse(r)).map(
      (e) =>
        JSON.parse(e.data) as {
          event_type: string;
          data: Record<string, unknown>;
          message: string;
        },
    );
    expect(events.map((e) => e.event_type)).toEqual([
      'TOOL_CALL_START',
      'TOOL_OUTPUT',
      'TOOL_CALL_START',
      'TOOL_OUTPUT',
      'AGENT_RESPONSE',
    ]);
    for (const e of events)
      expect(Object.keys(e).sort()).toEqual(['data', 'event_type', 'message']);
    expect(events[0]!.data).toMatchObject({ tool: 'calculator' });
    expect(events.at(-1)!.message).toContain('6 * 7 = 42');
    const bad = await fetch(`${gw()}/ag-ui/events?user_message=`, { headers: auth(userToken) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/user_message/);
    const failing = await fetch(`${gw()}/ag-ui/events?user_message=paint%20the%20fence`, {
      headers: auth(userToken),
    });
    expect(
      (await collectSse(failing)).map(
        (e) => (JSON.parse(e.data) as { event_type: string }).event_type,
      ),
    ).toEqual(['ERROR']);
  });

  it('resumes a dropped stream with Last-Event-ID after a gateway restart, event for event like an uninterrupted one', async () => {
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      const first = await post(gw(), '/orchestrate/stream', {
        task: 'add a note saying resume me, then what is 2 + 2',
      });
      expect(first.status).toBe(200);
      const taskId = first.headers.get('x-task-id')!;
      const head = await readUntil(first, (e) => e.event === 'mcp.task.started');
      // The task is now blocked inside its notes.add step. A second replica follows it from the start.
      const whole = fetch(`${second.url}/tasks/${taskId}/events`, {
        headers: auth(userToken),
      }).then(collectSse);
      // The step goes on once the restart has begun, so its events come while the gateway stops and
      // starts again (a restart can outlast the tool's own 10 s timeout on a loaded machine).
      const restarted = stack.restart('gateway');
      await lock.release();
      released = true;
      await restarted;
      const lastId = head.at(-1)!.id!;
      const resumed = await fetch(`${gw()}/tasks/${taskId}/events`, {
        headers: { ...auth(userToken), 'last-event-id': lastId },
      });
      expect(resumed.status).toBe(200);
      const tail = await collectSse(resumed);
      const uninterrupted = await whole;
      expect(tail[0]!.id).toBe(String(Number(lastId) + 1));
      expect([...head, ...tail].map(view)).toEqual(uninterrupted.map(view));
      expect(uninterrupted.map((e) => Number(e.id))).toEqual(uninterrupted.map((_, i) => i + 1));
      // The whole last event, so a failure says why the task ended otherwise.
      expect(uninterrupted.at(-1)).toMatchObject({ event: 'orchestrator.task.completed' });
      // Asking again with the last id: nothing more will come.
      const done = await fetch(`${gw()}/tasks/${taskId}/events`, {
        headers: { ...auth(userToken), 'last-event-id': uninterrupted.at(-1)!.id! },
      });
      expect(done.status).toBe(204);
      // Someone else cannot read it; an admin can.
      const stranger = await fetch(`${gw()}/tasks/${taskId}/events`, {
        headers: auth(await token('stranger')),
      });
      expect(stranger.status).toBe(404);
      const admin = await fetch(`${gw()}/tasks/${taskId}`, { headers: auth(adminToken) });
      const stored = (await admin.json()) as Tasks.TaskView;
      expect(stored.status).toBe('completed');
      // Every duration is reported to 0.1 ms: the steps' and tool calls' (measured with
      // performance.now()), and the task's, which the stored task repeats.
      const durations = uninterrupted
        .map((e) => (JSON.parse(e.data) as { data: { durationMs?: number } }).data.durationMs)
        .filter((d): d is number => d !== undefined);
      // mcp.task.completed and step.completed of both steps, then task.completed
      expect(durations).toHaveLength(5);
      for (const d of durations) expect(d).toBe(Math.round(d * 10) / 10);
      expect(stored.durationMs).toBe(durations.at(-1));
      const badId = await fetch(`${gw()}/tasks/${taskId}/events`, {
        headers: { ...auth(userToken), 'last-event-id': 'yesterday' },
      });
      expect(badId.status).toBe(400);
      expect(((await badId.json()) as { message: string }).message).toMatch(/Last-Event-ID/);
    } finally {
      if (!released) await lock.release();
    }
  });

  it('cancels a running task: it ends cancelled and its events say so, without running the next step', async () => {
    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      const r = await post(second.url, '/orchestrate/stream', {
        task: 'add a note saying cancel me, then what is 3 + 3',
      });
      const taskId = r.headers.get('x-task-id')!;
      const events: SseEvent[] = [];
      const reader = (async () => {
        for await (const e of readSse(r)) events.push(e);
      })();
      await waitFor(() => events.some((e) => e.event === 'mcp.task.started'), {
        what: 'the notes.add step to start',
      });
      const stranger = await post(gw(), `/tasks/${taskId}/cancel`, {}, await token('stranger'));
      expect(stranger.status).toBe(404);
      const cancel = await post(gw(), `/tasks/${taskId}/cancel`, { reason: 'changed my mind' });
      expect(cancel.status).toBe(202);
      expect(await cancel.json()).toEqual({
        taskId,
        status: 'running',
        cancelRequested: true,
      });
      await lock.release();
      released = true;
      await reader;
      const last = Tasks.TaskEvent.parse(JSON.parse(events.at(-1)!.data));
      expect(last.name).toBe('orchestrator.task.cancelled');
      expect(last.name === 'orchestrator.task.cancelled' && last.data.reason).toBe(
        'changed my mind',
      );
      expect(
        events.some(
          (e) => e.event === 'orchestrator.step.dispatching' && e.data.includes('calculator'),
        ),
      ).toBe(false);
      const viewed = (await (
        await fetch(`${gw()}/tasks/${taskId}`, { headers: auth(userToken) })
      ).json()) as Tasks.TaskView;
      expect(viewed.status).toBe('cancelled');
      // The step under way is kept, as cancelled: the event, the task and the list count the same.
      expect(viewed.steps.map((s) => [s.target, s.status])).toEqual([['notes.add', 'cancelled']]);
      const listed = (await (
        await fetch(`${gw()}/tasks?q=cancel%20me`, { headers: auth(userToken) })
      ).json()) as Tasks.TaskListResponse;
      const row = listed.tasks.find((t) => t.taskId === taskId);
      expect(last.name === 'orchestrator.task.cancelled' && last.data.steps).toBe(1);
      expect(row).toMatchObject({ steps: 1, durationMs: viewed.durationMs });
      expect(last.name === 'orchestrator.task.cancelled' && last.data.durationMs).toBe(
        viewed.durationMs,
      );
      // Cancelling again is harmless and says the task has ended.
      const again = await post(gw(), `/tasks/${taskId}/cancel`, {});
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({
        taskId,
        status: 'cancelled',
        cancelRequested: false,
      });
    } finally {
      if (!released) await lock.release();
    }
  });

  it('lists tools under constraints, agents, authorizations (granted and revoked by admins) and the audit trail (admins, by user, action, task and time)', async () => {
    const all = await fetch(`${gw()}/tools`, { headers: auth(userToken) });
    expect(all.status).toBe(200);
    const manifest = (await all.json()) as { tools: { name: string }[]; mode: string };
    expect(manifest.tools.map((t) => t.name)).toContain('calculator');
    const only = (await (
      await fetch(`${gw()}/tools?mode=custom&tools=calculator`, { headers: auth(userToken) })
    ).json()) as { tools: { name: string }[]; mode: string };
    expect(only).toMatchObject({ mode: 'custom', tools: [{ name: 'calculator' }] });
    const badQuery = await fetch(`${gw()}/tools?mode=sometimes`, { headers: auth(userToken) });
    expect(badQuery.status).toBe(400);
    expect(((await badQuery.json()) as { message: string }).message).toMatch(/mode/);

    // The agents the caller may delegate to, from their cards (the a2a service fetched the writer's).
    const agents = await fetch(`${gw()}/agents`, { headers: auth(userToken) });
    expect(agents.status).toBe(200);
    const { agents: listed } = (await agents.json()) as {
      agents: { name: string; transport: string; available: boolean }[];
    };
    expect(listed).toEqual([
      expect.objectContaining({ name: 'writer', transport: 'http', available: true }),
    ]);

    // Authorization changes are for admins, refused at the gateway (and by mcp-tools itself).
    expect(
      (
        await fetch(`${gw()}/authorizations/${user}/notes`, {
          method: 'PUT',
          headers: auth(userToken),
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await fetch(`${gw()}/authorizations/${user}/Bad%20Provider`, {
          method: 'PUT',
          headers: auth(adminToken),
        })
      ).status,
    ).toBe(400);
    expect(
      (await fetch(`${gw()}/authorizations?user_id=someone-else`, { headers: auth(userToken) }))
        .status,
    ).toBe(403);
    const grantsOf = async () => {
      const r = await fetch(`${gw()}/authorizations`, { headers: auth(userToken) });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { userId: string; grants: { provider: string }[] };
      expect(body.userId).toBe(user);
      return body.grants.map((g) => g.provider);
    };
    expect(await grantsOf()).not.toContain('notes');
    // An admin grants, the user sees it; the admin revokes, it is gone.
    const granted = await fetch(`${gw()}/authorizations/${user}/notes`, {
      method: 'PUT',
      headers: auth(adminToken),
    });
    expect(granted.status).toBe(200);
    expect(await granted.json()).toMatchObject({ userId: user, grant: { provider: 'notes' } });
    expect(await grantsOf()).toContain('notes');
    const revoked = await fetch(`${gw()}/authorizations/${user}/notes`, {
      method: 'DELETE',
      headers: auth(adminToken),
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({ userId: user, provider: 'notes', revoked: true });
    expect(await grantsOf()).not.toContain('notes');

    // The audit trail: admins only, filtered and paged.
    expect((await fetch(`${gw()}/audit`, { headers: auth(userToken) })).status).toBe(403);
    const page = await waitFor(
      async () => {
        const res = await fetch(`${gw()}/audit?user_id=${user}&action=task.submit&limit=1`, {
          headers: auth(adminToken),
        });
        const body = (await res.json()) as {
          entries: { action: string; actor: { userId: string } }[];
          nextBefore?: number;
        };
        return body.entries.length === 1 && body.nextBefore ? body : undefined;
      },
      { what: 'audited submissions of the user' },
    );
    expect(page.entries[0]).toMatchObject({
      action: 'task.submit',
      actor: { userId: user, role: 'user' },
    });
    const older = (await (
      await fetch(
        `${gw()}/audit?user_id=${user}&action=task.submit&limit=1&before=${page.nextBefore}`,
        { headers: auth(adminToken) },
      )
    ).json()) as { entries: unknown[] };
    expect(older.entries).toHaveLength(1);
    expect(
      (await fetch(`${gw()}/audit?from=yesterday`, { headers: auth(adminToken) })).status,
    ).toBe(400);

    // By task: every row of one task, and none of another's.
    const submitted = await post(gw(), '/orchestrate?async=true', { task: 'what is 8 * 8' });
    expect(submitted.status).toBe(202);
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };
    type Row = { seq: number; at: string; action: string; taskId?: string };
    const audit = async (query: string) => {
      const r = await fetch(`${gw()}/audit?${query}`, { headers: auth(adminToken) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { entries: Row[] }).entries;
    };
    const ofTask = await waitFor(
      async () => {
        const rows = await audit(`task_id=${taskId}&limit=500`);
        return rows.some((e) => e.action === 'task.submit') ? rows : undefined;
      },
      { what: 'the audit rows of the task' },
    );
    expect(ofTask.every((e) => e.taskId === taskId)).toBe(true);
    const submitRow = ofTask.find((e) => e.action === 'task.submit')!;
    expect(await audit(`task_id=${randomUUID()}`)).toEqual([]);

    // By time: `from` is inclusive, `to` exclusive (rows at or after from, before to).
    const at = Date.parse(submitRow.at);
    const iso = (ms: number) => new Date(ms).toISOString();
    const seqs = async (from: number, to: number) =>
      (await audit(`task_id=${taskId}&from=${iso(from)}&to=${iso(to)}&limit=500`)).map(
        (e) => e.seq,
      );
    expect(await seqs(at, at + 1)).toContain(submitRow.seq);
    expect(await seqs(at - 60_000, at)).not.toContain(submitRow.seq);
    expect(await seqs(at + 1, at + 60_000)).not.toContain(submitRow.seq);
    expect(
      (await audit(`from=${iso(at)}&to=${iso(at + 1)}&limit=500`)).every(
        (e) => Date.parse(e.at) === at,
      ),
    ).toBe(true);
  });

  it('serves the committed OpenAPI document', async () => {
    const served = await (await fetch(`${gw()}/openapi.json`)).json();
    const committed = JSON.parse(
      readFileSync(join(process.cwd(), 'docs', 'openapi.json'), 'utf8'),
    ) as unknown;
    expect(served).toEqual(committed);
  });
});
