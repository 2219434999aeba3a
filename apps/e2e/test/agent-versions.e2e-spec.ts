import type { Agents, Evaluations } from '@switchboard/contracts';
import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  DEMO_TASK,
  lastUserText,
  type LlmStub,
  type LlmStubRequest,
  type Stack,
  startLlmStub,
  startStack,
  waitFor,
} from '@switchboard/testing';
import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

interface Who {
  user: string;
  tenant: string;
  role?: string;
}

/**
 * Agent versions end to end (docs/agents.md) through the HTTP API on real processes (NATS with the
 * services' identities, PostgreSQL, the built-in planner): an admin creates an agent (v1 may use
 * every tool, `production` on it) and a v2 that may use the calculator only; tasks naming the agent
 * run the version `production` points at and carry its stamp — on their first event and their
 * view — so moving the label releases v2 (whose task cannot save the note: notes.add is not among
 * its tools) and moving it back is the rollback, both audited; a replay keeps its record's stamp
 * after the label moved; a 10% canary on `production` sends a thread's every turn to the same
 * version, the choice in each task's stamp; another tenant sees none of it. Tasks plan with the
 * built-in planner while the judge of an experiment asks an OpenAI-compatible stub (PLANNER=builtin
 * with OPENAI_BASE_URL).
 */
describe('agent versions and labels (real processes)', () => {
  let stack: Stack;
  const stamp = randomUUID().slice(0, 8);
  const acme = `acme-${stamp}`;
  const admin: Who = { user: 'alan', tenant: acme, role: 'admin' };
  const ann: Who = { user: 'ann', tenant: acme };
  const globex: Who = { user: 'gus', tenant: `globex-${stamp}`, role: 'admin' };

  /** The judge's model (tasks plan with the built-in planner: only the judge asks it). */
  let judge: LlmStub;
  const v1Tasks: string[] = [];

  beforeAll(async () => {
    judge = await startLlmStub();
    judge.script(
      () => true,
      Array.from({ length: 20 }, () => (req: LlmStubRequest) => ({
        content: JSON.stringify({
          score: /Answer:\n[\s\S]*391/.test(lastUserText(req)) ? 1 : 0,
          reason: 'checked the product',
        }),
      })),
    );
    // one cell (the shape users run): one process to start, not four
    stack = await startStack({
      shape: 'cell',
      env: {
        gateway: { TENANCY: 'true' },
        orchestrator: {
          PLANNER: 'builtin',
          OPENAI_BASE_URL: judge.baseUrl,
          LLM_MODEL: 'judge-model',
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    await judge?.stop();
    // the gateway's requests to the orchestrator's new subjects are within its NATS identity's rights
    expect(refused).toEqual([]);
  });

  const call = (who: Who, method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
        'x-tenant-id': who.tenant,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const body = (await res.json()) as T;
    expect([res.status, body]).toEqual([status, expect.anything()]);
    return body;
  };
  /** Runs a task to its end as `who`; its events, and its view. */
  const run = async (who: Who, request: Record<string, unknown>) => {
    const res = await call(who, 'POST', '/orchestrate/stream', { task: DEMO_TASK, ...request });
    expect(res.status).toBe(200);
    const taskId = res.headers.get('x-task-id') ?? '';
    const events = (await collectSse(res)).map((e) => Tasks.TaskEvent.parse(JSON.parse(e.data)));
    const view = await json<Tasks.TaskView>(await call(who, 'GET', `/tasks/${taskId}`), 200);
    return { taskId, events, view };
  };
  const stampOf = (events: Tasks.TaskEvent[]) =>
    events[0]?.name === 'orchestrator.task.started' ? events[0].data.agent : undefined;

  const v1 = { instructions: 'Answer briefly.', model: { name: 'builtin' } };
  const v2 = { ...v1, instructions: 'Only calculate.', tools: ['calculator'] };

  it('creates an agent and versions it; bad input names the field; only admins write', async () => {
    const created = await json<Agents.AgentView>(
      await call(admin, 'POST', '/agent-configs', { name: 'support', config: v1 }),
      201,
    );
    expect(created).toMatchObject({ agent: 'support', tenantId: acme, latestVersion: 1 });
    expect(created.labels).toEqual([expect.objectContaining({ label: 'production', version: 1 })]);
    const bad = await call(admin, 'POST', '/agent-configs', {
      name: 'other',
      config: { ...v1, model: { name: 'm', temperature: 9 } },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'config.model.temperature',
    );
    expect(
      (await call(ann, 'POST', '/agent-configs/support/versions', { config: v2 })).status,
    ).toBe(403);
    const second = await json<Agents.AgentVersionView>(
      await call(admin, 'POST', '/agent-configs/support/versions', {
        config: v2,
        note: 'calc only',
      }),
      201,
    );
    expect(second).toMatchObject({ version: 2, note: 'calc only', createdBy: 'alan' });
    // Anyone of the tenant reads them; the diff names what changed.
    const listed = await json<{ versions: Agents.AgentVersionView[] }>(
      await call(ann, 'GET', '/agent-configs/support/versions'),
      200,
    );
    expect(listed.versions.map((v) => v.version)).toEqual([2, 1]);
    const diff = await json<Agents.AgentVersionDiff>(
      await call(ann, 'GET', '/agent-configs/support/diff?from=1&to=2'),
      200,
    );
    expect(diff.changes.map((c) => c.path)).toEqual(['instructions', 'tools']);
    expect((await call(ann, 'GET', '/agent-configs/support/versions/3')).status).toBe(404);
    // Another tenant: no such agent, and its tasks cannot name it.
    expect((await call(globex, 'GET', '/agent-configs/support')).status).toBe(404);
    // Refused at the edge, before any task exists, naming the field.
    const elsewhere = await call(globex, 'POST', '/orchestrate', {
      task: DEMO_TASK,
      agent: { name: 'support' },
    });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.json()).toMatchObject({
      details: { issues: [{ path: 'agent.name' }] },
    });
    const noLabel = await call(ann, 'POST', '/orchestrate', {
      task: DEMO_TASK,
      agent: { name: 'support', label: 'staging' },
    });
    expect([noLabel.status, await noLabel.json()]).toEqual([
      400,
      expect.objectContaining({
        details: { issues: [{ path: 'agent.label', message: expect.any(String) }] },
      }),
    ]);
  });

  it('runs production, releases v2 by moving the label and rolls back; each task keeps its stamp', async () => {
    const first = await run(ann, { agent: { name: 'support' } });
    expect(first.view.status).toBe('completed');
    v1Tasks.push(first.taskId);
    expect(stampOf(first.events)).toMatchObject({
      agent: 'support',
      version: 1,
      label: 'production',
    });
    expect(first.view.agent).toEqual(stampOf(first.events));
    // every event of the task names the version it ran, not only the first
    const v1Ref = { agent: 'support', version: 1, versionId: first.view.agent?.versionId };
    expect(first.events.filter((e) => !isDeepStrictEqual(e.agentVersion, v1Ref))).toEqual([]);
    const offered = first.events.find((e) => e.name === 'mcp.toolbox.generated');
    expect(offered?.data).toMatchObject({ count: first.view.agent?.tools });

    const released = await json<Agents.AgentLabelMoved>(
      await call(admin, 'PUT', '/agent-configs/support/labels/production', { version: 2 }),
      200,
    );
    expect(released).toMatchObject({ from: 1, to: 2, moved: true });
    const onV2 = await run(ann, { agent: { name: 'support' } });
    expect(onV2.view.agent).toMatchObject({ version: 2, tools: 1 });
    expect(onV2.view.agent?.instructionsSha256).not.toBe(first.view.agent?.instructionsSha256);
    // v2 may only calculate: the note cannot be saved, the planner says notes.add is not offered.
    expect(onV2.view).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(onV2.view.error?.message).toContain('notes.add');

    // A replay of the first task runs the version it recorded, whatever production says now.
    const replayed = await call(ann, 'POST', `/tasks/${first.taskId}/replay`, {});
    expect(replayed.status).toBe(202);
    const replayId = ((await replayed.json()) as { task_id: string }).task_id;
    const replay = await waitFor(
      async () => {
        const v = await json<Tasks.TaskView>(await call(ann, 'GET', `/tasks/${replayId}`), 200);
        return Tasks.TERMINAL_TASK_STATUSES.includes(v.status) ? v : undefined;
      },
      { what: 'the replay to end', timeoutMs: 20_000 },
    );
    expect(replay).toMatchObject({ status: 'completed', agent: first.view.agent });

    const rolledBack = await json<Agents.AgentLabelMoved>(
      await call(admin, 'PUT', '/agent-configs/support/labels/production', { version: 1 }),
      200,
    );
    expect(rolledBack).toMatchObject({ from: 2, to: 1, moved: true });
    const again = await run(ann, { agent: { name: 'support' } });
    expect(again.view).toMatchObject({ status: 'completed', agent: { version: 1 } });
    v1Tasks.push(again.taskId);
    // By number, whatever the label: version 2.
    const pinned = await run(ann, { agent: { name: 'support', version: 2 } });
    expect(pinned.view.agent).toMatchObject({ version: 2 });
    expect(pinned.view.agent?.label).toBeUndefined();

    const moves = await waitFor(
      async () => {
        const r = await call(admin, 'GET', '/audit?action=agent.label.move&limit=50');
        if (r.status !== 200) return undefined;
        const { entries } = (await r.json()) as {
          entries: { details?: Record<string, unknown> }[];
        };
        return entries.length >= 2 ? entries : undefined;
      },
      { what: 'both label moves in the audit trail', timeoutMs: 20_000 },
    );
    expect(moves.map((m) => m.details)).toEqual([
      expect.objectContaining({ label: 'production', from: 2, to: 1, rollback: true }),
      expect.objectContaining({ label: 'production', from: 1, to: 2, rollback: false }),
    ]);
  });

  it("runs the tenant's default agent for a task naming none, until it is unset; another tenant keeps none", async () => {
    expect((await call(ann, 'PUT', '/agent-configs/support/default')).status).toBe(403);
    expect(await json(await call(admin, 'PUT', '/agent-configs/support/default'), 200)).toEqual({
      agent: 'support',
    });
    const listed = await json<{ agents: Agents.AgentView[] }>(
      await call(ann, 'GET', '/agent-configs'),
      200,
    );
    expect(listed.agents.map((a) => [a.agent, a.isDefault])).toEqual([['support', true]]);
    const byDefault = await run(ann, {});
    expect(byDefault.view.agent).toMatchObject({
      agent: 'support',
      version: 1,
      label: 'production',
      byDefault: true,
    });
    const theirs = await run(globex, {});
    expect(theirs.view.agent).toBeUndefined();
    expect(await json(await call(admin, 'DELETE', '/agent-configs/support/default'), 200)).toEqual({
      previous: 'support',
    });
    const plain = await run(ann, {});
    expect(plain.view.status).toBe('completed');
    expect(plain.view.agent).toBeUndefined();
    expect(stampOf(plain.events)).toBeUndefined();
  });

  /**
   * The bucket the orchestrator gives a thread's tasks for a label's canary (canary-bucket.ts),
   * computed here to pick a thread on each side of a 10% split rather than hoping for one.
   */
  const bucketOf = (who: Who, agent: string, label: string, thread: string) =>
    createHash('sha256')
      .update(`${agent}/${label}/thread:${who.tenant}:${who.user}:${thread}`, 'utf8')
      .digest()
      .readUInt32BE(0) % 100;
  const threadIn = (inCanary: boolean) => {
    for (let i = 0; ; i++) {
      const thread = `canary-${stamp}-${i}`;
      if (bucketOf(ann, 'support', 'production', thread) < 10 === inCanary) return thread;
    }
  };

  it("splits production 90/10 with a canary, sticky per thread, the choice journaled in each task's stamp; another tenant sees none of it", async () => {
    const split = await json<Agents.AgentLabelView>(
      await call(admin, 'PUT', '/agent-configs/support/labels/production/canary', {
        canary: { version: 2, weight: 10 },
      }),
      200,
    );
    expect(split).toMatchObject({ version: 1, canary: { version: 2, weight: 10 } });
    const shown = await json<Agents.AgentView>(
      await call(ann, 'GET', '/agent-configs/support'),
      200,
    );
    expect(shown.labels[0]).toMatchObject({
      label: 'production',
      canary: { version: 2, weight: 10 },
    });
    // Globex's own `support` (same name, same label) has no canary.
    await json(await call(globex, 'POST', '/agent-configs', { name: 'support', config: v1 }), 201);
    for (const [thread, chosen] of [
      [threadIn(true), true],
      [threadIn(false), false],
    ] as const) {
      const bucket = bucketOf(ann, 'support', 'production', thread);
      for (let turn = 0; turn < 2; turn++) {
        const { events, view } = await run(ann, { agent: { name: 'support' }, thread_id: thread });
        // journaled: the task's first event carries the choice, and its view reads it back
        expect(stampOf(events)).toMatchObject({
          version: chosen ? 2 : 1,
          label: 'production',
          canary: { version: 2, weight: 10, bucket, chosen },
        });
        expect(view.agent).toEqual(stampOf(events));
      }
      const theirs = await run(globex, { agent: { name: 'support' }, thread_id: thread });
      expect(theirs.view.agent).toMatchObject({ version: 1, label: 'production' });
      expect(theirs.view.agent?.canary).toBeUndefined();
    }
    expect(
      (
        await call(admin, 'PUT', '/agent-configs/support/labels/production/canary', {
          canary: { version: 1, weight: 50 },
        })
      ).status,
    ).toBe(400);
    await json(
      await call(admin, 'PUT', '/agent-configs/support/labels/production/canary', { canary: null }),
      200,
    );
  });

  it('scores an experiment on the built-in planner with the judge (a model only the judge asks)', async () => {
    await json(await call(admin, 'POST', '/datasets', { name: 'judged' }), 201);
    await json(
      await call(admin, 'POST', '/datasets/judged/items', {
        items: v1Tasks.map((taskId) => ({ taskId })),
      }),
      201,
    );
    const started = await json<Evaluations.ExperimentView>(
      await call(admin, 'POST', '/experiments', {
        dataset: 'judged',
        agent: { name: 'support', version: 2 },
        baseline: { label: 'production' },
        scorers: [
          { kind: 'trajectory', mode: 'strict' },
          { kind: 'judge', rubric: 'Is the product of 17 and 23 given?' },
        ],
      }),
      202,
    );
    const done = await waitFor(
      async () => {
        const r = await call(admin, 'GET', `/experiments/${started.experimentId}`);
        const v = await json<Evaluations.ExperimentView>(r, 200);
        return v.status === 'completed' ? v : undefined;
      },
      { what: 'the judged experiment', timeoutMs: 60_000 },
    );
    // v2 cannot save the note: no answer, judged 0; production (v1) answers 391, judged 1
    expect(done.items.map((i) => [i.candidate.scores, i.baseline?.scores, i.comparison])).toEqual(
      v1Tasks.map(() => [
        { 'trajectory.strict': 0, judge: 0 },
        { 'trajectory.strict': 1, judge: 1 },
        'worse',
      ]),
    );
    // the model was asked as the judge only, once per distinct answer shown to it
    expect(judge.requests.length).toBeGreaterThan(0);
    expect(
      judge.requests.every((r) =>
        String(r.body.messages[0]?.content).startsWith('You grade the answer'),
      ),
    ).toBe(true);
  });
});
