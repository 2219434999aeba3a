import type { Agents, Evaluations } from '@switchboard/contracts';
import { Tasks } from '@switchboard/contracts';
import {
  collectSse,
  connectAs,
  lastUserText,
  natsEnvOf,
  runSwitchboardCli,
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
import { isDeepStrictEqual } from 'node:util';
import {
  EVAL_INSTRUCTIONS,
  evalModel,
  evalTask,
  JUDGE_RUBRIC,
  systemOf,
} from './support/eval-model.js';

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

  /**
   * Evaluations with a model (docs/evaluations.md): three versions differing by their instructions
   * (support/eval-model.ts). Twenty tasks of `production` (v1) carry v1's stamp and a rule collects
   * them as they end; `switchboard eval run` of v2 against production calls no tool and writes no
   * note, reports each item's divergence (the note v2 asks for first is not in the record), scores
   * every item by trajectory and by the judge (the stub, asked the judge's prompt) and exits 1 — the
   * protected label refuses v2; v3 scores better with the judge and exits 0, and the label moves.
   */
  describe('an agent whose versions plan differently by their instructions', () => {
    const marker = `eval-${randomUUID().slice(0, 8)}`;
    const agent = `helper-${marker}`;
    const dataset = `tickets-${marker}`;
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.gatewayUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-user-id': 'alan',
          'x-user-role': 'admin',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    const notes = async () =>
      Number(
        (await stack.dbs.tools.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Note"`))[0]
          ?.n,
      );
    const gate = async (version: number) => {
      const run = await runSwitchboardCli(
        natsEnvOf(stack.natsSettings('admin')),
        ...['eval', 'run', '--dataset', dataset, '--agent', agent, '--version', String(version)],
        ...['--baseline', 'production', '--concurrency', '8', '--json', '--poll-ms', '200'],
        ...['--scorer', 'trajectory:strict', '--scorer', `judge:${JUDGE_RUBRIC}`],
        // its first read after the runs ended scores them all (40 judge verdicts): time for it
        ...['--as', 'alan', '--role', 'admin', '--timeout', '120000'],
      );
      const json = run.output.split('\n').find((l) => l.startsWith('{'));
      if (!json)
        throw new Error(`eval run (exit ${run.status}) printed no experiment:\n${run.output}`);
      return { status: run.status, view: JSON.parse(json) as Evaluations.ExperimentView };
    };
    const version = (v: keyof typeof EVAL_INSTRUCTIONS) => ({
      instructions: EVAL_INSTRUCTIONS[v],
      model: { name: 'model-e' },
    });
    let v1Stamp: Agents.AgentStamp | undefined;

    beforeAll(() => {
      llm.script(
        (r) => lastUserText(r).includes(marker),
        Array.from({ length: 600 }, () => evalModel),
      );
    });

    it('runs twenty tasks on production (v1), each stamped v1, and a rule collects them as they end', async () => {
      expect(
        (await admin('POST', '/agent-configs', { name: agent, config: version('v1') })).status,
      ).toBe(201);
      for (const v of ['v2', 'v3'] as const)
        expect(
          (await admin('POST', `/agent-configs/${agent}/versions`, { config: version(v) })).status,
        ).toBe(201);
      const rule = { filter: { agent, label: 'production', outcome: ['completed'] }, rate: 1 };
      expect((await admin('POST', '/datasets', { name: dataset, rule })).status).toBe(201);
      const tasks: string[] = [];
      for (let n = 1; n <= TASKS; n++) {
        const res = await call('POST', '/orchestrate', {
          task: evalTask(marker, n),
          agent: { name: agent },
        });
        const body = (await res.json()) as { task_id: string; result: string };
        expect([n, res.status, body.result]).toEqual([n, 200, String(n * 3)]);
        tasks.push(body.task_id);
      }
      // the model was asked with v1's instructions and model, and each task's journal starts with
      // v1's stamp (the view reads it back from there)
      const asked = llm.requests.filter((r) => lastUserText(r).includes(marker));
      expect(new Set(asked.map((r) => r.body.model))).toEqual(new Set(['model-e']));
      for (const taskId of tasks) {
        const res = await call('GET', `/tasks/${taskId}/events`);
        const events = (await collectSse(res)).map((e) =>
          Tasks.TaskEvent.parse(JSON.parse(e.data)),
        );
        const started = events[0];
        if (started?.name !== 'orchestrator.task.started') throw new Error('no start event');
        v1Stamp ??= started.data.agent;
        expect(started.data.agent).toEqual(v1Stamp);
        expect(events.every((e) => e.taskId === taskId)).toBe(true);
        // and every event of it names the version it ran
        const ref = { agent, version: 1, versionId: started.data.agent?.versionId };
        expect(events.filter((e) => !isDeepStrictEqual(e.agentVersion, ref))).toEqual([]);
      }
      expect(v1Stamp).toMatchObject({ agent, version: 1, label: 'production', model: 'model-e' });
      const collected = await waitFor(
        async () => {
          const d = (await (
            await admin('GET', `/datasets/${dataset}`)
          ).json()) as Evaluations.DatasetView;
          return d.items.length >= TASKS ? d : undefined;
        },
        { what: 'the rule collecting the twenty tasks' },
      );
      expect(collected.items.map((i) => i.taskId).sort()).toEqual([...tasks].sort());
      expect(collected.items.every((i) => i.source === 'rule')).toBe(true);
    }, 120_000);

    it('gates v2 (it diverges, the judge grades it worse): exit 1, the protected label refuses it, no tool call and no note', async () => {
      expect(
        (await admin('PUT', `/agent-configs/${agent}/labels/production/protection`, { dataset }))
          .status,
      ).toBe(200);
      const before = {
        handler: await handlerCalls(),
        notes: await notes(),
        watched: toolCalls.length,
      };
      const worse = await gate(2);
      expect(worse.status).toBe(1);
      expect(worse.view).toMatchObject({ version: 2, baselineVersion: 1, passed: false });
      expect(worse.view.items).toHaveLength(TASKS);
      expect(worse.view.pairwise).toEqual({ better: 0, worse: 0, same: 0, diverged: TASKS });
      for (const item of worse.view.items) {
        expect(item.candidate.divergences).toEqual([
          expect.objectContaining({ tool: 'notes.add', input: { content: 'pending' } }),
        ]);
        expect(item.candidate.scores).toEqual({ 'trajectory.strict': 0, judge: 0 });
        expect(item.baseline?.scores).toEqual({ 'trajectory.strict': 1, judge: 0.5 });
        expect(item.baseline?.divergences).toEqual([]);
      }
      const refused = await admin('PUT', `/agent-configs/${agent}/labels/production`, {
        version: 2,
      });
      expect(refused.status).toBe(409);
      // no tool handler ran, no note was written, no tool call crossed NATS
      expect(await handlerCalls()).toBe(before.handler);
      expect(await notes()).toBe(before.notes);
      expect(toolCalls.length).toBe(before.watched);
    }, 180_000);

    it('gates v3 (the judge grades it better): exit 0, the protected label moves to it, the judge asked once per answer', async () => {
      const judged = () => llm.requests.filter((r) => systemOf(r).startsWith('You grade')).length;
      const before = { handler: await handlerCalls(), notes: await notes(), judged: judged() };
      const better = await gate(3);
      expect(better.status).toBe(0);
      expect(better.view).toMatchObject({ version: 3, baselineVersion: 1, passed: true });
      expect(better.view.pairwise).toEqual({ better: TASKS, worse: 0, same: 0, diverged: 0 });
      for (const item of better.view.items)
        expect(item.candidate.scores).toEqual({ 'trajectory.strict': 1, judge: 1 });
      // v1's answers were judged in v2's experiment already: only v3's are asked for
      expect(judged() - before.judged).toBe(TASKS);
      expect(await handlerCalls()).toBe(before.handler);
      expect(await notes()).toBe(before.notes);
      const moved = await admin('PUT', `/agent-configs/${agent}/labels/production`, { version: 3 });
      expect([moved.status, await moved.json()]).toEqual([
        200,
        expect.objectContaining({ from: 1, to: 3, moved: true }),
      ]);
    }, 180_000);
  });

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
