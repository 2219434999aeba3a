import type { Tasks } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  type LlmStub,
  type Stack,
  startLlmStub,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { submitTask, terminal } from './task-client.js';

// What a model can do wrong, on the real orchestrator (LLM_STREAM=true) against the scripted
// OpenAI-compatible server: ask for a tool it was not offered (refused, and audited), or send one chunk
// of a streamed answer and then nothing (asked again after LLM_STREAM_IDLE_MS; ended by LLM_TIMEOUT_MS,
// or by the task's budget when that comes first, with TIMEOUT — not left hanging until the server
// gives up).
describe('LLM faults (real orchestrator, mcp-tools and audit; scripted LLM)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let client: BusClient;

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      services: ['mcp-tools', 'audit', 'orchestrator'],
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          LLM_MODEL: 'stub-model',
          LLM_STREAM: 'true',
          LLM_MAX_RETRIES: '0',
          // Where a test needs an answer, its time limit is generous: the stub answers at once, but a
          // loaded CI machine has held the orchestrator's event loop for over a second, and the timer
          // then fires before the answer that waits is read. Tests of the limit itself set it short.
          LLM_TIMEOUT_MS: '30000',
          TASK_TIMEOUT_MS: '60000',
        },
      },
    });
    client = await createBusClient(stack.nats.url, 'gateway', stack.natsSettings('gateway'));
  });

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
    await llm?.stop();
  });

  async function stalledTask(task: string) {
    const script = llm.script(task, [{ content: 'Let me think about', stall: true }]);
    const started = Date.now();
    const submitted = await submitTask(client, { task });
    const last = terminal(await submitted.done) as Tasks.TaskEventOf<'orchestrator.task.failed'>;
    await waitFor(() => script.requests[0]?.aborted, { what: 'the LLM request closed' });
    return { last, elapsedMs: Date.now() - started };
  }

  it('audits a call to a tool the model was not offered as denied, with the tool and the actor', async () => {
    const task = 'REFUSED: show me the server internals';
    llm.script(task, [
      { toolCalls: [{ name: 'admin__debug', arguments: {} }] },
      { content: 'I cannot do that.' },
    ]);
    const submitted = await submitTask(client, { task });
    expect(terminal(await submitted.done)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'I cannot do that.' },
    });
    const rows = await waitFor(
      async () => {
        const r = await stack.dbs.audit.query<Record<string, unknown>>(
          `SELECT outcome, resource, "userId", role, source, details FROM "AuditEntry"
           WHERE "taskId" = $1 AND action = 'tool.call'`,
          [submitted.taskId],
        );
        return r.length ? r : undefined;
      },
      { what: 'the refusal in the audit trail' },
    );
    expect(rows).toEqual([
      {
        outcome: 'denied',
        resource: 'admin__debug',
        userId: submitted.actor.userId,
        role: 'user',
        source: 'orchestrator',
        details: expect.objectContaining({ tool: 'admin__debug', code: 'FORBIDDEN' }),
      },
    ]);
  });

  it('ends the task with TIMEOUT once LLM_TIMEOUT_MS has passed, closing the request', async () => {
    await stack.restart('orchestrator', { LLM_TIMEOUT_MS: '1000' });
    const { last, elapsedMs } = await stalledTask('STALL-A: what is the capital of France');
    expect(last.name).toBe('orchestrator.task.failed');
    expect(last.data.error).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/did not finish its answer within 1000 ms \(LLM_TIMEOUT_MS\)/),
    });
    // Wide bound: well before the task's 60 s budget (and the server's own 300 s request timeout).
    expect(elapsedMs).toBeLessThan(30_000);
  });

  it('asks again for an answer that stalled (LLM_STREAM_IDLE_MS) and the task completes', async () => {
    // The stalled attempt and the one after it share LLM_TIMEOUT_MS (30 s here). 1.5 s of silence:
    // a held event loop must not pass for a stall of the answer that follows.
    await stack.restart('orchestrator', { LLM_STREAM_IDLE_MS: '1500' });
    const task = 'STALL-ONCE: what is the capital of Italy';
    const script = llm.script(task, [
      { content: 'Let me think about', stall: true },
      { content: 'Rome.' },
    ]);
    const submitted = await submitTask(client, { task });
    expect(terminal(await submitted.done)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Rome.' },
    });
    expect(script.requests).toHaveLength(2);
    expect(script.requests[0]?.aborted).toBe(true);
    expect(stack.services['orchestrator']!.logs()).toContain(
      'a streamed LLM answer stalled; asking again',
    );
  });

  it('asks a hung LLM server again (LLM_MAX_RETRIES) after LLM_TIMEOUT_MS and the task completes', async () => {
    // Short enough to wait out twice, long enough for the third answer on a loaded machine.
    await stack.restart('orchestrator', { LLM_MAX_RETRIES: '2', LLM_TIMEOUT_MS: '3000' });
    const task = 'HANG-TWICE: what is the capital of Portugal';
    const script = llm.script(task, [{ hang: true }, { hang: true }, { content: 'Lisbon.' }]);
    const submitted = await submitTask(client, { task });
    expect(terminal(await submitted.done)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Lisbon.' },
    });
    expect(script.requests).toHaveLength(3);
    expect(script.requests[0]?.aborted && script.requests[1]?.aborted).toBe(true);
    expect(stack.services['orchestrator']!.logs()).toContain('an LLM call failed; asking again');
  });

  it('ends it with TIMEOUT by the task budget when that runs out first', async () => {
    await stack.restart('orchestrator', { LLM_TIMEOUT_MS: '600000', TASK_TIMEOUT_MS: '3000' });
    const { last, elapsedMs } = await stalledTask('STALL-B: what is the capital of Spain');
    expect(last.name).toBe('orchestrator.task.failed');
    expect(last.data.error).toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/exceeded its time budget of 3000 ms \(TASK_TIMEOUT_MS\)/),
    });
    expect(elapsedMs).toBeLessThan(30_000);
  });
});
