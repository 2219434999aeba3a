import { Tasks } from '@switchboard/contracts';
import { encodeJson, decodeJson } from '@switchboard/messaging';
import {
  type BusClient,
  collectSse,
  createBusClient,
  readSse,
  type Stack,
  startStack,
  waitFor,
} from '@switchboard/testing';
import type { Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';

const USER = 'stream-user';
const at = () => new Date().toISOString();

/**
 * The orchestrator's side of a task, played by the test: it answers TaskGet from `views` and
 * TaskEvents from the events it journaled (`journal`), and publishes them live, so the gateway's streams meet the states that are hard to reach with a real
 * orchestrator (expired events, a terminal event that never comes, a Last-Event-ID from the future).
 */
class FakeOrchestrator {
  readonly views = new Map<string, Tasks.TaskView>();
  /** The events each task has journaled (what TaskEvents answers: expire one by deleting it). */
  readonly journal = new Map<string, Tasks.TaskEvent[]>();
  private sub: Subscription | undefined;
  private journalSub: Subscription | undefined;

  constructor(private readonly client: BusClient) {}

  start(): void {
    this.answerJournal();
    this.sub = this.client.bus.connection.subscribe(Tasks.TaskGet.subject, {
      callback: (err, msg) => {
        if (err) return;
        const { data } = decodeJson(msg.data) as { data: { taskId: string } };
        const view = this.views.get(data.taskId);
        msg.respond(
          encodeJson(
            view
              ? { response: view, isDisposed: true }
              : {
                  err: { code: 'NOT_FOUND', message: 'no such task', retryable: false },
                  isDisposed: true,
                },
          ),
        );
      },
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.journalSub?.unsubscribe();
  }

  private answerJournal(): void {
    this.journalSub = this.client.bus.connection.subscribe(Tasks.TaskEvents.subject, {
      callback: (err, msg) => {
        if (err) return;
        const { data } = decodeJson(msg.data) as {
          data: { taskId: string; afterSeq?: number; limit?: number };
        };
        const journaled = this.journal.get(data.taskId) ?? [];
        const last = journaled.at(-1);
        const page = {
          taskId: data.taskId,
          events: journaled.filter((e) => e.seq > (data.afterSeq ?? 0)).slice(0, data.limit ?? 100),
          lastSeq: last?.seq ?? 0,
          ended: last ? Tasks.isTerminalTaskEvent(last) : false,
        };
        msg.respond(encodeJson({ response: page, isDisposed: true }));
      },
    });
  }

  view(taskId: string, status: Tasks.TaskStatus, lastEventSeq: number): void {
    this.views.set(taskId, {
      taskId,
      userId: USER,
      status,
      task: 'what is 2 + 2',
      planner: 'builtin',
      ...(status === 'completed' ? { result: '2 + 2 = 4.' } : {}),
      steps: [],
      lastEventSeq,
      createdAt: at(),
      updatedAt: at(),
    });
  }

  async emit(taskId: string, seq: number, terminal = false): Promise<void> {
    const event = (
      terminal
        ? {
            name: 'orchestrator.task.completed',
            data: { result: '2 + 2 = 4.', planner: 'builtin', steps: 0, durationMs: 5 },
          }
        : { name: 'orchestrator.planning.started', data: { planner: 'builtin', iteration: seq } }
    ) as Pick<Tasks.TaskEvent, 'name' | 'data'>;
    const journaled = {
      ...event,
      taskId,
      seq,
      at: at(),
      source: 'orchestrator',
    } as Tasks.TaskEvent;
    this.journal.set(taskId, [...(this.journal.get(taskId) ?? []), journaled]);
    this.client.bus.publish(Tasks.TaskEventPublished, [taskId, 'default', event.name], {
      taskId,
      events: [journaled],
    });
    await this.client.bus.connection.flush();
  }
}

// A real gateway process against a private NATS and Redis; the orchestrator is the test's fake.
describe('gateway event streams end, whatever state the task is in (real gateway, fake orchestrator)', () => {
  let stack: Stack;
  let client: BusClient;
  let orchestrator: FakeOrchestrator;

  beforeAll(async () => {
    stack = await startStack({
      services: ['gateway'],
      env: {
        gateway: {
          TASK_STALL_CHECK_MS: '300',
          // Two tests wait out the grace an ended task's missing events get: 200 ms, not 2 s.
          TASK_OUTCOME_GRACE_MS: '200',
          SSE_HEARTBEAT_MS: '200',
          MAX_STREAMS_PER_USER: '1',
          RESULT_TIMEOUT_MS: '600000',
        },
      },
    });
    client = await createBusClient(
      stack.nats.url,
      'orchestrator',
      stack.natsSettings('orchestrator'),
    );
    orchestrator = new FakeOrchestrator(client);
    orchestrator.start();
  });

  afterAll(async () => {
    orchestrator?.stop();
    await client?.close();
    await stack?.stop();
  });

  const events = (taskId: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${stack.gatewayUrl}/tasks/${taskId}/events`, {
      headers: { 'x-user-id': USER, ...headers },
      ...(signal ? { signal } : {}),
    });

  it('a Last-Event-ID beyond a running task is taken as its last event: the stream still ends with the task', async () => {
    const taskId = randomUUID();
    orchestrator.view(taskId, 'running', 3);
    for (const seq of [1, 2, 3]) await orchestrator.emit(taskId, seq);
    const r = await events(taskId, { 'last-event-id': '999' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toEqual(expect.any(String));
    const seen = collectSse(r);
    await orchestrator.emit(taskId, 4, true);
    expect((await seen).map((e) => [e.id, e.event])).toEqual([
      ['4', 'orchestrator.task.completed'],
    ]);

    orchestrator.view(taskId, 'completed', 4);
    const after = await events(taskId, { 'last-event-id': '999' });
    expect(after.status).toBe(204);
  });

  it('a task whose events have expired ends its stream with the stored outcome, and a resume after it gets 204', async () => {
    const taskId = randomUUID();
    orchestrator.view(taskId, 'completed', 6); // nothing in JetStream any more
    const r = await events(taskId);
    expect(r.status).toBe(200);
    const [only, ...rest] = await collectSse(r);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ id: '6', event: 'orchestrator.task.completed' });
    expect(JSON.parse(only!.data)).toMatchObject({
      taskId,
      source: 'gateway',
      data: { result: '2 + 2 = 4.' },
    });
    expect((await events(taskId, { 'last-event-id': '6' })).status).toBe(204);
  });

  it('a task that ended without its terminal event reaching the stream ends with the stored outcome', async () => {
    const taskId = randomUUID();
    orchestrator.view(taskId, 'running', 1);
    await orchestrator.emit(taskId, 1);
    const r = await events(taskId);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of readSse(r)) seen.push(`${e.id} ${e.event}`);
    })();
    await waitFor(() => seen.length === 1, { what: 'the first event' });
    // The task ends in the store, but events 2 and 3 are never published.
    orchestrator.view(taskId, 'completed', 3);
    await reading;
    expect(seen).toEqual(['1 orchestrator.planning.started', '3 orchestrator.task.completed']);
  });

  it('a waiting POST /orchestrate holds a stream slot and frees it when the client goes away', async () => {
    const metric = async () => {
      const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
      return Number(/sb_gateway_open_streams\{[^}]*kind="wait"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const post = (signal?: AbortSignal) =>
      fetch(`${stack.gatewayUrl}/orchestrate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': USER },
        body: JSON.stringify({ task: 'what is 2 + 2' }),
        ...(signal ? { signal } : {}),
      });
    const abort = new AbortController();
    const waiting = post(abort.signal).catch((e: unknown) => e);
    await waitFor(async () => (await metric()) === 1, { what: 'the wait to hold its slot' });
    // MAX_STREAMS_PER_USER=1: a second wait of the same user is refused while the first holds it.
    const second = await post();
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({
      code: 'RATE_LIMITED',
      details: { limit: 'streams' },
    });
    abort.abort();
    expect(await waiting).toMatchObject({ name: 'AbortError' });
    await waitFor(async () => (await metric()) === 0, { what: 'the slot to be freed' });
    // The slot is free again: a stream of the same user is admitted.
    const taskId = randomUUID();
    orchestrator.view(taskId, 'running', 0);
    const stream = await events(taskId);
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  });
});
