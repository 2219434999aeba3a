import { Tasks } from '@switchboard/contracts';
import { collectSse, connectAs, DEMO_TASK, waitFor, watchTraffic } from '@switchboard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { type AgentsStack, startAgentsStack } from './support/agents-stack.js';

const DELEGATION_TASK =
  'ask the researcher about NATS JetStream, then have the writer draft a summary';

interface Who {
  user: string;
  role?: string;
  tenant?: string;
}

/**
 * Replay and fork (docs/replay.md) on the whole platform as `npm run up` runs it: NATS identities,
 * sample agents reachable only over XMPP, tenancy on. A replay runs the real orchestrator loop on its
 * record and calls nothing — counted where the calls would land: mcp-tools' tool handler
 * (`sb_tool_calls_total` of the running process, and its note rows), the sample agents' own request
 * counters, and every tool and delegation command on NATS (watched as the read-only operator) — and
 * ends with a verdict; a fork takes its record up to a point as done and runs live from there, as its
 * caller.
 */
describe('replay and fork of recorded tasks (real processes, NATS identities, agents over XMPP)', () => {
  let platform: AgentsStack;
  let watcher: NatsConnection;
  /** Every tool, delegation and bridge command seen on NATS, with the task it named. */
  const commands: { subject: string; data: string }[] = [];
  const ann: Who = { user: `ann-${randomUUID().slice(0, 8)}` };

  beforeAll(async () => {
    platform = await startAgentsStack(
      [
        { name: 'researcher', kind: 'researcher' },
        { name: 'writer', kind: 'writer' },
      ],
      { gateway: { TENANCY: 'true' } },
    );
    watcher = await connectAs({
      identity: 'operator',
      nats: platform.stack.natsSettings('operator'),
    });
    const text = new TextDecoder();
    // as the operator sees them: with the copies of what the cell's services asked each other
    for (const pattern of ['sb.cmd.tools.>', 'sb.cmd.a2a.>', 'sb.cmd.xmpp.>'])
      await watchTraffic(
        watcher,
        pattern,
        (m) => void commands.push({ subject: m.subject, data: text.decode(m.data) }),
      ).ready;
  }, 240_000);

  afterAll(async () => {
    await watcher?.close();
    const refused = platform?.stack.securedNats?.violations() ?? [];
    await platform?.stop();
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, who: Who, body?: unknown) =>
    fetch(`${platform.stack.gatewayUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
        ...(who.tenant ? { 'x-tenant-id': who.tenant } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  async function run(who: Who, task: string) {
    const res = await call('POST', '/orchestrate/stream', who, { task });
    expect(res.status).toBe(200);
    const events = (await collectSse(res)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    return { taskId: res.headers.get('x-task-id')!, events };
  }

  /** Starts a replay or fork (202), then reads the new task's events to their end. */
  async function rerun(who: Who, path: string, body?: unknown) {
    const res = await call('POST', path, who, body ?? {});
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { task_id: string; links: { events: string } };
    const stream = await call('GET', accepted.links.events, who);
    expect(stream.status).toBe(200);
    const events = (await collectSse(stream)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    return { taskId: accepted.task_id, events };
  }

  const named = (taskId: string) =>
    commands.filter((c) => c.subject.includes(taskId) || c.data.includes(taskId));
  /** What a replay may ask on NATS: the manifest, to compare the tools' definitions (no tool runs). */
  const calls = (taskId: string) =>
    named(taskId).filter((c) => !c.subject.startsWith('sb.cmd.tools.manifest'));
  /**
   * The calls mcp-tools' tool handler took, by tool and outcome, as its own /metrics counts them
   * (`sb_tool_calls_total`: every call that reached it, refused or run).
   */
  const toolCalls = async () => {
    const text = await (await fetch(`${platform.stack.services['mcp-tools']!.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const [, labels = '', value = '0'] of text.matchAll(
      /^sb_tool_calls_total\{([^}]*)\} (\S+)$/gm,
    )) {
      const tool = /tool="([^"]*)"/.exec(labels)?.[1] ?? '';
      const outcome = /outcome="([^"]*)"/.exec(labels)?.[1] ?? '';
      counts[`${tool}:${outcome}`] = (counts[`${tool}:${outcome}`] ?? 0) + Number(value);
    }
    return counts;
  };
  /** What `after` counted more than `before`, by tool:outcome (the handler's invocations between). */
  const added = (before: Record<string, number>, after: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
        .filter(([, d]) => d !== 0),
    );
  const agentStats = async () =>
    Object.fromEntries(
      await Promise.all(
        ['researcher', 'writer'].map(async (a) => {
          const r = await fetch(`${platform.agents[a]!.url}/stats`);
          const s = (await r.json()) as { requests: number; executed: number };
          return [a, { requests: s.requests, executed: s.executed }] as const;
        }),
      ),
    );
  const verdictOf = (events: Tasks.TaskEvent[]) =>
    events.find((e) => e.name === 'orchestrator.replay.verdict')?.data as
      Tasks.ReplayVerdict | undefined;
  const notes = async (user: string) =>
    Number(
      (
        await platform.stack.dbs.tools.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM "Note" WHERE "userId" = $1`,
          [user],
        )
      )[0]?.n,
    );

  let demo = '';
  let demoEvents: Tasks.TaskEvent[] = [];

  it('replays the demo task as identical, with no tool called and no note written', async () => {
    const handlerBefore = await toolCalls();
    ({ taskId: demo, events: demoEvents } = await run(ann, DEMO_TASK));
    expect(demoEvents.at(-1)?.name).toBe('orchestrator.task.completed');
    // (a cell's copies of its in-process requests reach the watcher within about 50 ms)
    await waitFor(
      () => named(demo).filter((c) => c.subject.startsWith('sb.cmd.tools.call')).length >= 2,
      { what: "the original's two tool calls" },
    );
    expect(named(demo).filter((c) => c.subject.startsWith('sb.cmd.tools.call'))).toHaveLength(2);
    // the original reached the tool handler twice (so the counter below counts what it should)
    const handlerAfterOriginal = await toolCalls();
    expect(added(handlerBefore, handlerAfterOriginal)).toEqual({
      'calculator:ok': 1,
      'notes.add:ok': 1,
    });
    const notesBefore = await notes(ann.user);

    const replay = await rerun(ann, `/tasks/${demo}/replay`);
    expect(replay.events[0]).toMatchObject({
      name: 'orchestrator.task.started',
      data: { run: { kind: 'replay', of: demo } },
    });
    expect(verdictOf(replay.events)).toMatchObject({
      identical: true,
      of: demo,
      rounds: 2,
      steps: 2,
    });
    const names = (es: Tasks.TaskEvent[]) =>
      es.map((e) => e.name).filter((n) => n !== 'orchestrator.replay.verdict');
    expect(names(replay.events)).toEqual(names(demoEvents));
    expect(replay.events.at(-1)).toMatchObject({
      name: 'orchestrator.task.completed',
      data: { result: (demoEvents.at(-1)?.data as { result: string }).result },
    });
    // No call reached mcp-tools' tool handler (only the manifest was read, to compare the tools'
    // definitions), and nothing was written.
    await waitFor(() => named(replay.taskId).length > 0, { what: "the replay's manifest request" });
    expect(calls(replay.taskId)).toEqual([]);
    expect(named(replay.taskId).map((c) => c.subject.split('.').slice(0, 4).join('.'))).toEqual([
      'sb.cmd.tools.manifest',
    ]);
    expect(added(handlerAfterOriginal, await toolCalls())).toEqual({});
    expect(await notes(ann.user)).toBe(notesBefore);
    const view = (await (
      await call('GET', `/tasks/${replay.taskId}`, ann)
    ).json()) as Tasks.TaskView;
    expect(view).toMatchObject({ run: { kind: 'replay', of: demo }, verdict: { identical: true } });
    const parent = (await (await call('GET', `/tasks/${demo}`, ann)).json()) as Tasks.TaskView;
    expect(parent.runs).toEqual([
      expect.objectContaining({
        taskId: replay.taskId,
        kind: 'replay',
        verdict: expect.objectContaining({ identical: true }),
      }),
    ]);
  }, 90_000);

  it('replays the delegation task over XMPP as identical, with no agent asked', async () => {
    const idle = await agentStats();
    const original = await run(ann, DELEGATION_TASK);
    expect(original.events.at(-1)?.name).toBe('orchestrator.task.completed');
    expect(original.events.some((e) => e.name === 'a2a.delegation.result')).toBe(true);
    // the original reached both agents (their own counters moved), so the counters are the proof
    const before = await agentStats();
    for (const a of ['researcher', 'writer']) {
      expect(before[a]!.requests).toBeGreaterThan(idle[a]!.requests);
      expect(before[a]!.executed).toBe(idle[a]!.executed + 1);
    }
    const handlerBefore = await toolCalls();
    const replay = await rerun(ann, `/tasks/${original.taskId}/replay`);
    expect(verdictOf(replay.events)).toMatchObject({ identical: true, steps: 2 });
    // the agents' answers, as they came then, relayed again
    const results = (es: Tasks.TaskEvent[]) =>
      es
        .filter((e) => e.name === 'a2a.delegation.result')
        .map((e) => (e.data as { text: string }).text);
    expect(results(replay.events)).toEqual(results(original.events));
    expect(calls(replay.taskId)).toEqual([]);
    expect(await agentStats()).toEqual(before);
    expect(added(handlerBefore, await toolCalls())).toEqual({});
  }, 120_000);

  it('forks the demo task from step 2 with an edited calculator result: step 1 is taken over, step 2 runs live and writes one note', async () => {
    const notesBefore = await notes(ann.user);
    const handlerBefore = await toolCalls();
    const fork = await rerun(ann, `/tasks/${demo}/fork`, {
      from_step: 2,
      step_output: { step: 1, output: { expression: '17 * 23', result: 400 } },
    });
    expect(fork.events.at(-1)?.name).toBe('orchestrator.task.completed');
    // only the live step reached mcp-tools: the note, with the edited result
    await waitFor(() => named(fork.taskId).length >= 2, { what: "the fork's requests" });
    expect(named(fork.taskId).map((c) => c.subject.split('.').slice(0, 4).join('.'))).toEqual([
      'sb.cmd.tools.manifest',
      'sb.cmd.tools.call',
    ]);
    expect(await notes(ann.user)).toBe(notesBefore + 1);
    expect(added(handlerBefore, await toolCalls())).toEqual({ 'notes.add:ok': 1 });
    const rows = await platform.stack.dbs.tools.query<{ content: string }>(
      `SELECT content FROM "Note" WHERE "userId" = $1 ORDER BY "createdAt" DESC LIMIT 1`,
      [ann.user],
    );
    expect(rows[0]?.content).toContain('400');

    const diff = (await (
      await call('GET', `/tasks/${demo}/diff/${fork.taskId}`, ann)
    ).json()) as Tasks.TaskDiffView;
    expect(diff).toMatchObject({
      identical: false,
      firstDivergence: { at: 'step', step: 1 },
      a: { taskId: demo, steps: 2 },
      b: { taskId: fork.taskId, run: { kind: 'fork', of: demo }, steps: 2 },
    });
  }, 90_000);

  it('reports the first divergence when a guardrail changed since the task ran', async () => {
    await platform.stack.restart('orchestrator', { DISALLOWED_KEYWORDS: 'note' });
    try {
      const replay = await rerun(ann, `/tasks/${demo}/replay`);
      expect(verdictOf(replay.events)).toMatchObject({
        identical: false,
        divergence: { at: 'input' },
      });
      expect(replay.events.at(-1)).toMatchObject({
        name: 'orchestrator.task.failed',
        data: { error: { code: 'GUARDRAIL' } },
      });
    } finally {
      await platform.stack.restart('orchestrator');
    }
  }, 120_000);

  it('reports the first divergence when a tool definition changed since the task ran', async () => {
    const admin: Who = { user: 'root', role: 'admin' };
    const policy = (p: unknown) =>
      call('PUT', '/approval-policies/calculator', admin, { policy: p });
    // the calculator's calls need an admin's approval now: its definition as offered has changed
    expect((await policy({ approvers: { requester: false, roles: ['admin'] } })).status).toBe(200);
    try {
      const handlerBefore = await toolCalls();
      const replay = await rerun(ann, `/tasks/${demo}/replay`);
      const verdict = verdictOf(replay.events);
      expect(verdict).toMatchObject({
        identical: false,
        rounds: 0,
        steps: 0,
        divergence: {
          at: 'round',
          round: 1,
          expected: { tools: [{ name: 'calculator', version: expect.any(String) }] },
          got: { tools: [{ name: 'calculator', version: expect.any(String) }] },
        },
      });
      expect(verdict?.divergence?.summary).toBe(
        'round 1: the tools offered differ from the recorded ones: the definition of calculator changed (approval)',
      );
      expect(replay.events.at(-1)).toMatchObject({
        name: 'orchestrator.task.failed',
        data: { error: { code: 'CONFLICT' } },
      });
      expect(calls(replay.taskId)).toEqual([]);
      expect(added(handlerBefore, await toolCalls())).toEqual({});
    } finally {
      expect((await policy(null)).status).toBe(200);
    }
    // as it was again: identical
    const again = await rerun(ann, `/tasks/${demo}/replay`);
    expect(verdictOf(again.events)?.identical).toBe(true);
  }, 90_000);

  it("answers another user's task as missing on every route, and another tenant's admin too; the tenant's admin may replay it", async () => {
    const bob: Who = { user: `bob-${randomUUID().slice(0, 8)}` };
    const globexAdmin: Who = { user: 'root', role: 'admin', tenant: 'globex' };
    for (const who of [bob, globexAdmin])
      for (const [method, path, body] of [
        ['POST', `/tasks/${demo}/replay`, {}],
        ['POST', `/tasks/${demo}/fork`, { from_step: 1 }],
        ['GET', `/tasks/${demo}/diff/${demo}`, undefined],
        ['GET', `/tasks/${demo}`, undefined],
      ] as const) {
        const res = await call(method, path, who, body);
        expect([who, path, res.status]).toEqual([who, path, 404]);
      }
    // an admin of the tenant may replay it, and the replay runs as the admin
    const admin: Who = { user: 'root', role: 'admin' };
    const replay = await rerun(admin, `/tasks/${demo}/replay`);
    expect(verdictOf(replay.events)?.identical).toBe(true);
    // audited: the replay's submission names its caller and what it replays
    const audited = await waitFor(
      async () => {
        const rows = await platform.stack.dbs.audit.query<{
          userId: string;
          role: string;
          details: { run?: unknown };
        }>(
          `SELECT "userId", role, details FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'task.submit'`,
          [replay.taskId],
        );
        return rows[0];
      },
      { timeoutMs: 20_000, what: "the replay's task.submit audit record" },
    );
    expect(audited).toMatchObject({
      userId: 'root',
      role: 'admin',
      details: { run: { kind: 'replay', of: demo } },
    });
  }, 90_000);

  it("runs a fork as its caller, under the caller's permissions now: a tool the original owner could use is refused in the live part", async () => {
    // ann ran it as an admin (admin.debug is offered to admins only) ...
    const asAdmin: Who = { ...ann, role: 'admin' };
    const original = await run(asAdmin, 'call admin.debug with {}');
    expect(original.events.at(-1)?.name).toBe('orchestrator.task.completed');
    // ... and forks it as a user: the recorded plan is taken over, the step runs live as a user
    const handlerBefore = await toolCalls();
    const fork = await rerun(ann, `/tasks/${original.taskId}/fork`, { from_step: 1 });
    expect(fork.events.at(-1)).toMatchObject({
      name: 'orchestrator.task.failed',
      data: { error: { code: 'FORBIDDEN' } },
    });
    // mcp-tools' handler refused it as ann the user: it never ran
    expect(added(handlerBefore, await toolCalls())).toEqual({ 'admin.debug:FORBIDDEN': 1 });
    const audited = await waitFor(
      async () =>
        (
          await platform.stack.dbs.audit.query<{ userId: string; role: string; outcome: string }>(
            `SELECT "userId", role, outcome FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'tool.call'`,
            [fork.taskId],
          )
        )[0],
      { timeoutMs: 20_000, what: "the fork's refused tool call in the audit trail" },
    );
    expect(audited).toMatchObject({ userId: ann.user, role: 'user', outcome: 'denied' });
    // the fork's submission is audited as the caller's, naming what it forks and from where
    const submitted = await waitFor(
      async () =>
        (
          await platform.stack.dbs.audit.query<{ userId: string; role: string; details: unknown }>(
            `SELECT "userId", role, details FROM "AuditEntry" WHERE "taskId" = $1 AND action = 'task.submit'`,
            [fork.taskId],
          )
        )[0],
      { timeoutMs: 20_000, what: "the fork's task.submit audit record" },
    );
    expect(submitted).toMatchObject({
      userId: ann.user,
      role: 'user',
      details: { run: { kind: 'fork', of: original.taskId, from: { step: 1 } } },
    });
  }, 90_000);

  it('refuses bad fork bodies and fork points, naming the field', async () => {
    const bad = async (body: unknown) => {
      const res = await call('POST', `/tasks/${demo}/fork`, ann, body);
      return { status: res.status, body: (await res.json()) as { code: string; message: string } };
    };
    expect(await bad({})).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION', message: expect.stringContaining('from_step') },
    });
    expect(await bad({ from_step: 9 })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('the task has 2 step(s)') },
    });
    expect(await bad({ from_step: 1, colour: 'red' })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('colour') },
    });
  });
});
