import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  connectAs,
  watchTraffic,
  type LlmStub,
  type LlmStubAnswer,
  type LlmStubRequest,
  type Stack,
  startLlmStub,
  startStack,
  toolResults,
  waitFor,
} from '@switchboard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';

const TASKS = 20;
const question = (n: number) => `what is ${n} * 7?`;

/**
 * The model behind the stub. `model-a` (the platform's) asks the calculator, then answers with its
 * result. `model-b` answers at once without a tool: right for even numbers, wrong for odd ones — so a
 * batch against it has same and different answers to report.
 */
function model(n: number) {
  return (req: LlmStubRequest): LlmStubAnswer => {
    if (req.body.model === 'model-b')
      return {
        content: n % 2 === 0 ? `The answer is ${n * 7}.` : `The answer is about ${n * 7 + 1}.`,
        usage: { prompt: 40, completion: 9 },
      };
    const results = toolResults(req);
    if (!results.length)
      return {
        toolCalls: [{ name: 'calculator', arguments: { expression: `${n} * 7` } }],
        usage: { prompt: 50, completion: 12 },
      };
    return { content: `The answer is ${n * 7}.`, usage: { prompt: 80, completion: 8 } };
  };
}

/**
 * Replays and evaluations of tasks an LLM planned (docs/replay.md), on real processes with NATS
 * identities and an OpenAI-compatible stub as the model: a batch of recorded tasks run against
 * another model reports each task's difference; a replay needs no model at all — the running stub
 * receives no request (its own count), and a replay runs with the stub stopped; no replay reaches
 * mcp-tools' tool handler (its `sb_tool_calls_total`).
 */
describe('replays of LLM-planned tasks (real processes, NATS identities, OpenAI-compatible stub)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let watcher: NatsConnection;
  const toolCalls: string[] = [];
  const user = `eve-${randomUUID().slice(0, 8)}`;
  const ids: string[] = [];

  beforeAll(async () => {
    llm = await startLlmStub();
    for (let n = 1; n <= TASKS; n++)
      llm.script(
        question(n),
        Array.from({ length: 6 }, () => model(n)),
      );
    stack = await startStack({
      shape: 'cell',
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-replay-0123456789',
          LLM_MODEL: 'model-a',
          // A batch starts its next runs at its next sweep after earlier ones ended (shipped: every
          // second): five times a second here, so the 20-task batch (4 at a time) waits for its
          // runs, not for the sweeps between them.
          REPLAY_BATCH_SWEEP_MS: '200',
        },
      },
    });
    watcher = await connectAs({ identity: 'operator', nats: stack.natsSettings('operator') });
    const text = new TextDecoder();
    // as the operator sees them: with the copies of what the cell's services asked each other
    await watchTraffic(
      watcher,
      'sb.cmd.tools.call.>',
      (m) => void toolCalls.push(text.decode(m.data)),
    ).ready;
  }, 120_000);

  afterAll(async () => {
    await watcher?.close();
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await llm?.stop().catch(() => undefined);
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, body?: unknown, who = user) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': who },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('records 20 tasks the model planned (a calculator call, then the answer)', async () => {
    for (let n = 1; n <= TASKS; n++) {
      const res = await call('POST', '/orchestrate', { task: question(n) });
      const body = (await res.json()) as { task_id: string; result: string };
      expect([n, res.status, body.result]).toEqual([n, 200, `The answer is ${n * 7}.`]);
      ids.push(body.task_id);
    }
    // (a cell's copies of its in-process requests reach the watcher within about 50 ms)
    await waitFor(() => toolCalls.length >= TASKS, { what: 'the recorded tasks’ tool calls' });
    expect(toolCalls).toHaveLength(TASKS);
  }, 180_000);

  it('runs the batch against another model: per task the same or a different answer, tokens and cost against the originals, no tool called', async () => {
    const before = { tools: toolCalls.length, stub: llm.requests.length };
    const res = await call('POST', '/replays', {
      taskIds: ids,
      changes: { model: 'model-b' },
      concurrency: 4,
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as Tasks.ReplayBatchView;
    expect(started).toMatchObject({ mode: 'fork', status: 'running', totals: { tasks: TASKS } });
    const done = await waitFor(
      async () => {
        const view = (await (
          await call('GET', `/replays/${started.batchId}`)
        ).json()) as Tasks.ReplayBatchView;
        return view.status === 'completed' ? view : undefined;
      },
      { timeoutMs: 120_000, what: 'the batch to complete' },
    );
    expect(done.totals).toMatchObject({
      tasks: TASKS,
      done: TASKS,
      sameAnswer: TASKS / 2,
      differentAnswer: TASKS / 2,
      failed: 0,
      skipped: 0,
    });
    expect(done.totals.tokens.original).toBe(TASKS * (50 + 12 + 80 + 8));
    expect(done.totals.tokens.rerun).toBe(TASKS * (40 + 9));
    const odd = done.items[0] as Tasks.BatchItemView;
    expect(odd).toMatchObject({
      outcome: 'different-answer',
      answers: { original: 'The answer is 7.', rerun: 'The answer is about 8.' },
      tokens: { original: 150, rerun: 49 },
    });
    expect(done.items[1]?.outcome).toBe('same-answer');
    // model-b was asked once per task, and no tool ran
    const asked = llm.requests.slice(before.stub);
    expect(asked.map((r) => r.body.model)).toEqual(Array(TASKS).fill('model-b'));
    expect(toolCalls.length).toBe(before.tools);
    const listed = (await (await call('GET', '/replays')).json()) as {
      batches: Tasks.ReplayBatchSummary[];
    };
    expect(listed.batches[0]).toMatchObject({ batchId: started.batchId, status: 'completed' });
    // another user sees neither the batch nor the list entry
    expect((await call('GET', `/replays/${started.batchId}`, undefined, 'mallory')).status).toBe(
      404,
    );
  }, 180_000);

  /** Replays a task and reads the replay's events to their end. */
  async function replay(taskId: string) {
    const res = await call('POST', `/tasks/${taskId}/replay`, {});
    expect(res.status).toBe(202);
    const { links } = (await res.json()) as { links: { events: string } };
    return (await collectSse(await call('GET', links.events))).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );
  }

  /** The calls mcp-tools' tool handler took (`sb_tool_calls_total` of the running process). */
  const handlerCalls = async () => {
    const text = await (await fetch(`${stack.services['mcp-tools']!.url}/metrics`)).text();
    return [...text.matchAll(/^sb_tool_calls_total\{[^}]*\} (\S+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
  };

  it('replays a task the model planned as identical with the model running and not asked', async () => {
    const before = { stub: llm.requests.length, handler: await handlerCalls() };
    // the tool handler's counter counts: the 20 recorded tasks went through it
    expect(before.handler).toBeGreaterThanOrEqual(TASKS);
    const events = await replay(ids[1]!);
    const verdict = events.find((e) => e.name === 'orchestrator.replay.verdict');
    expect(verdict?.data).toMatchObject({ identical: true, rounds: 2, steps: 1 });
    expect(events.at(-1)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'The answer is 14.' },
    });
    expect(llm.requests.length).toBe(before.stub);
    expect(await handlerCalls()).toBe(before.handler);
  }, 60_000);

  it('replays a task the model planned as identical with the model gone', async () => {
    await llm.stop();
    const before = { stub: llm.requests.length, handler: await handlerCalls() };
    const events = await replay(ids[2]!);
    const verdict = events.find((e) => e.name === 'orchestrator.replay.verdict');
    expect(verdict?.data).toMatchObject({ identical: true, rounds: 2, steps: 1 });
    expect(events.at(-1)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'The answer is 21.' },
    });
    expect(llm.requests.length).toBe(before.stub);
    expect(await handlerCalls()).toBe(before.handler);
  }, 60_000);

  it('replays a batch under a new guardrail as a what-if: nothing is called, each task says where the rule would have stopped it', async () => {
    const res = await call('POST', '/replays', {
      taskIds: ids.slice(0, 3),
      changes: { guardrails: { disallowedKeywords: ['answer'] } },
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as Tasks.ReplayBatchView;
    expect(started.mode).toBe('replay');
    const done = await waitFor(
      async () => {
        const view = (await (
          await call('GET', `/replays/${started.batchId}`)
        ).json()) as Tasks.ReplayBatchView;
        return view.status === 'completed' ? view : undefined;
      },
      { timeoutMs: 60_000, what: 'the guardrail batch to complete' },
    );
    expect(done.totals).toMatchObject({ tasks: 3, done: 3, failed: 3 });
    expect(done.items[0]?.divergence).toMatchObject({ at: 'round', round: 2 });
  }, 90_000);

  it('refuses a batch it cannot run, naming the field', async () => {
    const bad = async (body: unknown) => {
      const res = await call('POST', '/replays', body);
      return { status: res.status, message: ((await res.json()) as { message: string }).message };
    };
    expect(await bad({ changes: {} })).toMatchObject({
      status: 400,
      message: expect.stringContaining('taskIds'),
    });
    expect(await bad({ taskIds: [randomUUID()] })).toMatchObject({
      status: 400,
      message: expect.stringContaining('taskIds.0'),
    });
    expect(
      await bad({
        taskIds: ids.slice(0, 1),
        changes: { guardrails: { disallowedPatterns: ['(open'] } },
      }),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining('changes.guardrails.disallowedPatterns.0'),
    });
  });
});
