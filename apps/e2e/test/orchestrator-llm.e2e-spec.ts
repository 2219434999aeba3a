import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  DEMO_TASK,
  type LlmStub,
  readSse,
  readTree,
  type Stack,
  startLlmStub,
  startStack,
  waitFor,
  waitForTaskLog,
} from '@switchboard/testing';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LONG_ANSWER =
  `17 * 23 = 391, saved as a note. ${'This sentence pads the answer past five hundred characters. '.repeat(10)}`.trim();

const readJsonl = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          seq: number;
          event: string;
          data: Record<string, unknown>;
          raw?: string;
        },
    );

// The platform with its planner pointed at an OpenAI-compatible server (a scripted one: there is no real
// LLM on the test machines), through the gateway, with the audit service writing per-task logs.
describe('the LLM planner end to end (gateway, orchestrator, mcp-tools and audit in a cell; scripted OpenAI-compatible server)', () => {
  let llm: LlmStub;
  let stack: Stack;
  let logs: string;

  beforeAll(async () => {
    llm = await startLlmStub();
    stack = await startStack({
      shape: 'cell',
      env: {
        orchestrator: {
          OPENAI_BASE_URL: llm.baseUrl,
          OPENAI_API_KEY: 'sk-e2e-secret-0123456789',
          LLM_MODEL: 'stub-model',
          DISALLOWED_KEYWORDS: 'classified',
        },
      },
    });
    logs = stack.taskLogDir;
  });

  afterAll(async () => {
    await stack?.stop();
    await llm?.stop();
  });

  const post = (path: string, body: unknown, user: string) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify(body),
    });

  it('runs the demo task through the LLM planner and leaves the documented per-task log tree', async () => {
    const user = `llm-${randomUUID().slice(0, 8)}`;
    llm.script(DEMO_TASK, [
      {
        toolCalls: [
          {
            name: 'plan',
            arguments: {
              steps: [
                { id: 'calc', tool: 'calculator', arguments: { expression: '17 * 23' } },
                {
                  id: 'note',
                  tool: 'notes__add',
                  arguments: { content: '$steps.calc.output.result' },
                },
              ],
            },
          },
        ],
        usage: { prompt: 420, completion: 60 },
      },
      // The model wrote a number where the tool wants text: the failure goes back to it, and it recovers.
      {
        toolCalls: [{ name: 'notes__add', arguments: { content: '391' } }],
        usage: { prompt: 600, completion: 20 },
      },
      { content: LONG_ANSWER, usage: { prompt: 700, completion: 130 } },
    ]);
    const response = await post('/orchestrate/stream', { task: DEMO_TASK }, user);
    expect(response.status).toBe(200);
    const taskId = response.headers.get('x-task-id')!;
    const events = (await collectSse(response)).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({
      name: 'orchestrator.task.started',
      data: { planner: 'llm', model: 'stub-model' },
    });
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'mcp.toolbox.generated',
        'orchestrator.step.failed',
        'mcp.task.completed',
        'orchestrator.task.completed',
      ]),
    );
    const final = events[events.length - 1]!;
    expect(final).toMatchObject({
      name: 'orchestrator.task.completed',
      data: {
        result: LONG_ANSWER,
        planner: 'llm',
        steps: 3,
        usage: { promptTokens: 1_720, completionTokens: 210, totalTokens: 1_930 },
      },
    });
    const notes = await stack.dbs.tools.query<{ content: string }>(
      'SELECT content FROM "Note" WHERE "userId" = $1',
      [user],
    );
    expect(notes).toEqual([{ content: '391' }]);

    // logs/{ISO-timestamp}_{8-char task hash}/...
    const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 8);
    const folder = await waitFor(
      () => {
        const name = readdirSync(logs).find((n) => n.endsWith(`_${hash}`));
        if (!name || !existsSync(join(logs, name, 'metadata.json'))) return undefined;
        const meta = JSON.parse(readFileSync(join(logs, name, 'metadata.json'), 'utf8')) as {
          status: string;
          lastSeq: number;
        };
        return meta.status === 'completed' && meta.lastSeq === final.seq ? name : undefined;
      },
      { what: 'the task log folder', timeoutMs: 30_000 },
    );
    expect(folder).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z_[0-9a-f]{8}$/);
    expect(folder.split('_')[0]).toBe(events[0]!.at);
    const root = join(logs, folder);
    expect(readdirSync(root).sort()).toEqual(['mcp', 'metadata.json', 'orchestrator']);
    expect(JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8'))).toMatchObject({
      taskId,
      taskHash: hash,
      status: 'completed',
      userId: user,
      planner: 'llm',
      model: 'stub-model',
      steps: 3,
      events: events.length,
      usage: { totalTokens: 1_930 },
      mcp: ['r1_calc', 'r1_note', 'r2_c1'],
    });
    const main = readJsonl(join(root, 'orchestrator', 'main.jsonl'));
    expect(main.map((l) => [l.seq, l.event])).toEqual(events.map((e) => [e.seq, e.name]));
    // Values over 500 characters are cut in the main file and kept whole in raw/.
    const completed = main[main.length - 1]!;
    expect(completed.data['result']).toBe(
      `${LONG_ANSWER.slice(0, 500)}... [truncated, ${LONG_ANSWER.length} chars total]`,
    );
    expect(readdirSync(join(root, 'orchestrator', 'raw'))).toContain(
      completed.raw!.split('/').pop(),
    );
    const raw = JSON.parse(readFileSync(join(root, completed.raw!), 'utf8')) as {
      data: { result: string };
    };
    expect(raw.data.result).toBe(LONG_ANSWER);
    expect(readdirSync(join(root, 'mcp')).sort()).toEqual(['r1_calc', 'r1_note', 'r2_c1']);
    for (const step of ['r1_calc', 'r2_c1']) {
      expect(readJsonl(join(root, 'mcp', step, 'main.jsonl')).map((l) => l.event)).toEqual([
        'mcp.task.started',
        'mcp.task.completed',
      ]);
    }
    expect(readJsonl(join(root, 'mcp', 'r1_note', 'main.jsonl')).map((l) => l.event)).toEqual([
      'mcp.task.started',
      'mcp.task.failed',
    ]);
  });

  it("offers the model only the allowed provider's tools under custom constraints, and refuses a forced call to another", async () => {
    const user = `constrained-${randomUUID().slice(0, 8)}`;
    const script = llm.script('E2E-CONSTRAINED', [
      {
        toolCalls: [
          { name: 'notes__add', arguments: { content: 'saved anyway' } },
          { name: 'calculator', arguments: { expression: '6 * 7' } },
        ],
      },
      { content: '6 * 7 = 42; notes are not available to this task.' },
    ]);
    const response = await post(
      '/orchestrate/stream',
      {
        task: 'E2E-CONSTRAINED: what is 6 * 7, then save the result as a note',
        tool_constraints: { mode: 'custom', providers: ['math'] },
      },
      user,
    );
    expect(response.status).toBe(200);
    const events = (await collectSse(response)).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );

    // Offered: the math provider's tool, and no other provider's.
    const offered = (script.requests[0]!.body.tools ?? []).map((t) => t.function.name);
    expect(offered).toContain('calculator');
    expect(offered.filter((n) => /^(notes|clock|time|admin)__/.test(n))).toEqual([]);
    const toolbox = events.find((e) => e.name === 'mcp.toolbox.generated');
    expect(toolbox?.data).toMatchObject({
      tools: [{ name: 'calculator', provider: 'math' }],
      mode: 'custom',
    });
    // The forced call is refused before it reaches mcp-tools; the model hears why, and the rest runs.
    const planned = events.find((e) => e.name === 'orchestrator.planning.completed');
    expect(planned?.data).toMatchObject({
      plan: [expect.objectContaining({ target: 'calculator' })],
      rejected: [
        { tool: 'notes__add', reason: expect.stringContaining('not a function you were offered') },
      ],
    });
    expect(events.at(-1)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: '6 * 7 = 42; notes are not available to this task.', steps: 1 },
    });
    const notes = await stack.dbs.tools.query('SELECT id FROM "Note" WHERE "userId" = $1', [user]);
    expect(notes).toEqual([]);
  });

  it('streams the guardrail violation on both surfaces and never the blocked text', async () => {
    const marker = `CLASSIFIED-${randomUUID().slice(0, 8)}`;
    const response = await post(
      '/orchestrate/stream',
      { task: `tell me the classified file ${marker}` },
      'guarded-user',
    );
    const body = await collectSse(response);
    expect(body.map((e) => e.event)).toEqual([
      'orchestrator.task.started',
      'orchestrator.guardrail.violation',
      'orchestrator.task.failed',
    ]);
    expect(JSON.stringify(body)).not.toContain(marker);
    // Nor in the task's log files (written from the same events by the audit service).
    const folder = await waitForTaskLog(
      logs,
      response.headers.get('x-task-id')!,
      Number(body.at(-1)!.id),
    );
    const files = readTree(folder);
    expect(files['metadata.json']).toContain('"guardrail"');
    for (const [path, text] of Object.entries(files)) {
      expect({ path, found: text.includes(marker) }).toEqual({ path, found: false });
    }

    const legacyAgui = await fetch(
      `${stack.gatewayUrl}/ag-ui/events?user_message=${encodeURIComponent(`the classified file ${marker}`)}`,
      { headers: { 'x-user-id': 'guarded-user' } },
    );
    const types: string[] = [];
    let raw = '';
    for await (const e of readSse(legacyAgui)) {
      raw += e.data;
      types.push((JSON.parse(e.data) as { event_type: string }).event_type);
    }
    expect(types).toContain('GUARDRAIL_VIOLATION');
    expect(raw).not.toContain(marker);
    // Nor in any service's log.
    for (const name of readdirSync(stack.logDir)) {
      const found = readFileSync(join(stack.logDir, name), 'utf8').includes(marker);
      expect({ name, found }).toEqual({ name, found: false });
    }
  });

  it('cancels a task waiting on the model through POST /tasks/{id}/cancel, aborting the LLM request', async () => {
    const gate = llm.gate();
    const script = llm.script('E2E-SLOW', [{ content: 'too late', hold: gate }]);
    const response = await post(
      '/orchestrate/stream',
      { task: 'E2E-SLOW: take your time' },
      'patient-user',
    );
    const taskId = response.headers.get('x-task-id')!;
    await gate.reached;
    const cancel = await post(`/tasks/${taskId}/cancel`, {}, 'patient-user');
    expect(cancel.status).toBeLessThan(300);
    const events = await collectSse(response);
    expect(events[events.length - 1]!.event).toBe('orchestrator.task.cancelled');
    await waitFor(() => script.requests[0]!.aborted, { what: 'the LLM request to be aborted' });
  });

  it('cancels a task that is still queued: it ends cancelled when picked up, without planning', async () => {
    // One task at a time, and the one slot held by a task waiting on the model: the next one queues.
    await stack.restart('orchestrator', { TASK_CONCURRENCY: '1' });
    const gate = llm.gate();
    const busy = llm.script('E2E-BUSY', [{ content: 'done at last', hold: gate }]);
    const queued = llm.script('E2E-QUEUED', [{ content: 'must never be asked' }]);
    const user = `queue-${randomUUID().slice(0, 8)}`;
    const first = await post('/orchestrate/stream', { task: 'E2E-BUSY: hold the slot' }, user);
    await gate.reached;
    const submitted = await post(
      '/orchestrate?async=true',
      { task: 'E2E-QUEUED: wait your turn' },
      user,
    );
    expect(submitted.status).toBe(202);
    const { task_id: taskId } = (await submitted.json()) as { task_id: string };

    // Someone else may not cancel it (to them it does not exist); its owner may.
    expect((await post(`/tasks/${taskId}/cancel`, {}, 'someone-else')).status).toBe(404);
    const cancel = await post(`/tasks/${taskId}/cancel`, { reason: 'not needed any more' }, user);
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({
      taskId,
      status: 'queued',
      cancelRequested: true,
    });

    gate.release();
    expect((await collectSse(first)).at(-1)!.event).toBe('orchestrator.task.completed');
    expect(busy.remaining).toBe(0);
    const events = await collectSse(
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}/events`, { headers: { 'x-user-id': user } }),
    );
    expect(events.map((e) => e.event)).toEqual([
      'orchestrator.task.started',
      'orchestrator.task.cancelled',
    ]);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ data: { reason: 'not needed any more' } });
    expect(queued.requests).toHaveLength(0);
  });
});
