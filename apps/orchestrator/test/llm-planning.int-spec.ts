import { Agents, Tasks, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  lastUserText,
  type LlmStub,
  readTree,
  type Stack,
  startLlmStub,
  startStack,
  toolResults,
  waitFor,
  waitForTaskLog,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsNamed, submitTask, terminal } from './task-client.js';

const API_KEY = 'sk-int-test-secret-0123456789';

// The orchestrator process planning through a scripted OpenAI-compatible server (a real HTTP server),
// with real mcp-tools and audit processes, NATS JetStream and PostgreSQL.
describe('LLM planning (real orchestrator, mcp-tools, NATS, PostgreSQL; scripted OpenAI-compatible server)', () => {
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
          OPENAI_API_KEY: API_KEY,
          LLM_MODEL: 'stub-model',
          LLM_MAX_RETRIES: '0',
          MAX_ITERATIONS_PER_TURN: '4',
          TASK_TOKEN_BUDGET: '5000',
          LLM_PRICES: '{"stub-model":{"prompt":1,"completion":2}}',
          DISALLOWED_KEYWORDS: 'forbidden-word,classified',
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

  it('runs a two-tool plan whose second step uses the first result, then answers', async () => {
    const script = llm.script('TWO-TOOL', [
      {
        toolCalls: [
          {
            name: 'plan',
            arguments: {
              steps: [
                {
                  id: 'calc',
                  tool: 'calculator',
                  arguments: { expression: '17 * 23' },
                  description: 'compute',
                },
                {
                  id: 'save',
                  tool: 'notes__add',
                  arguments: { content: 'result: {{steps.calc.output.result}}' },
                },
              ],
            },
          },
        ],
        usage: { prompt: 300, completion: 40 },
      },
      { content: 'Saved 391 as a note.', usage: { prompt: 500, completion: 10 } },
    ]);
    const task = await submitTask(client, {
      task: 'TWO-TOOL: compute 17*23 and save it as a note',
    });
    const events = await task.done;

    const end = terminal(events);
    expect(end).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'Saved 391 as a note.', planner: 'llm', steps: 2 },
    });
    expect(end.name === 'orchestrator.task.completed' && end.data.usage).toEqual({
      promptTokens: 800,
      completionTokens: 50,
      totalTokens: 850,
      costUsd: 0.0009,
    });
    expect(eventsNamed(events, 'orchestrator.task.started')[0]?.data).toMatchObject({
      planner: 'llm',
      model: 'stub-model',
    });
    const planned = eventsNamed(events, 'orchestrator.planning.completed');
    expect(planned.map((e) => e.data.plan.map((a) => a.target))).toEqual([
      ['calculator', 'notes.add'],
    ]);
    expect(planned[0]?.data.usage).toMatchObject({
      promptTokens: 300,
      completionTokens: 40,
      costUsd: 0.00038,
    });
    // The second call carried the plan's results back to the model.
    expect(script.requests).toHaveLength(2);
    const fed = toolResults(script.requests[1]!);
    expect(fed).toHaveLength(1);
    expect(JSON.stringify(fed[0]!.content)).toContain('"result":391');
    // Tools were offered under function-calling names, with the plan function.
    const offered = script.requests[0]!.body.tools!.map((t) => t.function.name);
    expect(offered).toEqual(
      expect.arrayContaining(['calculator', 'notes__add', 'notes__get', 'plan']),
    );
    expect(script.requests[0]!.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    // The key goes to the LLM server and nowhere else.
    expect(JSON.stringify(events)).not.toContain(API_KEY);
    expect(readFileSync(join(stack.logDir, 'orchestrator.log'), 'utf8')).not.toContain(API_KEY);

    const notes = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE "userId" = $1',
      [task.actor.userId],
    );
    expect(notes).toEqual([{ content: 'result: 391' }]);
    const [row] = await stack.dbs.orchestrator.query<{ usage: Tasks.TokenUsage; status: string }>(
      'SELECT usage, status FROM "Task" WHERE id = $1',
      [task.taskId],
    );
    expect(row).toMatchObject({ status: 'completed', usage: { totalTokens: 850 } });
    const rounds = await stack.dbs.orchestrator.query<{
      iteration: number;
      usage: Tasks.TokenUsage;
    }>('SELECT iteration, usage FROM "PlanningRound" WHERE "taskId" = $1 ORDER BY iteration', [
      task.taskId,
    ]);
    expect(rounds.map((r) => [r.iteration, r.usage.totalTokens])).toEqual([
      [1, 340],
      [2, 510],
    ]);
    const view = await client.bus.request(
      Tasks.TaskGet,
      { taskId: task.taskId },
      { actor: task.actor },
    );
    expect(view).toMatchObject({
      status: 'completed',
      planner: 'llm',
      usage: { totalTokens: 850, costUsd: 0.0009 },
      planning: [
        {
          iteration: 1,
          planner: 'llm',
          decision: 'actions',
          actions: 2,
          model: 'stub-model',
          usage: { totalTokens: 340 },
        },
        { iteration: 2, decision: 'final', actions: 0, usage: { totalTokens: 510 } },
      ],
      steps: [
        { stepId: 'r1_calc', status: 'completed' },
        { stepId: 'r1_save', status: 'completed', input: { content: 'result: 391' } },
      ],
    });
  });

  it('feeds a failed tool call and a refused one back to the model, which recovers', async () => {
    const script = llm.script('RECOVER', [
      {
        toolCalls: [
          { name: 'calculator', arguments: { expression: '2 +* 3' } },
          { name: 'launch_missiles', arguments: { target: 'moon' } },
          { name: 'notes__add', arguments: { text: 'wrong field' } },
        ],
      },
      { toolCalls: [{ name: 'calculator', arguments: { expression: '2 + 3' } }] },
      { content: 'The answer is 5.' },
    ]);
    const task = await submitTask(client, { task: 'RECOVER: what is 2 + 3?' });
    const events = await task.done;

    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'The answer is 5.', steps: 2 },
    });
    const [first] = eventsNamed(events, 'orchestrator.planning.completed');
    expect(first?.data.plan.map((a) => a.target)).toEqual(['calculator']);
    expect(first?.data.rejected).toEqual([
      {
        tool: 'launch_missiles',
        reason: expect.stringContaining('not a function you were offered'),
      },
      {
        tool: 'notes__add',
        reason: expect.stringMatching(/invalid arguments for notes__add: .*(content|text)/),
      },
    ]);
    expect(eventsNamed(events, 'orchestrator.step.failed')).toHaveLength(1);
    // Round 2 saw all three outcomes: the tool's own error and both refusals.
    const fed = toolResults(script.requests[1]!);
    expect(fed.map((f) => f.content)).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'VALIDATION' }),
      }),
      expect.objectContaining({ status: 'refused' }),
      expect.objectContaining({ status: 'refused' }),
    ]);
    expect(toolResults(script.requests[2]!).map((f) => f.content)).toEqual([
      ...fed.map((f) => f.content),
      expect.objectContaining({ status: 'completed', output: { expression: '2 + 3', result: 5 } }),
    ]);
    const notes = await stack.dbs.tools.query('SELECT id FROM "Note" WHERE "userId" = $1', [
      task.actor.userId,
    ]);
    expect(notes).toEqual([]);
  });

  it('stops at MAX_ITERATIONS_PER_TURN with a clear reason', async () => {
    const loop = { toolCalls: [{ name: 'time__now', arguments: {} }] };
    const script = llm.script('LOOPING', [loop, loop, loop, loop, loop, loop]);
    const task = await submitTask(client, { task: 'LOOPING: keep checking the time' });
    const end = terminal(await task.done);
    expect(end).toMatchObject({
      name: 'orchestrator.task.failed',
      data: {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: expect.stringContaining('more than 4 planning rounds (MAX_ITERATIONS_PER_TURN)'),
        },
        steps: 4,
      },
    });
    expect(script.requests).toHaveLength(4);
    expect(script.remaining).toBe(2);
  });

  it('ends a task whose LLM usage passes TASK_TOKEN_BUDGET, before any tool runs', async () => {
    const script = llm.script('EXPENSIVE', [
      {
        toolCalls: [{ name: 'notes__add', arguments: { content: 'never saved' } }],
        usage: { prompt: 4_800, completion: 300 },
      },
    ]);
    const task = await submitTask(client, { task: 'EXPENSIVE: save a note' });
    const events = await task.done;
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: expect.stringContaining('5100 tokens; its budget is 5000 (TASK_TOKEN_BUDGET)'),
        },
        steps: 0,
        usage: { promptTokens: 4_800, completionTokens: 300, totalTokens: 5_100, costUsd: 0.0054 },
      },
    });
    expect(eventsNamed(events, 'mcp.task.started')).toEqual([]);
    // The request asked for no more completion tokens than the budget had left.
    expect(script.requests[0]!.body.max_tokens).toBeLessThan(5_000);
    expect(
      await stack.dbs.tools.query('SELECT id FROM "Note" WHERE "userId" = $1', [task.actor.userId]),
    ).toEqual([]);
  });

  it('does not make an LLM call the rest of the token budget cannot pay for', async () => {
    const script = llm.script('NEARLY-SPENT', [
      {
        toolCalls: [{ name: 'time__now', arguments: {} }],
        usage: { prompt: 4_900, completion: 50 },
      },
      { content: 'never asked' },
    ]);
    const task = await submitTask(client, { task: 'NEARLY-SPENT: what time is it?' });
    const events = await task.done;
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: {
        error: {
          code: 'BUDGET_EXCEEDED',
          message: expect.stringMatching(
            /4950 of 5000 tokens used, and the next planning call needs about \d+ prompt tokens/,
          ),
        },
        steps: 1,
      },
    });
    expect(script.requests).toHaveLength(1);
  });

  it('blocks disallowed input before the LLM sees it and never stores or streams the text', async () => {
    const marker = `GUARD-IN-${randomUUID()}`;
    const task = await submitTask(client, {
      task: `${marker}: tell me the CLASSIFIED launch codes`,
    });
    const events = await task.done;
    expect(events.map((e) => e.name)).toEqual([
      'orchestrator.task.started',
      'orchestrator.guardrail.violation',
      'orchestrator.task.failed',
    ]);
    expect(events[1]!.data).toEqual({ stage: 'input', rule: 'disallowed_keywords' });
    expect(terminal(events)).toMatchObject({ data: { error: { code: 'GUARDRAIL' } } });
    expect(llm.requests.filter((r) => lastUserText(r).includes(marker))).toEqual([]);
    await expectNowhere(marker, task.taskId, events);
    const audit = await waitFor(async () => {
      const rows = await stack.dbs.audit.query<{
        action: string;
        outcome: string;
        details: Record<string, unknown>;
      }>(
        `SELECT action, outcome, details FROM "AuditEntry" WHERE "taskId" = $1 AND category = 'guardrail'`,
        [task.taskId],
      );
      return rows.length ? rows : undefined;
    });
    expect(audit).toEqual([
      {
        action: 'guardrail.blocked',
        outcome: 'denied',
        details: expect.objectContaining({ stage: 'input', rule: 'disallowed_keywords' }),
      },
    ]);
  });

  it('blocks a disallowed reply: the violation is streamed, the reply is not', async () => {
    const marker = `GUARD-OUT-${randomUUID()}`;
    llm.script('GUARD-OUT', [
      { content: `Sure, here it is (${marker}): the forbidden-word recipe.` },
    ]);
    const task = await submitTask(client, { task: 'GUARD-OUT: tell me a recipe' });
    const events = await task.done;
    expect(events.map((e) => e.name)).toEqual([
      'orchestrator.task.started',
      'mcp.toolbox.generated',
      'orchestrator.planning.started',
      'orchestrator.guardrail.violation',
      'orchestrator.planning.completed',
      'orchestrator.task.failed',
    ]);
    expect(events[3]!.data).toEqual({ stage: 'output', rule: 'disallowed_keywords' });
    expect(terminal(events)).toMatchObject({
      data: {
        error: {
          code: 'GUARDRAIL',
          message: 'the reply was blocked by a guardrail (disallowed_keywords)',
        },
      },
    });
    await expectNowhere(marker, task.taskId, events);
  });

  it("blocks a tool's output: the step fails with GUARDRAIL and the text is never streamed, stored or shown to the model", async () => {
    const marker = `GUARD-STEP-${randomUUID()}`;
    const actor = { userId: `guarded-${randomUUID().slice(0, 8)}`, role: 'user' };
    // The note is written straight through mcp-tools (no task, so no guardrail in the way).
    const added = await client.bus.request(
      Tools.ToolsCall,
      { tool: 'notes.add', input: { content: `${marker}: the plans are classified` } },
      { actor },
    );
    const noteId = (added.output as Tools.Note).id;
    const script = llm.script('GUARD-STEP', [
      { toolCalls: [{ name: 'notes__get', arguments: { id: noteId } }] },
      { content: 'That note cannot be shown here.' },
    ]);
    const task = await submitTask(client, { task: 'GUARD-STEP: get my note' }, actor);
    const events = await task.done;

    // The planner saw a GUARDRAIL failure and could still answer.
    expect(terminal(events)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: 'That note cannot be shown here.', steps: 1 },
    });
    expect(events.map((e) => e.name)).toEqual([
      'orchestrator.task.started',
      'mcp.toolbox.generated',
      'orchestrator.planning.started',
      'orchestrator.planning.completed',
      'orchestrator.step.dispatching',
      'mcp.task.started',
      'orchestrator.guardrail.violation',
      'mcp.task.completed',
      'orchestrator.step.failed',
      'orchestrator.planning.started',
      'orchestrator.task.completed',
    ]);
    const blocked = {
      code: 'GUARDRAIL',
      message: 'the output of step r1_c1 was blocked by a guardrail (disallowed_keywords)',
    };
    expect(eventsNamed(events, 'orchestrator.guardrail.violation')[0]!.data).toEqual({
      stage: 'output',
      rule: 'disallowed_keywords',
      stepId: 'r1_c1',
    });
    expect(eventsNamed(events, 'mcp.task.completed')[0]!.data.output).toBe(
      '[blocked by a guardrail]',
    );
    expect(eventsNamed(events, 'orchestrator.step.failed')[0]!.data.error).toMatchObject(blocked);
    expect(toolResults(script.requests[1]!).map((r) => r.content)).toEqual([
      expect.objectContaining({ status: 'failed', error: blocked }),
    ]);
    expect(JSON.stringify(script.requests.map((r) => r.body))).not.toContain(marker);
    const steps = await stack.dbs.orchestrator.query<{
      status: string;
      output: unknown;
      error: unknown;
    }>('SELECT status, output, error FROM "Step" WHERE "taskId" = $1', [task.taskId]);
    expect(steps).toEqual([
      {
        status: 'failed',
        output: '[blocked by a guardrail]',
        error: expect.objectContaining(blocked),
      },
    ]);
    await expectNowhere(marker, task.taskId, events);
    // The search above would have found it: the text is there, where it was written.
    const notes = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE id = $1',
      [noteId],
    );
    expect(notes[0]!.content).toContain(marker);
  });

  it('keeps a thread: each turn is stored and fed back as history to the next', async () => {
    const thread = `trip-${randomUUID().slice(0, 8)}`;
    const actor = { userId: `traveller-${randomUUID().slice(0, 8)}`, role: 'user' };
    const script = llm.script('THREAD-T', [
      { content: 'Nice to meet you, Ada.' },
      { toolCalls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] },
      { content: '2 + 2 = 4.' },
      { content: 'Your name is Ada.' },
      { content: 'I do not know your name yet.' },
    ]);
    const turns = [
      'THREAD-T1: my name is Ada',
      'THREAD-T2: what is 2 + 2?',
      'THREAD-T3: what is my name?',
    ];
    const answers: string[] = [];
    for (const text of turns) {
      const t = await submitTask(client, { task: text, thread_id: thread }, actor);
      const end = terminal(await t.done);
      answers.push(end.name === 'orchestrator.task.completed' ? end.data.result : end.name);
    }
    expect(answers).toEqual(['Nice to meet you, Ada.', '2 + 2 = 4.', 'Your name is Ada.']);
    const third = script.requests[3]!.body.messages;
    expect(third.map((m) => [m.role, m.content])).toEqual([
      ['system', expect.any(String)],
      ['user', turns[0]],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', turns[1]],
      ['assistant', '2 + 2 = 4.'],
      ['user', turns[2]],
    ]);
    const stored = await stack.dbs.orchestrator.query<{ role: string; content: string }>(
      'SELECT role, content FROM "Turn" WHERE "userId" = $1 AND "threadId" = $2 ORDER BY "createdAt"',
      [actor.userId, thread],
    );
    expect(stored).toHaveLength(6);
    // The same thread id of another user is another conversation.
    const stranger = await submitTask(client, {
      task: 'THREAD-T4: what is my name?',
      thread_id: thread,
    });
    await stranger.done;
    expect(script.requests[4]!.body.messages.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('plans as the agent version a task runs: its instructions, model and parameters reach the model', async () => {
    const admin = { userId: 'ann', role: 'admin' as const };
    const make = (instructions: string, model: Agents.AgentModel, tools?: string[]) => ({
      instructions,
      model,
      ...(tools ? { tools } : {}),
      limits: {},
    });
    await client.bus.request(
      Agents.AgentCreate,
      {
        name: 'pirate',
        config: make('You are PIRATE-ONE.', { name: 'model-one', temperature: 0.2 }),
      },
      { actor: admin },
    );
    await client.bus.request(
      Agents.AgentVersionCreate,
      {
        agent: 'pirate',
        config: make('You are PIRATE-TWO.', { name: 'model-two', topP: 0.5 }, ['calculator']),
      },
      { actor: admin },
    );
    const one = llm.script('AGENT-V1', [{ content: 'arr one', usage: false }]);
    const two = llm.script('AGENT-V2', [{ content: 'arr two', usage: false }]);
    const none = llm.script('AGENT-NONE', [{ content: 'plain', usage: false }]);
    const [v1, v2, plain] = await Promise.all([
      submitTask(client, { task: 'AGENT-V1 hello', agent: { name: 'pirate' } }),
      submitTask(client, { task: 'AGENT-V2 hello', agent: { name: 'pirate', version: 2 } }),
      submitTask(client, { task: 'AGENT-NONE hello' }),
    ]);
    const ended = await Promise.all([v1.done, v2.done, plain.done]);
    expect(ended.map((events) => terminal(events).name)).toEqual([
      'orchestrator.task.completed',
      'orchestrator.task.completed',
      'orchestrator.task.completed',
    ]);
    const [asOne, asTwo, asNone] = [one, two, none].map((s) => s.requests[0]!.body);
    const system = (b: typeof asOne) => String(b?.messages[0]?.content);
    // Two versions, two system prompts and two models; the platform's own for a task naming none.
    expect(system(asOne)).toMatch(/^You are PIRATE-ONE\./);
    expect(system(asTwo)).toMatch(/^You are PIRATE-TWO\./);
    expect(system(asNone)).toMatch(/^You are the planner of Switchboard/);
    expect([asOne?.model, asTwo?.model, asNone?.model]).toEqual([
      'model-one',
      'model-two',
      'stub-model',
    ]);
    expect([asOne?.temperature, asOne?.top_p]).toEqual([0.2, undefined]);
    expect(asTwo?.top_p).toBe(0.5);
    // Version 2 offers the calculator alone (with `plan`); version 1 every tool.
    expect(asTwo?.tools?.map((t) => t.function.name).sort()).toEqual(['calculator', 'plan']);
    expect(asOne?.tools?.map((t) => t.function.name)).toContain('notes__add');
    const started = ended.map(
      (events) => eventsNamed(events, 'orchestrator.task.started')[0]?.data,
    );
    expect(started.map((d) => [d?.model, d?.agent?.version])).toEqual([
      ['model-one', 1],
      ['model-two', 2],
      ['stub-model', undefined],
    ]);
  });

  it('cancels a task during an LLM call by aborting the HTTP request', async () => {
    const gate = llm.gate();
    const script = llm.script('SLOW-MODEL', [{ content: 'too late', hold: gate }]);
    const task = await submitTask(client, { task: 'SLOW-MODEL: think hard' });
    await gate.reached;
    const reply = await client.bus.request(
      Tasks.TaskCancel,
      { taskId: task.taskId, reason: 'changed my mind' },
      { actor: task.actor },
    );
    expect(reply).toEqual({ taskId: task.taskId, status: 'running' });
    const end = terminal(await task.done);
    expect(end).toMatchObject({
      name: 'orchestrator.task.cancelled',
      data: { reason: 'changed my mind' },
    });
    await waitFor(() => script.requests[0]!.aborted, { what: 'the LLM request to be aborted' });
    const view = await client.bus.request(
      Tasks.TaskGet,
      { taskId: task.taskId },
      { actor: task.actor },
    );
    expect(view).toMatchObject({
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'changed my mind' },
    });
  });

  /**
   * The text must not be in any event, task row, step, round, turn, audit row, per-task log file or
   * service log. Audit rows and task logs are written asynchronously: the search starts once the task's
   * guardrail and terminal audit records are stored and its log folder holds the terminal event.
   */
  async function expectNowhere(
    marker: string,
    taskId: string,
    events: Tasks.TaskEvent[],
  ): Promise<void> {
    expect(JSON.stringify(events)).not.toContain(marker);
    await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{ action: string }>(
          `SELECT action FROM "AuditEntry" WHERE "taskId" = $1`,
          [taskId],
        );
        const actions = rows.map((r) => r.action);
        return (
          actions.includes('guardrail.blocked') &&
          actions.some((a) => /^task\.(completed|failed)$/.test(a))
        );
      },
      { what: `the guardrail and terminal audit records of ${taskId}` },
    );
    const folder = await waitForTaskLog(stack.taskLogDir, taskId, terminal(events).seq);
    const files = readTree(folder);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining(['metadata.json', 'orchestrator/main.jsonl']),
    );
    for (const [path, text] of Object.entries(files)) {
      expect({ path, found: text.includes(marker) }).toEqual({ path, found: false });
    }
    const rows = await stack.dbs.orchestrator.query<{ dump: string }>(
      `SELECT concat_ws('|', t::text, (SELECT string_agg(s::text, '|') FROM "Step" s WHERE s."taskId" = t.id),
         (SELECT string_agg(r::text, '|') FROM "PlanningRound" r WHERE r."taskId" = t.id),
         (SELECT string_agg(u::text, '|') FROM "Turn" u WHERE u."taskId" = t.id)) AS dump FROM "Task" t WHERE t.id = $1`,
      [taskId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dump).not.toContain(marker);
    // Every audit row, not only the task's: mcp-tools' records of its tool calls too.
    const audit = await stack.dbs.audit.query<{ dump: string }>(
      `SELECT string_agg(a::text, '|') AS dump FROM "AuditEntry" a`,
    );
    expect(audit[0]!.dump).toContain(taskId);
    expect(audit[0]!.dump).not.toContain(marker);
    for (const name of ['orchestrator', 'audit', 'mcp-tools']) {
      expect(readFileSync(join(stack.logDir, `${name}.log`), 'utf8')).not.toContain(marker);
    }
  }
});
