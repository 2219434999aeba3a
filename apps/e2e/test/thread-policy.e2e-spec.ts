import { Role, type Task, taskStateToJSON } from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Schedules, Tasks } from '@switchboard/contracts';
import {
  type LlmGate,
  type LlmScript,
  type LlmStub,
  type ServiceHandle,
  type Stack,
  startLlmStub,
  startService,
  repoRoot,
  startStack,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

/**
 * Two messages at once (docs/api.md, "Threads"), on real processes: two gateways and two orchestrators,
 * the LLM planner pointed at a scripted model whose answers are held until the test releases them (so
 * a task runs as long as the test needs, without sleeps). For each policy, two messages to one thread
 * are sent at the same instant, one through each gateway; the orchestrator decides under the
 * thread's row lock, whichever arrives first. Then each policy from each surface — `/orchestrate`,
 * `/orchestrate/stream`, `POST /ag-ui`, `GET /ag-ui/events`, A2A, MCP (`_meta["dev.switchboard/thread"]`)
 * and a schedule's firing — on a thread busy with a held task.
 */
describe('thread concurrency policy (two gateways, real processes, scripted LLM)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let second: ServiceHandle;
  let secondOrchestrator: ServiceHandle;

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      shape: 'cell',
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-secret-0123456789',
          LLM_MODEL: 'stub-model',
          // Ticks often so a schedule's firing is due in seconds, not at the ticker's pace.
          SCHEDULE_TICK_MS: '500',
        },
      },
    });
    const env = { ...stack.envOf('gateway') };
    delete env['PORT'];
    second = await startService('gateway', env, { logDir: tempDir('stack-logs-gateway-2') });
    secondOrchestrator = await startService(
      'orchestrator-2',
      { ...stack.envOf('orchestrator') },
      { logDir: stack.logDir, entry: join(repoRoot, 'dist/apps/orchestrator/src/main.js') },
    );
  }, 180_000);

  afterAll(async () => {
    await secondOrchestrator?.stop();
    await second?.stop();
    await stack?.stop();
    await llm?.stop();
  });

  /** One message: the text, held by its own gate at the model; its script says what the model saw. */
  interface Message {
    text: string;
    gate: LlmGate;
    script: LlmScript;
  }

  function message(label: string): Message {
    const text = `${label} ${randomUUID()}`;
    const gate = llm.gate();
    const script = llm.script(text, [{ content: `answer to ${label}`, hold: gate }]);
    return { text, gate, script };
  }

  const submit = (base: string, user: string, body: Record<string, unknown>) =>
    fetch(`${base}/orchestrate?async=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify(body),
    });

  /** Both messages at the same instant, one through each gateway. */
  async function atOnce(policy: Tasks.ThreadPolicy, user: string, thread: string) {
    const a = message('alpha');
    const b = message('bravo');
    const [ra, rb] = await Promise.all([
      submit(stack.gatewayUrl, user, { task: a.text, thread_id: thread, thread_policy: policy }),
      submit(second.url, user, { task: b.text, thread_id: thread, thread_policy: policy }),
    ]);
    const bodies = (await Promise.all([ra.json(), rb.json()])) as Record<string, unknown>[];
    return { a, b, statuses: [ra.status, rb.status], bodies };
  }

  const task = async (user: string, taskId: string): Promise<Tasks.TaskView> =>
    (await (
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers: { 'x-user-id': user } })
    ).json()) as Tasks.TaskView;

  const ended = (user: string, taskId: string) =>
    waitFor(
      async () => {
        const t = await task(user, taskId);
        return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
      },
      { timeoutMs: 60_000, what: `task ${taskId} ended` },
    );

  const times = async (taskId: string) => {
    const [row] = await stack.dbs.orchestrator.query<{ startedAt: Date; finishedAt: Date }>(
      'SELECT "startedAt", "finishedAt" FROM "Task" WHERE "id" = $1::uuid',
      [taskId],
    );
    return row!;
  };

  const turnsOf = (user: string, thread: string) =>
    stack.dbs.orchestrator.query<{ taskId: string; role: string; content: string }>(
      'SELECT "taskId", role, content FROM "Turn" WHERE "userId" = $1 AND "threadId" = $2 ORDER BY "createdAt", id',
      [user, thread],
    );

  /** The task whose model call the test reached first (the one the thread ran first), then the other. */
  async function firstAndSecond(a: Message, b: Message, ids: string[]) {
    const reached = await Promise.race([
      a.gate.reached.then(() => 0),
      b.gate.reached.then(() => 1),
    ]);
    return reached === 0
      ? { first: { ...a, id: ids[0]! }, then: { ...b, id: ids[1]! } }
      : { first: { ...b, id: ids[1]! }, then: { ...a, id: ids[0]! } };
  }

  it('reject: one message runs, the other is a 409 naming the running task', async () => {
    const user = `rj-${randomUUID().slice(0, 8)}`;
    const { a, b, statuses, bodies } = await atOnce('reject', user, 'chat');
    expect([...statuses].sort()).toEqual([202, 409]);
    const accepted = bodies[statuses.indexOf(202)]!;
    const refused = bodies[statuses.indexOf(409)]!;
    expect(refused).toMatchObject({
      code: 'CONFLICT',
      details: { running_task_id: accepted['task_id'], thread_id: 'chat', thread_policy: 'reject' },
    });
    a.gate.release();
    b.gate.release();
    const done = await ended(user, accepted['task_id'] as string);
    expect(done.status).toBe('completed');
    // The refused message never reached the model.
    expect(a.script.requests.length + b.script.requests.length).toBe(1);
  });

  it('enqueue: both complete, in order, the second started after the first ended', async () => {
    const user = `eq-${randomUUID().slice(0, 8)}`;
    const { a, b, statuses, bodies } = await atOnce('enqueue', user, 'chat');
    expect(statuses).toEqual([202, 202]);
    const ids = bodies.map((r) => r['task_id'] as string);
    const { first, then } = await firstAndSecond(a, b, ids);
    // The second waits for the thread: not picked up, its model not asked.
    expect((await task(user, then.id)).status).toBe('queued');
    expect(then.script.requests).toEqual([]);
    first.gate.release();
    then.gate.release();
    expect((await ended(user, first.id)).status).toBe('completed');
    expect((await ended(user, then.id)).status).toBe('completed');
    const [t1, t2] = [await times(first.id), await times(then.id)];
    expect(t2.startedAt.getTime()).toBeGreaterThanOrEqual(t1.finishedAt.getTime());
    // The second ran with the first's exchange as history.
    const seen = JSON.stringify(then.script.requests[0]?.body.messages);
    expect(seen).toContain(first.text);
    expect(seen).toContain(`answer to ${first.text.split(' ')[0]}`);
  });

  /** Both messages at once under `policy`: the one the thread ran first ends cancelled; the other completes. */
  async function displaced(policy: 'interrupt' | 'rollback', user: string) {
    const { a, b, statuses, bodies } = await atOnce(policy, user, 'chat');
    expect(statuses).toEqual([202, 202]);
    const ids = bodies.map((r) => r['task_id'] as string);
    const outcome = await waitFor(
      async () => {
        const [va, vb] = await Promise.all(ids.map((id) => task(user, id)));
        if (va?.status === 'cancelled')
          return { cancelled: { ...a, id: ids[0]! }, then: { ...b, id: ids[1]! } };
        if (vb?.status === 'cancelled')
          return { cancelled: { ...b, id: ids[1]! }, then: { ...a, id: ids[0]! } };
        return undefined;
      },
      // A loaded machine (the whole suite on two cores) takes its time to reach the safe point.
      { timeoutMs: 60_000, what: 'one of the two tasks cancelled' },
    );
    outcome.then.gate.release();
    const done = await ended(user, outcome.then.id);
    expect(done).toMatchObject({
      status: 'completed',
      result: expect.stringContaining('answer to'),
    });
    const cancelled = await task(user, outcome.cancelled.id);
    const word = policy === 'rollback' ? 'rolled back' : 'interrupted';
    expect(cancelled.error?.message).toContain(`${word} by task ${outcome.then.id}`);
    outcome.cancelled.gate.release();
    return {
      ...outcome,
      seen: JSON.stringify(outcome.then.script.requests[0]?.body.messages),
      turns: (await turnsOf(user, 'chat')).map((t) => t.taskId),
    };
  }

  it('interrupt: the first ends cancelled, the second completes with the history so far', async () => {
    const { cancelled, then, seen, turns } = await displaced(
      'interrupt',
      `ir-${randomUUID().slice(0, 8)}`,
    );
    // It saw the interrupted message in its history; the thread keeps both exchanges.
    expect(seen).toContain(cancelled.text);
    expect(turns).toEqual([cancelled.id, cancelled.id, then.id, then.id]);
  });

  it("rollback: the first ends cancelled and its turns are gone from the thread's history", async () => {
    const { cancelled, then, seen, turns } = await displaced(
      'rollback',
      `rb-${randomUUID().slice(0, 8)}`,
    );
    expect(seen).not.toContain(cancelled.text);
    expect(turns).toEqual([then.id, then.id]);
  });

  describe('from the other surfaces, on a thread busy with a task', () => {
    const user = `sf-${randomUUID().slice(0, 8)}`;
    const thread = 'surfaces';
    let held: Message;
    let running: string;

    beforeAll(async () => {
      held = message('held');
      const r = await submit(stack.gatewayUrl, user, { task: held.text, thread_id: thread });
      running = ((await r.json()) as { task_id: string }).task_id;
      await held.gate.reached;
    });

    afterAll(async () => {
      held?.gate.release();
      if (running) await ended(user, running);
    });

    it('AG-UI 1.0 (POST /ag-ui): forwardedProps.thread_policy reject is a 409 naming the running task', async () => {
      const r = await fetch(`${second.url}/ag-ui`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({
          threadId: thread,
          runId: randomUUID(),
          state: {},
          messages: [{ id: randomUUID(), role: 'user', content: 'what is 2 + 2' }],
          tools: [],
          context: [],
          forwardedProps: { thread_policy: 'reject' },
        }),
      });
      expect(r.status).toBe(409);
      expect(await r.json()).toMatchObject({
        code: 'CONFLICT',
        details: { running_task_id: running, thread_id: thread },
      });
    });

    it('legacy AG-UI (GET /ag-ui/events): thread_policy=reject is a 409 naming the running task', async () => {
      const q = new URLSearchParams({
        user_message: 'what is 2 + 2',
        thread_id: thread,
        thread_policy: 'reject',
      });
      const r = await fetch(`${stack.gatewayUrl}/ag-ui/events?${q}`, {
        headers: { 'x-user-id': user },
      });
      expect(r.status).toBe(409);
      expect(await r.json()).toMatchObject({ details: { running_task_id: running } });
      const bad = await fetch(
        `${stack.gatewayUrl}/ag-ui/events?${new URLSearchParams({ user_message: 'x', thread_policy: 'later' })}`,
        { headers: { 'x-user-id': user } },
      );
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('thread_policy');
    });

    it("A2A (the platform's endpoint): a message on the busy contextId with metadata.thread_policy reject fails naming the running task", async () => {
      const fetchImpl: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('x-user-id', user);
        return fetch(input, { ...init, headers });
      };
      const client = await new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [new JsonRpcTransportFactory({ fetchImpl })],
          cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
        }),
      ).createFromUrl(second.url);
      const result = (await client.sendMessage({
        tenant: '',
        message: {
          messageId: randomUUID(),
          role: Role.ROLE_USER,
          contextId: thread,
          taskId: '',
          parts: [
            {
              content: { $case: 'text' as const, value: 'what is 2 + 2' },
              mediaType: 'text/plain',
              filename: '',
              metadata: undefined,
            },
          ],
          metadata: { thread_policy: 'reject' },
          extensions: [],
          referenceTaskIds: [],
        },
        configuration: undefined,
        metadata: undefined,
      })) as Task;
      expect(taskStateToJSON(result.status!.state)).toBe('TASK_STATE_FAILED');
      const text = result.status?.message?.parts
        .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
        .join('');
      expect(text).toContain('CONFLICT');
      expect(text).toContain(running);
    });

    it('a message enqueued behind the running task and then cancelled ends at once, not at its turn', async () => {
      const waiting = message('waiting');
      const r = await submit(second.url, user, {
        task: waiting.text,
        thread_id: thread,
        thread_policy: 'enqueue',
      });
      expect(r.status).toBe(202);
      const id = ((await r.json()) as { task_id: string }).task_id;
      expect((await task(user, id)).status).toBe('queued');
      const cancel = await fetch(`${stack.gatewayUrl}/tasks/${id}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ reason: 'never mind' }),
      });
      expect(cancel.status).toBe(202); // accepted: the cancel is on its way
      expect(await ended(user, id)).toMatchObject({ status: 'cancelled' });
      // The running task was never disturbed, and the cancelled one never reached the model.
      expect((await task(user, running)).status).toBe('running');
      expect(waiting.script.requests).toEqual([]);
    });

    it('a body with thread_policy but no thread_id is a 400 naming thread_policy', async () => {
      const r = await submit(stack.gatewayUrl, user, { task: 'x', thread_policy: 'reject' });
      expect(r.status).toBe(400);
      expect(JSON.stringify(await r.json())).toContain('thread_policy');
    });
  });
  describe('each policy from each surface, on a thread busy with a held task', () => {
    /** One case: a user's thread, busy with `held` (its model call held), and the policy to send with. */
    interface Case {
      user: string;
      thread: string;
      policy: Tasks.ThreadPolicy;
      held: Message & { id: string };
      /** The new message's text (scripted to answer at once when it reaches the model). */
      text: string;
    }
    /** What a surface answered: the running task it named when it refused; `settle` awaits its answer. */
    interface Sent {
      refusedFor?: string;
      settle?: () => Promise<unknown>;
    }
    const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    const post = (url: string, user: string, body: unknown, signal?: AbortSignal) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });

    /** An HTTP answer: a 409 names the running task; a stream is left (the task goes on without it). */
    async function answered(res: Response): Promise<Sent> {
      if (res.status === 409) {
        const body = (await res.json()) as { details: { running_task_id: string } };
        return { refusedFor: body.details.running_task_id };
      }
      expect([200, 202]).toContain(res.status);
      await res.body?.cancel();
      return {};
    }

    async function a2aSend(c: Case): Promise<Sent> {
      const fetchImpl: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('x-user-id', c.user);
        return fetch(input, { ...init, headers });
      };
      const client = await new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [new JsonRpcTransportFactory({ fetchImpl })],
          cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
        }),
      ).createFromUrl(second.url);
      const result = (await client.sendMessage({
        tenant: '',
        message: {
          messageId: randomUUID(),
          role: Role.ROLE_USER,
          contextId: c.thread,
          taskId: '',
          parts: [
            {
              content: { $case: 'text' as const, value: c.text },
              mediaType: 'text/plain',
              filename: '',
              metadata: undefined,
            },
          ],
          metadata: { thread_policy: c.policy },
          extensions: [],
          referenceTaskIds: [],
        },
        // A refusal is the task's end; an accepted message is not waited for (it may wait its turn).
        configuration:
          c.policy === 'reject'
            ? undefined
            : {
                acceptedOutputModes: [],
                taskPushNotificationConfig: undefined,
                returnImmediately: true,
              },
        metadata: undefined,
      })) as Task;
      if (taskStateToJSON(result.status!.state) !== 'TASK_STATE_FAILED') return {};
      const text = result.status?.message?.parts
        .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
        .join('');
      expect(text).toContain('CONFLICT');
      return { refusedFor: UUID.exec(text ?? '')?.[0] ?? 'none named' };
    }

    async function mcpSend(c: Case): Promise<Sent> {
      const transport = new StreamableHTTPClientTransport(new URL(`${second.url}/mcp`), {
        requestInit: { headers: { 'x-user-id': c.user, 'x-user-role': 'user' } },
      });
      const client = new Client({ name: 'thread-policy-e2e', version: '1.0.0' });
      await client.connect(transport);
      const call = client
        .callTool(
          {
            name: 'calculator',
            arguments: { expression: '2 + 2' },
            _meta: { 'dev.switchboard/thread': { id: c.thread, policy: c.policy } },
          },
          undefined,
          { timeout: 90_000 },
        )
        .finally(() => client.close());
      if (c.policy !== 'reject') return { settle: () => call };
      const result = await call;
      const text = (result.content as { text: string }[])[0]?.text ?? '';
      expect(result.isError).toBe(true);
      expect(text).toContain('CONFLICT');
      return { refusedFor: UUID.exec(text)?.[0] ?? 'none named' };
    }

    async function scheduleSend(c: Case): Promise<Sent> {
      const res = await post(`${second.url}/schedules`, c.user, {
        task: c.text,
        threadId: c.thread,
        threadPolicy: c.policy,
        at: new Date(Date.now() + 2_000).toISOString(),
      });
      expect(res.status).toBe(201);
      const schedule = (await res.json()) as Schedules.ScheduleView;
      expect(schedule.threadPolicy).toBe(c.policy);
      const firing = await waitFor(
        async () => {
          const r = await fetch(`${stack.gatewayUrl}/schedules/${schedule.scheduleId}/firings`, {
            headers: { 'x-user-id': c.user },
          });
          const [f] = ((await r.json()) as { firings: Schedules.ScheduleFiringView[] }).firings;
          // Settled: a firing is recorded (as submitted) when a ticker claims it and refused by the
          // thread just after; either end stamps its publishedAt (read before it: a flaky reject).
          return f?.publishedAt ? f : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the firing into the busy thread' },
      );
      if (firing.status === 'submitted') return {};
      expect(firing.status).toBe('skipped');
      const [denied] = await waitFor(
        async () => {
          const rows = await stack.dbs.audit.query<{ details: { running_task_id?: string } }>(
            `SELECT details FROM "AuditEntry" WHERE action = 'schedule.fire' AND resource = $1`,
            [schedule.scheduleId],
          );
          return rows.length > 0 && rows;
        },
        { what: 'the audit record of the refused firing' },
      );
      return { refusedFor: denied?.details.running_task_id ?? 'none named' };
    }

    const surfaces: Record<string, (c: Case) => Promise<Sent>> = {
      'POST /orchestrate': async (c) =>
        answered(
          await post(`${second.url}/orchestrate?async=true`, c.user, {
            task: c.text,
            thread_id: c.thread,
            thread_policy: c.policy,
          }),
        ),
      'POST /orchestrate/stream': async (c) =>
        answered(
          await post(`${second.url}/orchestrate/stream`, c.user, {
            task: c.text,
            thread_id: c.thread,
            thread_policy: c.policy,
          }),
        ),
      'POST /ag-ui': async (c) =>
        answered(
          await post(`${second.url}/ag-ui`, c.user, {
            threadId: c.thread,
            runId: randomUUID(),
            state: {},
            messages: [{ id: randomUUID(), role: 'user', content: c.text }],
            tools: [],
            context: [],
            forwardedProps: { thread_policy: c.policy },
          }),
        ),
      'GET /ag-ui/events': async (c) =>
        answered(
          await fetch(
            `${second.url}/ag-ui/events?${new URLSearchParams({ user_message: c.text, thread_id: c.thread, thread_policy: c.policy })}`,
            { headers: { 'x-user-id': c.user } },
          ),
        ),
      'A2A SendMessage': a2aSend,
      'MCP tools/call': mcpSend,
      'a schedule firing': scheduleSend,
    };
    const policies: Tasks.ThreadPolicy[] = ['reject', 'enqueue', 'interrupt', 'rollback'];
    const table = Object.keys(surfaces).flatMap((surface) =>
      policies.map((policy) => [surface, policy] as const),
    );

    /** A thread of its own, busy with a task held at the model, started through the first gateway. */
    async function busyThread(policy: Tasks.ThreadPolicy): Promise<Case> {
      const user = `tb-${randomUUID().slice(0, 8)}`;
      const thread = `busy-${policy}`;
      const held = message('held');
      const r = await submit(stack.gatewayUrl, user, { task: held.text, thread_id: thread });
      expect(r.status).toBe(202);
      const id = ((await r.json()) as { task_id: string }).task_id;
      await held.gate.reached;
      const text = `new ${randomUUID()}`;
      llm.script(text, [{ content: `answer to the new message` }]);
      return { user, thread, policy, held: { ...held, id }, text };
    }

    /** The task waiting behind the held one (the orchestrator's record of the thread's queue). */
    const waiterOf = (c: Case) =>
      waitFor(
        async () => {
          const [row] = await stack.dbs.orchestrator.query<{ taskId: string; policy: string }>(
            'SELECT "taskId", policy FROM "ThreadWaiter" WHERE "userId" = $1 AND "threadId" = $2',
            [c.user, c.thread],
          );
          return row;
        },
        { what: `the message waiting in ${c.thread}` },
      );

    it('several waiting messages, a schedule firing among them, run one at a time in the order they came', async () => {
      const c = await busyThread('enqueue');
      const waiters = () =>
        stack.dbs.orchestrator.query<{ taskId: string }>(
          'SELECT "taskId" FROM "ThreadWaiter" WHERE "userId" = $1 AND "threadId" = $2 ORDER BY position',
          [c.user, c.thread],
        );
      const queuedNow = async (n: number) =>
        waitFor(async () => (await waiters()).length === n, { what: `${n} waiting` });
      const [m1, m2, m3] = [message('first'), message('second'), message('third')];
      const ids: string[] = [];
      const viaOrchestrate = async (m: Message, base: string) => {
        const r = await submit(base, c.user, {
          task: m.text,
          thread_id: c.thread,
          thread_policy: 'enqueue',
        });
        expect(r.status).toBe(202);
        ids.push(((await r.json()) as { task_id: string }).task_id);
      };
      await viaOrchestrate(m1!, second.url);
      await queuedNow(1);
      expect(await scheduleSend({ ...c, text: m2!.text })).toEqual({});
      await queuedNow(2);
      ids.push((await waiters())[1]!.taskId);
      await viaOrchestrate(m3!, stack.gatewayUrl);
      await queuedNow(3);
      expect((await waiters()).map((w) => w.taskId)).toEqual(ids);
      for (const id of ids) expect((await task(c.user, id)).status).toBe('queued');
      // Each runs when the one before it has ended, and the ones after it still wait.
      c.held.gate.release();
      const order = [m1!, m2!, m3!];
      for (const [i, m] of order.entries()) {
        await m.gate.reached;
        for (const later of ids.slice(i + 1))
          expect((await task(c.user, later)).status).toBe('queued');
        m.gate.release();
        expect((await ended(c.user, ids[i]!)).status).toBe('completed');
      }
      const started = await Promise.all(ids.map(async (id) => (await times(id)).startedAt));
      expect([...started].sort((a, b) => a.getTime() - b.getTime())).toEqual(started);
      const run = await times(c.held.id);
      expect(started[0]!.getTime()).toBeGreaterThanOrEqual(run.finishedAt.getTime());
    });

    it.each(table)('%s, %s', async (surface, policy) => {
      const c = await busyThread(policy);
      const sent = await surfaces[surface]!(c);
      if (policy === 'reject') {
        // Refused, naming the running task, which runs on.
        expect(sent.refusedFor).toBe(c.held.id);
        expect((await task(c.user, c.held.id)).status).toBe('running');
      } else if (policy === 'enqueue') {
        expect(sent.refusedFor).toBeUndefined();
        // It waits its turn: visible as queued, cancellable while it waits; the running task runs on.
        const waiting = await waiterOf(c);
        expect(waiting.policy).toBe('enqueue');
        expect((await task(c.user, waiting.taskId)).status).toBe('queued');
        expect((await task(c.user, c.held.id)).status).toBe('running');
        const cancel = await post(`${stack.gatewayUrl}/tasks/${waiting.taskId}/cancel`, c.user, {
          reason: 'never mind',
        });
        expect(cancel.status).toBe(202);
        expect((await ended(c.user, waiting.taskId)).status).toBe('cancelled');
        expect((await task(c.user, c.held.id)).status).toBe('running');
      } else {
        expect(sent.refusedFor).toBeUndefined();
        // The running task is cancelled at its next safe point, naming the message that displaced it.
        const cancelled = await ended(c.user, c.held.id);
        expect(cancelled.status).toBe('cancelled');
        const word = policy === 'rollback' ? 'rolled back' : 'interrupted';
        const by = new RegExp(`${word} by task (${UUID.source})`).exec(
          cancelled.error?.message ?? '',
        );
        expect(by).not.toBeNull();
        expect((await ended(c.user, by![1]!)).status).toBe('completed');
        // Interrupt keeps the displaced exchange in the thread; rollback discards it.
        const turns = (await turnsOf(c.user, c.thread)).map((t) => t.taskId);
        if (policy === 'interrupt') expect(turns).toContain(c.held.id);
        else expect(turns).not.toContain(c.held.id);
      }
      c.held.gate.release();
      await sent.settle?.();
      if (policy === 'reject' || policy === 'enqueue')
        expect((await ended(c.user, c.held.id)).status).toBe('completed');
    });
  });
});
