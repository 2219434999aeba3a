import { Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type LlmStub,
  type Stack,
  startLlmStub,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventsNamed, submitTask, terminal } from './task-client.js';

/** A weather API that answers at once, except for "Slow", which it holds until the caller goes away. */
async function startWeatherApi(): Promise<{
  url: string;
  locations: string[];
  aborted: string[];
  close(): Promise<void>;
}> {
  const locations: string[] = [];
  const aborted: string[] = [];
  const server: Server = createServer((req, res) => {
    const location = new URL(req.url ?? '/', 'http://stub').searchParams.get('location') ?? '';
    locations.push(location);
    if (location === 'Slow') {
      res.on('close', () => aborted.push(location));
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ location, temperatureC: 20, conditions: 'clear' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/current`,
    locations,
    aborted,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** `prefix` padded with dots to exactly `length` characters (4 characters = 1 estimated token). */
const sized = (prefix: string, length: number) => prefix.padEnd(length, '.');

// The limits that end or shape a task, on the real orchestrator, mcp-tools and audit processes:
// per-request max_steps, the thread history's token budget, and the wall-time budget (which must stop
// the remote work too, not only the local wait).
describe('task limits (real orchestrator, mcp-tools, audit, NATS, PostgreSQL; scripted LLM, stub weather API)', () => {
  let llm: LlmStub;
  let weather: Awaited<ReturnType<typeof startWeatherApi>>;
  let stack: Stack;
  let client: BusClient;

  beforeAll(async () => {
    llm = await startLlmStub();
    weather = await startWeatherApi();
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'stub-model',
          LLM_MAX_RETRIES: '0',
          DEFAULT_MAX_STEPS: '5',
          THREAD_HISTORY_TOKENS: '50',
        },
        'mcp-tools': { WEATHER_API_URL: weather.url, WEATHER_API_KEY: 'test-weather-key' },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
    await weather?.close();
    await llm?.stop();
  });

  const calc = (expression: string) => ({ name: 'calculator', arguments: { expression } });

  it("ends a task at the request's max_steps, counting the steps of earlier rounds, before running the plan", async () => {
    const script = llm.script('MAX-STEPS', [
      { toolCalls: [calc('1 + 1')] },
      { toolCalls: [calc('2 + 2'), calc('3 + 3')] },
      { content: 'never asked' },
    ]);
    const task = await submitTask(client, { task: 'MAX-STEPS: add things up', max_steps: 2 });
    const events = await task.done;
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: 'the plan needs 3 steps; the limit is 2 (max_steps)',
        },
        steps: 1,
      },
    });
    // Round 2's calls never reached mcp-tools.
    expect(eventsNamed(events, 'mcp.task.started').map((e) => e.data.input)).toEqual([
      { expression: '1 + 1' },
    ]);
    expect(script.requests).toHaveLength(2);
  });

  it('never lets max_steps raise DEFAULT_MAX_STEPS', async () => {
    llm.script('MANY-STEPS', [
      { toolCalls: ['1', '2', '3', '4', '5', '6'].map((n) => calc(`${n} * 2`)) },
    ]);
    const task = await submitTask(client, { task: 'MANY-STEPS: double them', max_steps: 50 });
    const events = await task.done;
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: 'the plan needs 6 steps; the limit is 5 (DEFAULT_MAX_STEPS)',
        },
        steps: 0,
      },
    });
    expect(eventsNamed(events, 'mcp.task.started')).toEqual([]);
  });

  it('feeds back only the newest whole exchanges of a thread that fit THREAD_HISTORY_TOKENS', async () => {
    const thread = `hist-${randomUUID().slice(0, 8)}`;
    const actor = { userId: `historian-${randomUUID().slice(0, 8)}`, role: 'user' };
    // Each question is 20 estimated tokens, each answer 10: 50 tokens hold the newest exchange (30)
    // and the answer before it (40), but not that answer's question (60) — so that answer goes too.
    const turns = [1, 2, 3].map((n) => ({
      question: sized(`HIST-${n}: question`, 80),
      answer: sized(`answer ${n}`, 40),
    }));
    const script = llm.script('HIST-', [
      ...turns.map((t) => ({ content: t.answer })),
      { content: 'done' },
    ]);
    for (const t of [...turns, { question: 'HIST-4: what did I ask?' }]) {
      const submitted = await submitTask(client, { task: t.question, thread_id: thread }, actor);
      expect(terminal(await submitted.done).name).toBe('orchestrator.task.completed');
    }
    expect(script.requests).toHaveLength(4);
    expect(script.requests[3]!.body.messages.map((m) => [m.role, m.content])).toEqual([
      ['system', expect.any(String)],
      ['user', turns[2]!.question],
      ['assistant', turns[2]!.answer],
      ['user', 'HIST-4: what did I ask?'],
    ]);
    // The second task still saw the whole first exchange (30 tokens fit).
    expect(script.requests[1]!.body.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);
  });

  describe(`with a small TASK_TIMEOUT_MS`, () => {
    // Both tests wait it out: short, yet long enough for a task to reach its LLM call or its tool
    // call on a busy machine before the time runs out (what each test is about).
    const TIMEOUT_MS = 3_000;
    const timedOut = {
      code: 'TIMEOUT',
      message: `the task exceeded its time budget of ${TIMEOUT_MS} ms (TASK_TIMEOUT_MS)`,
    };

    beforeAll(async () => {
      await stack.restart('orchestrator', { TASK_TIMEOUT_MS: String(TIMEOUT_MS) });
    });

    it('fails a task whose LLM call outlives the budget with TIMEOUT, aborting the HTTP request', async () => {
      const gate = llm.gate();
      const script = llm.script('SLOW-THINKER', [{ content: 'too late', hold: gate }]);
      const task = await submitTask(client, { task: 'SLOW-THINKER: ponder this' });
      await gate.reached;
      expect(script.requests[0]!.aborted).toBe(false);
      const end = terminal(await task.done);
      expect(end).toMatchObject({ name: 'orchestrator.task.failed', data: { error: timedOut } });
      await waitFor(() => script.requests[0]!.aborted, { what: 'the LLM request to be aborted' });
      const view = await client.bus.request(
        Tasks.TaskGet,
        { taskId: task.taskId },
        { actor: task.actor },
      );
      expect(view).toMatchObject({ status: 'failed', error: timedOut });
    });

    it('tells mcp-tools to stop the tool call that was running when the time ran out', async () => {
      llm.script('SLOW-WEATHER', [
        { toolCalls: [{ name: 'weather__current', arguments: { location: 'Slow' } }] },
        { content: 'never asked' },
      ]);
      const task = await submitTask(client, { task: 'SLOW-WEATHER: weather in Slow?' });
      await waitFor(() => weather.locations.includes('Slow'), {
        what: 'the weather call to reach the API',
      });
      const end = terminal(await task.done);
      expect(end).toMatchObject({ name: 'orchestrator.task.failed', data: { error: timedOut } });
      await waitFor(() => weather.aborted.includes('Slow'), {
        what: 'the weather request to be aborted',
      });
      // Stopped by the task's cancel broadcast, not by the tool's own (10 s) timeout.
      const [call] = await waitFor(async () => {
        const rows = await stack.dbs.audit.query<{
          outcome: string;
          details: Record<string, unknown>;
        }>(
          `SELECT outcome, details FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'tool.call'`,
          [task.taskId],
        );
        return rows.length ? rows : undefined;
      });
      expect(call).toEqual({
        outcome: 'failure',
        details: expect.objectContaining({
          tool: 'weather.current',
          code: 'CANCELLED',
          message: `tool weather.current was cancelled with its task: ${timedOut.message}`,
        }),
      });
    });
  });
});
