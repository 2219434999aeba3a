import type { Agents, Evaluations, Tasks } from '@switchboard/contracts';
import {
  DEMO_TASK,
  natsEnvOf,
  runSwitchboardCli,
  type SharedStack,
  sharedStack,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';

interface Who {
  user: string;
  role?: string;
}

/**
 * Evaluations end to end (docs/evaluations.md) on the shared stack's real processes with the built-in
 * planner: tasks of an agent's `production` (v1: every tool), each stamped v1, are collected by a
 * dataset's rule as they end; an experiment of v2 (the calculator only) against v1 over them calls
 * no tool and writes no note (mcp-tools' own sb_tool_calls_total and the notes table unchanged),
 * scores every item and comes out worse — the CLI gate exits 1 and the protected label refuses v2 — while v3 (v1's tools)
 * passes: the gate exits 0 and the label moves.
 */
describe('evaluations (real processes)', () => {
  let stack: SharedStack;
  const stamp = randomUUID().slice(0, 8);
  const agent = `support-${stamp}`;
  const dataset = `prod-${stamp}`;
  const admin: Who = { user: `alan-${stamp}`, role: 'admin' };
  /**
   * The dataset's rule collects this many production tasks, each replayed by three experiments and
   * scored (about 8 s more than three on the shared stack); replay-llm.e2e-spec collects as many with
   * a model.
   */
  const ITEMS = 20;
  const ann: Who = { user: `ann-${stamp}` };

  beforeAll(async () => {
    stack = await sharedStack();
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.violations() ?? [];
    await stack?.stop();
    // the gateway's and the CLI's requests on the new subjects are within their identities' rights
    expect(refused).toEqual([]);
  });

  const call = (who: Who, method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-user-id': who.user,
        'x-user-role': who.role ?? 'user',
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const body = (await res.json()) as T;
    expect([res.status, body]).toEqual([status, expect.anything()]);
    return body;
  };
  /** mcp-tools' tool handler's own count of the calls it took (every one, refused or run). */
  const toolCalls = async () => {
    const text = await (await fetch(`${stack.services['mcp-tools']!.url}/metrics`)).text();
    return [...text.matchAll(/^sb_tool_calls_total\{[^}]*\} (\S+)$/gm)].reduce(
      (n, [, v]) => n + Number(v),
      0,
    );
  };
  const notes = async () =>
    Number(
      (await stack.dbs.tools.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Note"`))[0]?.n,
    );
  const experiment = async (version: number): Promise<Evaluations.ExperimentView> => {
    const started = await json<Evaluations.ExperimentView>(
      await call(admin, 'POST', '/experiments', {
        dataset,
        agent: { name: agent, version },
        baseline: { label: 'production' },
        scorers: [{ kind: 'trajectory', mode: 'strict' }, { kind: 'contains' }],
        concurrency: 8,
      }),
      202,
    );
    return waitFor(
      async () => {
        const v = await json<Evaluations.ExperimentView>(
          await call(admin, 'GET', `/experiments/${started.experimentId}`),
          200,
        );
        return v.status === 'completed' ? v : undefined;
      },
      { what: `experiment of v${version}`, timeoutMs: 60_000 },
    );
  };
  const gate = (version: number) =>
    runSwitchboardCli(
      natsEnvOf(stack.natsSettings('admin')),
      'eval',
      'run',
      '--dataset',
      dataset,
      '--agent',
      agent,
      '--version',
      String(version),
      '--baseline',
      'production',
      '--concurrency',
      '8',
      '--as',
      admin.user,
      '--role',
      'admin',
      '--poll-ms',
      '200',
    );

  const v1 = { instructions: 'Answer briefly.', model: { name: 'builtin' } };

  it('collects 20 production tasks by rule, and an experiment of a worse version calls no tool, writes nothing and is refused by the gates', async () => {
    await json<Agents.AgentView>(
      await call(admin, 'POST', '/agent-configs', { name: agent, config: v1 }),
      201,
    );
    for (const config of [
      { ...v1, instructions: 'Only calculate.', tools: ['calculator'] },
      { ...v1, instructions: 'Answer in one line.' },
    ])
      await json(await call(admin, 'POST', `/agent-configs/${agent}/versions`, { config }), 201);
    const created = await json<Evaluations.DatasetView>(
      await call(admin, 'POST', '/datasets', {
        name: dataset,
        rule: { filter: { agent, label: 'production', outcome: ['completed'] }, rate: 1 },
      }),
      201,
    );
    expect(created).toMatchObject({ version: 0, items: [] });
    const bad = await call(admin, 'POST', '/datasets', { name: 'x', rule: { rate: 2 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('rule.rate');

    // an online scoring rule scores every one of them as it ends, off its path
    await json(
      await call(admin, 'POST', '/scoring-rules', {
        name: dataset,
        filter: { agent },
        rate: 1,
        scorers: [{ kind: 'regex', name: 'says-391', pattern: '\\b391\\b' }],
      }),
      201,
    );
    const tasks: string[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const res = await call(ann, 'POST', '/orchestrate', {
        task: DEMO_TASK,
        agent: { name: agent },
      });
      const body = await json<{ task_id: string; status: string }>(res, 200);
      expect(body.status).toBe('completed');
      tasks.push(body.task_id);
      // run on production = v1, and stamped so
      const view = await json<Tasks.TaskView>(
        await call(ann, 'GET', `/tasks/${body.task_id}`),
        200,
      );
      expect(view.agent).toMatchObject({ agent, version: 1, label: 'production' });
    }
    // a task of no agent is not collected
    await json(await call(ann, 'POST', '/orchestrate', { task: DEMO_TASK }), 200);
    const collected = await waitFor(
      async () => {
        const d = await json<Evaluations.DatasetView>(
          await call(ann, 'GET', `/datasets/${dataset}`),
          200,
        );
        return d.items.length >= ITEMS ? d : undefined;
      },
      { what: 'the rule collecting the production tasks' },
    );
    expect(collected.items.map((i) => i.taskId).sort()).toEqual([...tasks].sort());
    expect(collected.items.every((i) => i.source === 'rule')).toBe(true);
    expect(collected.version).toBe(ITEMS);
    const online = await waitFor(
      async () => {
        const r = await json<{ scores: Evaluations.ScoreView[] }>(
          await call(ann, 'GET', `/tasks/${tasks[0]}/scores`),
          200,
        );
        return r.scores.length ? r.scores : undefined;
      },
      { what: 'the online score of a task' },
    );
    expect(online.map((o) => [o.name, o.value, o.source])).toEqual([['says-391', 1, 'code']]);

    await json(
      await call(admin, 'PUT', `/agent-configs/${agent}/labels/production/protection`, {
        dataset,
      }),
      200,
    );
    const toolsBefore = await toolCalls();
    const notesBefore = await notes();

    const worse = await experiment(2);
    expect(worse.items).toHaveLength(ITEMS);
    for (const item of worse.items) {
      expect(item.baseline?.scores).toEqual({ 'trajectory.strict': 1, contains: 1 });
      expect(item.candidate.scores['trajectory.strict']).toBe(0);
      expect(item.comparison).toBe('worse');
    }
    expect(worse).toMatchObject({ version: 2, baselineVersion: 1, passed: false });
    expect(worse.pairwise).toEqual({ better: 0, worse: ITEMS, same: 0, diverged: 0 });
    // scores are records of the runs they score
    const runId = worse.items[0]?.candidate.runTaskId ?? '';
    const scores = await json<{ scores: Evaluations.ScoreView[] }>(
      await call(admin, 'GET', `/tasks/${runId}/scores`),
      200,
    );
    expect(scores.scores.map((s) => [s.name, s.source, s.experimentId])).toEqual([
      ['trajectory.strict', 'code', worse.experimentId],
      ['contains', 'code', worse.experimentId],
    ]);

    // the protected label refuses v2, naming the dataset
    const refused = await call(admin, 'PUT', `/agent-configs/${agent}/labels/production`, {
      version: 2,
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toContain(dataset);
    // the CLI gate: exit 1, the table says why
    const failing = await gate(2);
    expect(failing.status).toBe(1);
    expect(failing.output).toContain(`FAIL: worse than the baseline (v1): ${ITEMS} item(s) worse`);

    // the experiments (and the CLI's) made no tool call and wrote no note
    expect(await toolCalls()).toBe(toolsBefore);
    expect(await notes()).toBe(notesBefore);
  }, 180_000);

  it('a version as good as production passes: the gate exits 0 and the protected label moves', async () => {
    const same = await experiment(3);
    expect(same).toMatchObject({ version: 3, passed: true });
    expect(same.pairwise).toMatchObject({ worse: 0, same: ITEMS });
    const passing = await gate(3);
    expect(passing.status).toBe(0);
    expect(passing.output).toContain('PASS');
    const moved = await json<Agents.AgentLabelMoved>(
      await call(admin, 'PUT', `/agent-configs/${agent}/labels/production`, { version: 3 }),
      200,
    );
    expect(moved).toMatchObject({ from: 1, to: 3, moved: true });
    // a human score, recorded with its author
    const score = await json<Evaluations.ScoreView>(
      await call(ann, 'POST', `/tasks/${same.items[0]?.taskId}/scores`, {
        name: 'helpful',
        value: true,
      }),
      201,
    );
    expect(score).toMatchObject({ source: 'human', userId: ann.user, value: true });
  }, 120_000);
});
