import { Tasks } from '@switchboard/contracts';
import { collectSse, DEMO_TASK, type Stack, startStack } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { lockNotes, readUntil } from './support/held-steps.js';

/**
 * A replay's and a fork's first read, before any replica has claimed them (docs/replay.md): each is
 * stored `queued` with its origin as it is accepted, so `GET /tasks/{id}` names its parent and its
 * run from the start, and the claim then takes that row. The claim is held back the way a busy
 * replica holds it: the orchestrator runs one task at a time (TASK_CONCURRENCY=1, its consumer's
 * max_ack_pending), and that one task is blocked in its notes.add step (the Note table locked), so
 * the new runs' submissions wait on the stream, unclaimed, while they are read.
 */
describe('a replay and a fork say what they are before they are claimed (real processes)', () => {
  let stack: Stack;
  const ann = `queued-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startStack({ env: { orchestrator: { TASK_CONCURRENCY: '1' } } });
  }, 180_000);

  afterAll(async () => {
    const refused = stack?.securedNats?.violations() ?? [];
    await stack?.stop();
    // the gateway asks the orchestrator to store the run under its own NATS identity's rights
    expect(refused).toEqual([]);
  });

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-user-id': ann },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const view = async (taskId: string) => {
    const res = await call('GET', `/tasks/${taskId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Tasks.TaskView;
  };
  /** The stored rows of the runs of `parent`, as the orchestrator's database holds them. */
  const runRows = (parent: string) =>
    stack.dbs.orchestrator.query<{ id: string; status: string; startedAt: Date | null }>(
      `SELECT "id", "status", "startedAt" FROM "Task" WHERE "parentId" = $1 ORDER BY "createdAt"`,
      [parent],
    );
  const events = async (taskId: string) =>
    (await collectSse(await call('GET', `/tasks/${taskId}/events`))).map((e) =>
      Tasks.TaskEvent.parse(JSON.parse(e.data)),
    );

  it('GET names the parent and the run of a fresh replay and fork; their claims take those rows', async () => {
    const original = await call('POST', '/orchestrate/stream', { task: DEMO_TASK });
    const parent = original.headers.get('x-task-id')!;
    expect((await collectSse(original)).at(-1)?.event).toBe('orchestrator.task.completed');

    const lock = await lockNotes(stack.dbs.tools.url);
    let released = false;
    try {
      // The one task the orchestrator may run at once, held in its notes.add step.
      const busy = await call('POST', '/orchestrate/stream', { task: DEMO_TASK });
      const busyId = busy.headers.get('x-task-id')!;
      let started = 0;
      await readUntil(busy, (e) => e.event === 'mcp.task.started' && ++started === 2);

      const replayed = await call('POST', `/tasks/${parent}/replay`, {});
      expect(replayed.status).toBe(202);
      const replay = ((await replayed.json()) as { task_id: string }).task_id;
      const forked = await call('POST', `/tasks/${parent}/fork`, { from_step: 2 });
      expect(forked.status).toBe(202);
      const fork = ((await forked.json()) as { task_id: string }).task_id;

      // Read right after the POSTs answered: nothing has claimed them (the slot is held).
      expect(await view(replay)).toMatchObject({
        taskId: replay,
        userId: ann,
        status: 'queued',
        task: DEMO_TASK,
        run: { kind: 'replay', of: parent },
        steps: [],
      });
      expect(await view(fork)).toMatchObject({
        taskId: fork,
        status: 'queued',
        task: DEMO_TASK,
        run: { kind: 'fork', of: parent, from: { step: 2 } },
        steps: [],
      });
      // The parent lists them, queued: the run tree from the start.
      expect((await view(parent)).runs).toEqual([
        expect.objectContaining({ taskId: replay, kind: 'replay', status: 'queued' }),
        expect.objectContaining({
          taskId: fork,
          kind: 'fork',
          status: 'queued',
          from: { step: 2 },
        }),
      ]);
      // As stored: queued, never started — no replica has claimed either of them.
      expect(await runRows(parent)).toEqual([
        { id: replay, status: 'queued', startedAt: null },
        { id: fork, status: 'queued', startedAt: null },
      ]);

      await lock.release();
      released = true;
      expect((await events(busyId)).at(-1)?.name).toBe('orchestrator.task.completed');

      // Claimed once the slot is free: each run on the row it was stored with, its origin kept.
      const replayEvents = await events(replay);
      expect(replayEvents[0]).toMatchObject({
        name: 'orchestrator.task.started',
        data: { run: { kind: 'replay', of: parent } },
      });
      expect(replayEvents.at(-1)?.name).toBe('orchestrator.task.completed');
      expect(
        replayEvents.find((e) => e.name === 'orchestrator.replay.verdict')?.data,
      ).toMatchObject({ identical: true, of: parent });
      const forkEvents = await events(fork);
      expect(forkEvents[0]).toMatchObject({
        name: 'orchestrator.task.started',
        data: { run: { kind: 'fork', of: parent } },
      });
      expect(forkEvents.at(-1)?.name).toBe('orchestrator.task.completed');
      expect(await view(replay)).toMatchObject({
        status: 'completed',
        run: { kind: 'replay', of: parent },
        verdict: { identical: true },
      });
      expect(await view(fork)).toMatchObject({
        status: 'completed',
        run: { kind: 'fork', of: parent, from: { step: 2 } },
      });
      // One row each: the claim took the queued row, it stored no second one.
      expect((await runRows(parent)).map((r) => [r.id, r.status])).toEqual([
        [replay, 'completed'],
        [fork, 'completed'],
      ]);
    } finally {
      if (!released) await lock.release();
    }
  });
});
