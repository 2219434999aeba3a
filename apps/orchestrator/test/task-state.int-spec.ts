import type { Actor, Tasks } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../src/generated/prisma/client.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { TaskStateStore } from '../src/tasks/state/task-state.store.js';
import { TaskListRepository } from '../src/tasks/task-list.repository.js';
import {
  type StepRecord,
  type TaskOutcome,
  TaskRepository,
  TaskStateRace,
} from '../src/tasks/task.repository.js';
import { ALL_TENANTS } from '../src/tenancy/tenant-scope.js';

const ann: Actor = { userId: 'ann', role: 'user' };

const submission = (): Tasks.TaskSubmission => ({
  taskId: randomUUID(),
  actor: ann,
  request: { task: 'what is 17 * 23' },
  submittedAt: new Date().toISOString(),
  correlationId: `c-${randomUUID()}`,
});

const completed = (result: string): TaskOutcome => ({
  status: 'completed',
  planner: 'builtin',
  plan: [],
  result,
  lastEventSeq: 3,
  durationMs: 12,
});

// The stored task state machine against a real, migrated PostgreSQL, with two clients as two
// orchestrator replicas have: each transition compares and sets (status, version), so of two
// replicas moving the same row from the same version exactly one does, and the other learns it.
describe('the stored task state (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let stores: TaskStateStore[];
  let tasks: TaskRepository;

  beforeAll(async () => {
    db = await createTestDatabase('orch_task_state', 'orchestrator');
    prismas = [0, 1].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    stores = prismas.map((p) => new TaskStateStore(p));
    tasks = new TaskRepository(prismas[0]!, stores[0]!);
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const row = (id: string) =>
    prismas[0]!.task.findUniqueOrThrow({
      where: { id },
      select: { status: true, version: true, result: true, cancelReason: true, finishedAt: true },
    });

  it('claims a new task as running at version 0', async () => {
    const s = submission();
    const claim = await tasks.claim(s, 'builtin', s.request.task);
    expect(claim).toMatchObject({ resumed: false, status: 'running' });
    expect(await row(s.taskId)).toMatchObject({ status: 'running', version: 0 });
  });

  it('of two transitions from the same version, exactly one wins; the other sees the winner', async () => {
    for (let round = 0; round < 5; round++) {
      const s = submission();
      await tasks.claim(s, 'builtin', s.request.task);
      const [a, b] = await Promise.all([
        stores[0]!.transition(
          s.taskId,
          { on: 'paused', from: 'running', expectedVersion: 0 },
          { set: Prisma.sql`"pausedAt" = (now() AT TIME ZONE 'UTC')` },
        ),
        stores[1]!.transition(
          s.taskId,
          { on: 'cancel-requested', from: 'running', expectedVersion: 0 },
          { set: Prisma.sql`"cancelReason" = ${'stop'}` },
        ),
      ]);
      expect([a, b].filter((r) => r.moved)).toHaveLength(1);
      const winner = a.moved ? a : b;
      const loser = a.moved ? b : a;
      expect(winner).toMatchObject({ version: 1 });
      const stored = await row(s.taskId);
      expect(stored).toMatchObject({ status: winner.state, version: 1 });
      // The loser's extra writes were not made with it.
      if (winner === a) expect(stored.cancelReason).toBeNull();
      expect(loser.moved).toBe(false);
    }
  });

  it('refuses a stale version even when the state matches (a pause, a resume and a pause again)', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    expect((await tasks.pause(s.taskId, [], 1)).paused).toBe(true);
    const resumed = await tasks.claim(s, 'builtin', s.request.task);
    expect(resumed).toMatchObject({ resumed: true, status: 'running' });
    expect(await row(s.taskId)).toMatchObject({ status: 'running', version: 2 });
    const stale = await stores[1]!.transition(s.taskId, {
      on: 'paused',
      from: 'running',
      expectedVersion: 0,
    });
    expect(stale).toMatchObject({ moved: false, state: 'running', version: 2 });
  });

  it('stores a cancel as cancelling, shown as running, and ends it once', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    expect(await tasks.requestCancel(s.taskId, 'changed my mind')).toBe(true);
    expect(await tasks.requestCancel(s.taskId, 'again')).toBe(false);
    expect(await row(s.taskId)).toMatchObject({
      status: 'cancelling',
      cancelReason: 'changed my mind',
    });
    expect((await tasks.get(s.taskId, ALL_TENANTS))?.status).toBe('running');
    // A pause after the cancel is refused, naming the cancel's reason.
    expect(await tasks.pause(s.taskId, [], 2)).toEqual({
      paused: false,
      state: 'cancelling',
      cancelReason: 'changed my mind',
    });
    expect(await tasks.finish({ taskId: s.taskId, tenantId: 'default' }, completed('391'))).toBe(0);
    expect(await row(s.taskId)).toMatchObject({ status: 'completed', result: '391', version: 2 });
    // A second run's end is not stored over the first's: it is told, and redelivered.
    await expect(
      tasks.finish({ taskId: s.taskId, tenantId: 'default' }, completed('other')),
    ).rejects.toThrow(TaskStateRace);
    expect(await row(s.taskId)).toMatchObject({ result: '391', version: 2 });
    // An ended task takes no cancel, and a redelivery finds it ended.
    expect(await tasks.requestCancel(s.taskId, 'late')).toBe(false);
    expect(await tasks.claim(s, 'builtin', s.request.task)).toMatchObject({
      resumed: true,
      status: 'completed',
    });
  });

  /** A stored, ended task of ann's, and a fork of it by ann (from step 1), not stored yet. */
  async function parentAndRun(): Promise<{
    parent: Tasks.TaskSubmission;
    fork: Tasks.TaskSubmission & { run: Tasks.RunOrigin };
  }> {
    const parent = submission();
    await tasks.claim(parent, 'builtin', parent.request.task);
    await tasks.finish({ taskId: parent.taskId, tenantId: 'default' }, completed('391'));
    const fork = {
      ...submission(),
      run: { kind: 'fork' as const, of: parent.taskId, from: { step: 1 } },
    };
    return { parent, fork };
  }

  it('stores a fork queued with its run, and its claim takes the row as a new run', async () => {
    const { parent, fork } = await parentAndRun();
    expect(await tasks.enqueue(fork)).toBe(true);
    expect(await tasks.enqueue(fork)).toBe(false); // a start sent again stores nothing more
    const queued = await tasks.get(fork.taskId, ALL_TENANTS);
    expect(queued).toMatchObject({
      status: 'queued',
      task: parent.request.task,
      run: { kind: 'fork', of: parent.taskId, from: { step: 1 } },
      steps: [],
    });
    const claim = await tasks.claim(fork, 'builtin', fork.request.task);
    expect(claim).toMatchObject({ resumed: false, status: 'running', steps: [] });
    expect(await row(fork.taskId)).toMatchObject({ status: 'running', version: 1 });
    expect((await tasks.get(fork.taskId, ALL_TENANTS))?.run).toMatchObject({ kind: 'fork' });
    // Delivered again (a redelivery after a crash): the row as it is, resumed, not a second one.
    expect(await tasks.claim(fork, 'builtin', fork.request.task)).toMatchObject({
      resumed: true,
      status: 'running',
    });
    expect(await prismas[0]!.task.count({ where: { parentId: parent.taskId } })).toBe(1);
  });

  it('a run whose claim came first is left as its claim stored it', async () => {
    const { fork } = await parentAndRun();
    await tasks.claim(fork, 'builtin', fork.request.task);
    expect(await tasks.enqueue(fork)).toBe(false);
    expect(await row(fork.taskId)).toMatchObject({ status: 'running', version: 0 });
  });

  it('stores a run only of a parent its submitter may read, and an edited text only once it is screened', async () => {
    const { parent, fork } = await parentAndRun();
    // another user's task, and a task of another tenant (even for its admin): no row
    const bob = { ...fork, taskId: randomUUID(), actor: { userId: 'bob', role: 'user' } };
    expect(await tasks.enqueue(bob)).toBe(false);
    const elsewhere = {
      ...fork,
      taskId: randomUUID(),
      actor: { userId: 'ann', role: 'admin', tenantId: 'acme' },
    };
    expect(await tasks.enqueue(elsewhere)).toBe(false);
    expect(await prismas[0]!.task.count({ where: { parentId: parent.taskId } })).toBe(0);
    // an admin of the parent's tenant may
    const admin = { ...fork, taskId: randomUUID(), actor: { userId: 'root', role: 'admin' } };
    expect(await tasks.enqueue(admin)).toBe(true);
    // an edited text has not passed the input guardrail: the row holds none until the claim
    const edited = { ...fork, request: { task: 'what is 17 * 24', max_steps: 3 } };
    expect(await tasks.enqueue(edited)).toBe(true);
    const stored = await prismas[0]!.task.findUniqueOrThrow({ where: { id: edited.taskId } });
    expect(stored).toMatchObject({ text: '', request: { task: '', max_steps: 3 } });
    await tasks.claim(edited, 'builtin', edited.request.task);
    expect((await tasks.get(edited.taskId, ALL_TENANTS))?.task).toBe('what is 17 * 24');
  });

  it('ends a task cancelled while queued at its first run, as a new one', async () => {
    const { fork: s } = await parentAndRun();
    await tasks.enqueue(s);
    expect(await tasks.requestCancel(s.taskId, 'not needed')).toBe(true);
    expect((await tasks.get(s.taskId, ALL_TENANTS))?.status).toBe('queued');
    const claim = await tasks.claim(s, 'builtin', s.request.task);
    expect(claim).toMatchObject({
      resumed: false,
      status: 'cancelling',
      cancelReason: 'not needed',
    });
  });

  it('abandons a task with or without a row', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    const error = { code: 'INTERNAL' as const, message: 'dead-lettered', retryable: false };
    const abandoned = (taskId: string) => ({
      taskId,
      actor: ann,
      text: 't',
      request: {},
      correlationId: 'c',
      submittedAt: new Date(),
      planner: 'builtin' as const,
      error,
      lastEventSeq: 1,
    });
    await tasks.abandon(abandoned(s.taskId));
    expect(await row(s.taskId)).toMatchObject({ status: 'failed', version: 1 });
    const none = randomUUID();
    await tasks.abandon(abandoned(none));
    expect(await row(none)).toMatchObject({ status: 'failed', version: 0 });
  });

  const delegationStep = (taskId: string, status: 'completed' | 'failed'): StepRecord => ({
    taskId,
    tenantId: 'default',
    index: 0,
    action: {
      id: 's1',
      kind: 'agent',
      target: 'researcher',
      input: { message: 'NATS?' },
      description: 'ask the researcher',
    },
    status,
    ...(status === 'completed' ? { output: 'JetStream persists' } : {}),
    startedAt: new Date(),
    remote: true,
  });

  it('a delegation: waiting_remote while the agent works (shown and listed as running), running again with its step', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    expect(await tasks.awaitRemote(s.taskId, 'default')).toBe(true);
    expect(await row(s.taskId)).toMatchObject({ status: 'waiting_remote', version: 1 });
    expect((await tasks.get(s.taskId, ALL_TENANTS))?.status).toBe('running');
    const list = new TaskListRepository(prismas[0]!);
    const running = await list.list({ userId: 'ann', status: ['running'], limit: 100 });
    expect(running.tasks.map((t) => t.taskId)).toContain(s.taskId);
    // Another tenant's task is not moved by this tenant's run.
    expect(await tasks.awaitRemote(s.taskId, 'acme')).toBe(false);
    // A run resumed after a crash finds it waiting and delegates again: nothing to move.
    expect(await tasks.claim(s, 'builtin', s.request.task)).toMatchObject({
      resumed: true,
      status: 'waiting_remote',
    });
    expect(await tasks.awaitRemote(s.taskId, 'default')).toBe(false);
    // The step and the state, in one statement.
    await tasks.recordStep(delegationStep(s.taskId, 'completed'));
    expect(await row(s.taskId)).toMatchObject({ status: 'running', version: 2 });
    const view = await tasks.get(s.taskId, ALL_TENANTS);
    expect(view?.steps).toMatchObject([{ status: 'completed', target: 'researcher' }]);
    await tasks.finish({ taskId: s.taskId, tenantId: 'default' }, completed('ok'));
    expect(await row(s.taskId)).toMatchObject({ status: 'completed', version: 3 });
  });

  it('a cancel stored while the agent works is kept by the step that ends the delegation, and the run ends cancelled', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    await tasks.awaitRemote(s.taskId, 'default');
    expect(await tasks.requestCancel(s.taskId, 'stop asking')).toBe(true);
    expect(await row(s.taskId)).toMatchObject({ status: 'cancelling', version: 2 });
    expect((await tasks.get(s.taskId, ALL_TENANTS))?.status).toBe('running');
    await tasks.recordStep(delegationStep(s.taskId, 'failed'));
    // The step is stored; the cancel is not undone.
    expect(await row(s.taskId)).toMatchObject({ status: 'cancelling', version: 2 });
    expect((await tasks.get(s.taskId, ALL_TENANTS))?.steps).toHaveLength(1);
    await tasks.finish(
      { taskId: s.taskId, tenantId: 'default' },
      { ...completed(''), status: 'cancelled' },
    );
    expect(await row(s.taskId)).toMatchObject({ status: 'cancelled' });
  });

  it('a run that ends while the agent works ends from waiting_remote (the time budget, a failure)', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    await tasks.awaitRemote(s.taskId, 'default');
    await tasks.finish({ taskId: s.taskId, tenantId: 'default' }, {
      ...completed(''),
      status: 'failed',
      error: { code: 'TIMEOUT', message: 'time budget', retryable: false },
    } as TaskOutcome);
    expect(await row(s.taskId)).toMatchObject({ status: 'failed', version: 2 });
  });

  it('an agent that asks a question pauses the task from its wait', async () => {
    const s = submission();
    await tasks.claim(s, 'builtin', s.request.task);
    await tasks.awaitRemote(s.taskId, 'default');
    expect(await tasks.pause(s.taskId, [], 4)).toEqual({ paused: true });
    expect(await row(s.taskId)).toMatchObject({ status: 'waiting_approval', version: 2 });
  });
});
