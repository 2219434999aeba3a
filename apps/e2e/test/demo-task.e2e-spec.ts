import { jetstreamManager } from '@nats-io/jetstream';
import {
  type CommandContract,
  commandOfSubject,
  type EventContract,
  eventOfSubject,
  TASK_WALKTHROUGH,
  TaskEventStream,
  Tasks,
  Tools,
} from '@switchboard/contracts';
import {
  collectSse,
  connectAs,
  watchTraffic,
  DEMO_TASK,
  DEMO_TASK_EVENTS,
  readSse,
  type Stack,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

/**
 * The pairing rule of planning events (docs/orchestrator.md): every orchestrator.planning.started is
 * closed, before the next round starts, by orchestrator.planning.completed (actions, fail) or by the
 * terminal event (a final answer, a limit, a cancellation) — and the stream ends with a terminal event.
 */
function expectRoundsClosed(names: string[]): void {
  const terminal = Tasks.TERMINAL_TASK_EVENTS as readonly string[];
  let open = false;
  for (const name of names) {
    if (name === 'orchestrator.planning.started') {
      expect({ name, roundStillOpen: open }).toEqual({ name, roundStillOpen: false });
      open = true;
    } else if (name === 'orchestrator.planning.completed' || terminal.includes(name)) {
      open = false;
    }
  }
  expect(terminal).toContain(names[names.length - 1]);
  expect(open).toBe(false);
}

// Acceptance scenario 1, on real processes: gateway → orchestrator → mcp-tools, audit consuming. The
// NATS enforces the platform's permissions: each service connects as its own identity.
describe('the demo task end to end (real NATS, PostgreSQL, Redis and service processes)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      shape: 'cell',
      natsIdentities: true,
      // One bad-input case asks for an agent while no a2a service runs: the task waits the outage
      // wait for it, then fails 503. 3 s instead of the shipped 30 s: the same path, in seconds.
      env: { orchestrator: { TASK_OUTAGE_WAIT_MS: '3000' } },
    });
  });

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    // Every service did its work with only what its contracts allow it: the server refused nothing.
    expect(refused).toEqual([]);
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('streams the full named event sequence, saves 391 as a note and leaves an audit trail', async () => {
    const user = `demo-${randomUUID()}`;
    const response = await post('/orchestrate/stream', { task: DEMO_TASK }, { 'x-user-id': user });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const taskId = response.headers.get('x-task-id')!;
    const events = await collectSse(response);

    expect(events.map((e) => e.event)).toEqual(DEMO_TASK_EVENTS);
    expectRoundsClosed(events.map((e) => e.event));
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

    // The task and its steps as the API shows them: UTC times in order, within this test's run.
    const view = (await (
      await fetch(`${stack.gatewayUrl}/tasks/${taskId}`, { headers: { 'x-user-id': user } })
    ).json()) as Tasks.TaskView;
    const times = [
      view.createdAt,
      ...view.steps.flatMap((st) => [st.startedAt, st.finishedAt!]),
      view.updatedAt,
    ].map((t) => Date.parse(t));
    expect(times.every((t) => Math.abs(t - Date.now()) < 5 * 60_000)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(view.steps.map((st) => [st.stepId, st.status])).toEqual([
      ['s1', 'completed'],
      ['s2', 'completed'],
    ]);

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

  it('makes on NATS exactly the hops docs/architecture.md walks through: the unconditional ones and its tool calls', async () => {
    // The operator's identity reads every platform subject (it answers nothing: a copy of each), as
    // `switchboard tail` does: with the copies of what a cell's services asked each other in-process.
    const nc = await connectAs({ identity: 'operator', nats: stack.natsSettings('operator') });
    const seen: { subject: string; data: string }[] = [];
    const text = new TextDecoder();
    await watchTraffic(
      nc,
      'sb.>',
      (m) => void seen.push({ subject: m.subject, data: text.decode(m.data) }),
    ).ready;
    try {
      const response = await post(
        '/orchestrate/stream',
        { task: DEMO_TASK },
        { 'x-user-id': `walk-${randomUUID()}` },
      );
      const taskId = response.headers.get('x-task-id')!;
      await collectSse(response);
      type Hop = CommandContract | EventContract;
      const name = (c: Hop | string) =>
        typeof c === 'string' ? c : c.kind === 'command' ? c.subject : c.template;
      // What the task made: every platform message that names it, in its subject or its body.
      const made = () =>
        new Set(
          seen
            .filter((m) => m.subject.includes(taskId) || m.data.includes(taskId))
            .map((m) => commandOfSubject(m.subject) ?? eventOfSubject(m.subject) ?? m.subject)
            .map(name),
        );
      const expected = TASK_WALKTHROUGH.flatMap((hop) =>
        hop.contract && (!hop.when || hop.contract === Tools.ToolsCall) ? [name(hop.contract)] : [],
      ).sort();
      // The audit records come after the stream's end: waited for, then nothing else may be there.
      // (what was seen is read when the wait fails, not when it starts: at the stream's end, the
      // records' relay had not been sent yet)
      await waitFor(() => expected.every((hop) => made().has(hop)), {
        what: `the walkthrough's hops (${expected.join(', ')})`,
      }).catch((e: unknown) => {
        throw new Error(`${String(e)}; seen ${[...made()].join(', ')}`);
      });
      expect([...made()].sort()).toEqual(expected);
    } finally {
      await nc.close();
    }
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

  it('passes tool_constraints and max_steps from the HTTP body through to the task', async () => {
    // Only the calculator allowed: the toolbox says so, and the note step is refused, not run.
    const user = `constrained-${randomUUID()}`;
    const constrained = await post(
      '/orchestrate/stream',
      { task: DEMO_TASK, tool_constraints: { mode: 'custom', tools: ['calculator'] } },
      { 'x-user-id': user },
    );
    expect(constrained.status).toBe(200);
    const events = await collectSse(constrained);
    const toolbox = events.find((e) => e.event === 'mcp.toolbox.generated');
    expect(JSON.parse(toolbox!.data)).toMatchObject({
      data: { tools: [{ name: 'calculator', provider: 'math' }], count: 1, mode: 'custom' },
    });
    expect(events.map((e) => e.event)).not.toContain('mcp.task.started');
    const failed = events[events.length - 1]!;
    expect(failed.event).toBe('orchestrator.task.failed');
    expect(JSON.parse(failed.data)).toMatchObject({
      data: { error: { code: 'FORBIDDEN', message: expect.stringContaining('notes.add') } },
    });
    const notes = await stack.dbs.tools.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "Note" WHERE "userId" = $1',
      [user],
    );
    expect(notes).toEqual([{ n: 0 }]);

    // A two-step plan under max_steps 1 ends before its first step, naming the limit.
    const limited = await post('/orchestrate', { task: DEMO_TASK, max_steps: 1 });
    expect(limited.status).toBe(422);
    expect(await limited.json()).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('max_steps'),
      details: { status: 'failed' },
    });
  });

  it('rejects bad input with a 4xx naming the problem (an agent it cannot reach now: 503), and leaves no task running', async () => {
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
      // What PostgreSQL cannot store is refused at the edge, naming the field.
      ['NUL in the task', { task: 'what is 1+1\u0000' }, 400, /task: must not contain control/],
      ['control character in the task', { task: 'what is 1+1\u0007' }, 400, /task: must not/],
      [
        'NUL in a tool input',
        { task: 'call notes.add with {"content": "a\\u0000b"}' },
        422,
        /input\.content: must not contain the NUL character/,
      ],
      // Plans that would break the event contract fail cleanly instead of hanging the stream.
      [
        'tool name longer than the contract allows',
        { task: `call ${'a'.repeat(200)} with {}` },
        422,
        /invalid action s1 of the plan: target: .*128/,
      ],
      // No a2a service runs here: the task waits for it (TASK_OUTAGE_WAIT_MS, 3 s here), then says the agent
      // cannot be reached now (503, retryable) — a temporary outage, not an unknown agent.
      [
        'long message to an agent (the a2a service is away)',
        { task: `ask the researcher about ${'x'.repeat(600)}` },
        503,
        /agent "researcher" cannot be reached now: a2a is not available/,
      ],
      ['empty clauses', { task: 'what is 1+1 then then then' }, 422, /part 2 of 4 .* is empty/],
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

  it('ends the stream of every task whose plan strains the contract with a terminal event', async () => {
    const stream = async (task: string) => {
      const r = await post('/orchestrate/stream', { task });
      expect(r.status).toBe(200);
      const events = await collectSse(r);
      expectRoundsClosed(events.map((e) => e.event));
      const parsed = events.map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
      expect(parsed.map((e) => e.seq)).toEqual(parsed.map((_, i) => i + 1));
      return parsed;
    };

    // A long expression: the step's description is cut to the contract; the expression is whole.
    const expression = `${'1+'.repeat(245)}1`;
    const long = await stream(`what is ${expression}`);
    const plan = long.find((e) => e.name === 'orchestrator.planning.completed');
    const action = plan?.name === 'orchestrator.planning.completed' ? plan.data.plan[0] : undefined;
    expect(action?.description).toHaveLength(Tasks.PLAN_DESCRIPTION_MAX);
    expect(action?.input).toEqual({ expression });
    const done = long[long.length - 1];
    expect(done?.name === 'orchestrator.task.completed' && done.data.result).toContain('= 246');

    // A tool name over the contract's limit: the round fails, the task fails, the stream ends.
    const refused = await stream(`call ${'a'.repeat(200)} with {}`);
    expect(refused.map((e) => e.name)).toEqual([
      'orchestrator.task.started',
      'mcp.toolbox.generated',
      'orchestrator.planning.started',
      'orchestrator.planning.completed',
      'orchestrator.task.failed',
    ]);
    const failed = refused[refused.length - 1];
    expect(failed?.name === 'orchestrator.task.failed' && failed.data.error.code).toBe(
      'VALIDATION',
    );
    const [row] = await stack.dbs.orchestrator.query<{ status: string; lastEventSeq: number }>(
      'SELECT status, "lastEventSeq" FROM "Task" WHERE id = $1',
      [failed?.taskId],
    );
    expect(row).toEqual({ status: 'failed', lastEventSeq: 5 });
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

  it("journals every event of the task with its steps (the stream's events, row for row) and reads no stream for webhooks", async () => {
    const user = `journal-${randomUUID()}`;
    const response = await post('/orchestrate/stream', { task: DEMO_TASK }, { 'x-user-id': user });
    const taskId = response.headers.get('x-task-id')!;
    const streamed = (await collectSse(response)).map((e) => [Number(e.id), e.event]);
    const journaled = await stack.dbs.orchestrator.query<{ seq: number; name: string }>(
      'SELECT seq, name FROM "TaskEvent" WHERE "taskId" = $1 ORDER BY seq',
      [taskId],
    );
    expect(journaled.map((r) => [r.seq, r.name])).toEqual(streamed);
    // Webhook deliveries are stored by the statements that journal the events: no durable reads
    // the task event stream for them any more (asked as the gateway, which may look at its consumers).
    const nc = await connectAs({ identity: 'gateway', nats: stack.natsSettings('gateway') });
    try {
      const jsm = await jetstreamManager(nc);
      for (const durable of [
        'orchestrator-webhooks',
        'orchestrator-webhooks-approvals',
        'orchestrator-webhooks-every',
      ])
        await expect(jsm.consumers.info(TaskEventStream.name, durable)).rejects.toThrow(
          /not found/i,
        );
    } finally {
      await nc.close();
    }
  });

  it('exposes health, readiness and Prometheus metrics on every service', async () => {
    for (const s of Object.values(stack.services)) {
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
      const ready = await fetch(`${s.url}/readiness`);
      expect(ready.status).toBe(200);
      const checks = JSON.stringify(await ready.json());
      expect(checks).toContain('"nats"');
      // Services that rely on JetStream check it (and their durable consumers) for real.
      if (['gateway', 'orchestrator', 'audit'].includes(s.name))
        expect(checks).toContain('"jetstream"');
      if (s.name === 'orchestrator') expect(checks).toContain('"task-consumer"');
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP /m);
      expect(metrics).toContain(`service="${s.name}"`);
    }
  });
});
