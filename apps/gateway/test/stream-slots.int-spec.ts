import {
  collectSse,
  readSse,
  type ServiceHandle,
  type Stack,
  startService,
  startStack,
  startTcpProxy,
  type TcpProxy,
  TEST_REDIS_URL,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/** How far the far replica's Redis is (each way its commands go). */
const FAR_REDIS_MS = 50;

/** What a surface answered: its status and how it ended, and what the next surface may need. */
interface Answer {
  status: number;
  /** The last thing said: the JSON `status` (or error code), or the last SSE event's type or name. */
  end: string;
  taskId?: string | undefined;
  /** An AG-UI run that ended at an interrupt: the interrupt's id (and the run's thread). */
  interruptId?: string;
  threadId?: string;
}

type AgUiEvent = {
  type?: string;
  event_type?: string;
  outcome?: { type: string; interrupts?: { id: string }[] };
};

// Two real gateways — one near Redis, one far from it — with the real orchestrator, tools and audit,
// and a user with one stream slot. A client that waits for one answer before it asks the next is
// never refused, whichever replica answers which request: the slot is free in Redis by the time the
// response has ended (a replica far from Redis frees it later than the next request reaches a near
// one, unless it ends its response after the release).
describe('a stream slot is free once its response has ended (two real gateways, real Redis)', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  let far: ServiceHandle;

  beforeAll(async () => {
    stack = await startStack({
      env: { gateway: { MAX_STREAMS_PER_USER: '1', STREAM_LEASE_MS: '5000' } },
    });
    const redis = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy(
      { host: redis.hostname, port: Number(redis.port || 6379) },
      { delayMs: FAR_REDIS_MS },
    );
    redis.host = `127.0.0.1:${proxy.port}`;
    far = await startService(
      'gateway',
      { ...stack.envOf('gateway'), REDIS_URL: redis.toString() },
      { logDir: stack.logDir },
    );
  });

  afterAll(async () => {
    await far?.stop();
    await proxy?.stop();
    await stack?.stop();
  });

  const send = (base: string, user: string, path: string, body?: unknown, signal?: AbortSignal) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });

  /** Reads a response to its end: a JSON body, or every SSE event. */
  const settle = async (r: Response): Promise<Answer> => {
    const taskId = r.headers.get('x-task-id') ?? undefined;
    if (!r.headers.get('content-type')?.includes('text/event-stream')) {
      const body = (await r.json()) as { task_id?: string; status?: string; code?: string };
      return {
        status: r.status,
        taskId: body.task_id ?? taskId,
        end: `${body.status ?? body.code}`,
      };
    }
    const last = (await collectSse(r)).at(-1);
    if (last?.event !== 'message') return { status: r.status, taskId, end: `${last?.event}` };
    const data = JSON.parse(last.data) as AgUiEvent;
    const outcome = data.outcome?.type;
    return {
      status: r.status,
      taskId,
      end: [data.type ?? data.event_type, outcome].filter(Boolean).join(' '),
      interruptId: data.outcome?.interrupts?.[0]?.id,
    };
  };

  const aguiRun = (threadId: string, extra: Record<string, unknown>) => ({
    threadId,
    runId: randomUUID(),
    state: {},
    messages: [{ id: randomUUID(), role: 'user', content: 'what is 5 + 6' }],
    tools: [],
    context: [],
    forwardedProps: {},
    ...extra,
  });

  type Surface = (base: string, user: string, before: Answer | undefined) => Promise<Answer>;

  /** Each surface that holds a stream slot, running one task (or following the one before). */
  const surfaces: Record<string, Surface> = {
    json: async (base, user) =>
      settle(await send(base, user, '/orchestrate', { task: 'what is 2 + 2' })),
    stream: async (base, user) =>
      settle(await send(base, user, '/orchestrate/stream', { task: 'what is 3 + 4' })),
    agui: async (base, user) => settle(await send(base, user, '/ag-ui', aguiRun(randomUUID(), {}))),
    legacy: async (base, user) =>
      settle(
        await send(base, user, `/ag-ui/events?user_message=${encodeURIComponent('what is 7 + 8')}`),
      ),
    // A task submitted without a wait (it holds no slot), then followed live from its first event.
    follow: async (base, user) => {
      const queued = await send(base, user, '/orchestrate?async=true', { task: 'what is 9 + 10' });
      const { task_id: taskId } = (await queued.json()) as { task_id: string };
      return { ...(await settle(await send(base, user, `/tasks/${taskId}/events`))), taskId };
    },
    // The events of the task before, which has ended: its stored events, replayed.
    replay: async (base, user, before) => ({
      ...(await settle(await send(base, user, `/tasks/${before?.taskId}/events`))),
      taskId: before?.taskId,
    }),
    // A wait that ends at an approval (202): the gateway frees the slot itself, the task waits on.
    paused: async (base, user) =>
      settle(
        await send(base, user, '/orchestrate', {
          task: 'what is 4 + 4',
          approval: { tools: ['calculator'] },
        }),
      ),
    // An AG-UI run that ends at its interrupt (the approval of the calculator's call).
    interrupted: async (base, user) => {
      const threadId = randomUUID();
      const forwardedProps = { approval: { tools: ['calculator'] } };
      const r = await send(base, user, '/ag-ui', aguiRun(threadId, { forwardedProps }));
      return { ...(await settle(r)), threadId };
    },
    // The run that answers the interrupt before: it follows the task it resumes to its end.
    resumed: async (base, user, before) => {
      const resume = [
        { interruptId: before?.interruptId, status: 'resolved', payload: { approve: true } },
      ];
      return settle(await send(base, user, '/ag-ui', aguiRun(`${before?.threadId}`, { resume })));
    },
  };

  const ended: Record<string, string> = {
    json: '200 completed',
    stream: '200 orchestrator.task.completed',
    agui: '200 RUN_FINISHED success',
    legacy: '200 AGENT_RESPONSE',
    follow: '200 orchestrator.task.completed',
    replay: '200 orchestrator.task.completed',
    paused: '202 waiting_approval',
    interrupted: '200 RUN_FINISHED interrupt',
    resumed: '200 RUN_FINISHED success',
  };

  it('runs fourteen tasks back to back on every surface that holds a slot, each after the answer before ended, on either replica, with no 429', async () => {
    const user = `one-slot-${randomUUID().slice(0, 8)}`;
    // Every other task on the far replica, the next on the near one: each surface that frees its
    // slot itself (an attach, a pause) ends on the far replica before a task on the near one.
    const order = [
      ...['json', 'legacy', 'follow', 'stream', 'replay', 'agui', 'paused'],
      ...['interrupted', 'resumed', 'json', 'interrupted', 'resumed', 'stream', 'legacy'],
    ];
    const seen: string[] = [];
    let before: Answer | undefined;
    for (const [i, name] of order.entries()) {
      const [replica, base] = i % 2 === 0 ? ['far', far.url] : ['near', stack.gatewayUrl];
      before = await surfaces[name]!(base, user, before);
      seen.push(`${name} on ${replica}: ${before.status} ${before.end}`);
    }
    expect(seen).toEqual(
      order.map((name, i) => `${name} on ${i % 2 ? 'near' : 'far'}: ${ended[name]}`),
    );
  });

  /** A stream that stays open: the events of a task that waits for an approval, its first one read. */
  const openStream = async (base: string, user: string) => {
    const queued = await send(base, user, '/orchestrate?async=true', {
      task: 'what is 6 + 6',
      approval: { tools: ['calculator'] },
    });
    const { task_id: taskId } = (await queued.json()) as { task_id: string };
    const stream = await send(base, user, `/tasks/${taskId}/events`);
    expect(stream.status).toBe(200);
    const events = readSse(stream);
    await events.next();
    return { taskId, events };
  };

  const refusal = async (r: Response) => ({ status: r.status, body: (await r.json()) as unknown });
  const refused = {
    status: 429,
    body: expect.objectContaining({
      code: 'RATE_LIMITED',
      details: expect.objectContaining({ limit: 'streams' }),
    }),
  };

  it('still refuses a second stream while the first is open, on either replica; the first one ending frees the slot for the next', async () => {
    const user = `capped-${randomUUID().slice(0, 8)}`;
    const { taskId, events } = await openStream(far.url, user);
    expect(
      await refusal(await send(stack.gatewayUrl, user, '/orchestrate', { task: 'what is 1 + 1' })),
    ).toEqual(refused);
    expect(await refusal(await send(far.url, user, '/ag-ui/events?user_message=hello'))).toEqual(
      refused,
    );
    expect(await refusal(await send(stack.gatewayUrl, user, `/tasks/${taskId}/events`))).toEqual(
      refused,
    );

    const cancelled = await send(stack.gatewayUrl, user, `/tasks/${taskId}/cancel`, {});
    expect(cancelled.status).toBe(202);
    const rest: string[] = [];
    for await (const e of events) rest.push(e.event);
    expect(rest.at(-1)).toBe('orchestrator.task.cancelled');
    const next = await settle(
      await send(stack.gatewayUrl, user, '/orchestrate', { task: 'what is 2 + 2' }),
    );
    expect(`${next.status} ${next.end}`).toBe('200 completed');
  });

  it('frees the slots of a replica that crashed by their lease (STREAM_LEASE_MS)', async () => {
    const user = `crash-${randomUUID().slice(0, 8)}`;
    await openStream(far.url, user);
    expect(
      await refusal(await send(stack.gatewayUrl, user, '/orchestrate', { task: 'what is 1 + 1' })),
    ).toEqual(refused);
    await far.kill(); // nobody frees the slot, nor renews it
    const answer = await waitFor(
      async () => {
        const r = await send(stack.gatewayUrl, user, '/orchestrate', { task: 'what is 2 + 2' });
        return r.status === 429 ? void (await r.arrayBuffer()) : settle(r);
      },
      { what: "the crashed replica's slot to lapse", timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(`${answer.status} ${answer.end}`).toBe('200 completed');
  });
});
