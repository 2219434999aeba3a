import { Tasks } from '@switchboard/contracts';
import { collectSse, readSse, type Stack, startStack, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

const DEMO = 'what is 17 * 23, then save the result as a note';

// Acceptance scenario 1, on real processes: gateway → orchestrator → mcp-tools, audit consuming.
describe('the demo task end to end (real NATS, PostgreSQL, Redis and service processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('streams the full named event sequence, saves 391 as a note and leaves an audit trail', async () => {
    const user = `demo-${randomUUID()}`;
    const response = await post('/orchestrate/stream', { task: DEMO }, { 'x-user-id': user });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const taskId = response.headers.get('x-task-id')!;
    const events = await collectSse(response);

    expect(events.map((e) => e.event)).toEqual([
      'orchestrator.task.started',
      'mcp.toolbox.generated',
      'orchestrator.planning.started',
      'orchestrator.planning.completed',
      'orchestrator.step.dispatching',
      'mcp.task.started',
      'mcp.task.completed',
      'orchestrator.step.completed',
      'orchestrator.step.dispatching',
      'mcp.task.started',
      'mcp.task.completed',
      'orchestrator.step.completed',
      'orchestrator.planning.started',
      'orchestrator.task.completed',
    ]);
    const parsed = events.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    expect(events.map((e) => Number(e.id))).toEqual(parsed.map((_, i) => i + 1));
    expect(parsed.every((e) => e.taskId === taskId)).toBe(true);
    const final = parsed[parsed.length - 1]!;
    expect(final.name).toBe('orchestrator.task.completed');
    const result = final.name === 'orchestrator.task.completed' ? final.data.result : '';
    expect(result).toContain('17 * 23 = 391');
    expect(final.name === 'orchestrator.task.completed' && final.data.planner).toBe('builtin');

    const notes = await stack.dbs.tools.query<{ id: string; content: string }>(
      'SELECT id, content FROM "Note" WHERE "userId" = $1',
      [user],
    );
    expect(notes).toEqual([{ id: expect.any(String), content: '391' }]);
    expect(result).toContain(notes[0]!.id);

    const [task] = await stack.dbs.orchestrator.query<{ status: string; lastEventSeq: number }>(
      'SELECT status, "lastEventSeq" FROM "Task" WHERE id = $1',
      [taskId],
    );
    expect(task).toEqual({ status: 'completed', lastEventSeq: 14 });

    // The audit trail holds the submission, both tool calls and the completion, each once.
    const audit = await waitFor(
      async () => {
        const rows = await stack.dbs.audit.query<{
          action: string;
          outcome: string;
          source: string;
          resource: string;
        }>(
          'SELECT action, outcome, source, resource FROM "AuditEntry" WHERE "taskId" = $1 ORDER BY seq',
          [taskId],
        );
        return rows.length >= 4 ? rows : undefined;
      },
      { what: 'audit rows of the task' },
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'task.submit', outcome: 'success', source: 'gateway', resource: taskId },
        { action: 'tool.call', outcome: 'success', source: 'mcp-tools', resource: 'calculator' },
        { action: 'tool.call', outcome: 'success', source: 'mcp-tools', resource: 'notes.add' },
        { action: 'task.completed', outcome: 'success', source: 'orchestrator', resource: taskId },
      ]),
    );
    expect(audit).toHaveLength(4);
  });

  it('answers POST /orchestrate with the result as JSON, or 202 and links when asked', async () => {
    const sync = await post('/orchestrate', { task: 'what is (2 + 3) * 4' });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toMatchObject({
      status: 'completed',
      result: '(2 + 3) * 4 = 20.',
      planner: 'builtin',
      steps: 1,
    });

    const queued = await post('/orchestrate?async=true', { task: 'what is 6 * 7' });
    expect(queued.status).toBe(202);
    const { task_id: taskId, links } = (await queued.json()) as {
      task_id: string;
      links: { self: string };
    };
    const view = await waitFor(async () => {
      const r = await fetch(`${stack.gatewayUrl}${links.self}`);
      const body = (await r.json()) as Tasks.TaskView;
      return body.status === 'completed' ? body : undefined;
    });
    expect(view).toMatchObject({
      taskId,
      result: '6 * 7 = 42.',
      steps: [{ target: 'calculator', status: 'completed' }],
    });
    // Another user cannot read it.
    const foreign = await fetch(`${stack.gatewayUrl}${links.self}`, {
      headers: { 'x-user-id': 'someone-else' },
    });
    expect(foreign.status).toBe(404);
  });

  it('rejects bad input with a 4xx naming the problem, and leaves no task running', async () => {
    const cases: [string, string | object, number, RegExp][] = [
      ['malformed JSON', '{"task": "x",', 400, /not valid JSON/],
      ['wrong type', { task: 17 }, 400, /task: .*expected string/],
      ['unknown field', { task: 'x', colour: 'red' }, 400, /colour/],
      ['empty task', { task: '  ' }, 400, /task: must not be empty/],
      [
        'bad constraints',
        { task: 'x', tool_constraints: { mode: 'sometimes' } },
        400,
        /tool_constraints\.mode/,
      ],
      ['oversized body', { task: 'x'.repeat(70_000) }, 413, /too large/],
      ['unknown tool', { task: 'call frobnicate with {}' }, 422, /unknown tool "frobnicate"/],
      [
        'tool input failing its schema',
        { task: 'call notes.add with {"content": 5}' },
        422,
        /content: must be string/,
      ],
      [
        'request the planner does not know',
        { task: 'paint the fence' },
        422,
        /does not understand/,
      ],
    ];
    for (const [what, body, status, message] of cases) {
      const r = await post('/orchestrate', body);
      const json = (await r.json()) as { code: string; message: string; requestId?: string };
      expect({ what, status: r.status, message: json.message }).toEqual({
        what,
        status,
        message: expect.stringMatching(message),
      });
      expect(json.code).toEqual(expect.any(String));
    }
    const badUser = await post(
      '/orchestrate',
      { task: 'what is 1+1' },
      { 'x-user-id': 'bad user!' },
    );
    expect(badUser.status).toBe(401);
    const running = await stack.dbs.orchestrator.query(
      `SELECT id FROM "Task" WHERE status = 'running'`,
    );
    expect(running).toEqual([]);
    for (const s of Object.values(stack.services))
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it('keeps running a task whose client went away', async () => {
    const response = await post('/orchestrate/stream', {
      task: 'what is 5 * 5, then save the result as a note',
    });
    const taskId = response.headers.get('x-task-id')!;
    for await (const e of readSse(response)) {
      if (e.event === 'orchestrator.task.started') break; // leaves the loop and drops the connection
    }
    const view = await waitFor(async () => {
      const r = await fetch(`${stack.gatewayUrl}/tasks/${taskId}`);
      const body = (await r.json()) as Tasks.TaskView;
      return body.status === 'completed' ? body : undefined;
    });
    expect(view.result).toContain('5 * 5 = 25');
  });

  it('exposes health, readiness and Prometheus metrics on every service', async () => {
    for (const s of Object.values(stack.services)) {
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
      const ready = await fetch(`${s.url}/readiness`);
      expect(ready.status).toBe(200);
      expect(JSON.stringify(await ready.json())).toContain('"nats"');
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP /m);
      expect(metrics).toContain(`service="${s.name}"`);
    }
  });
});
