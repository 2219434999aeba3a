import { type Actor, Approvals, DomainError, type Tasks } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ApprovalRepository } from '../src/approvals/approval.repository.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { ReplayBatchRepository } from '../src/replay/batches/replay-batch.repository.js';
import { PlanningRoundRepository } from '../src/tasks/plan-round/planning-round.repository.js';
import { TaskListRepository } from '../src/tasks/task-list.repository.js';
import { TaskRepository } from '../src/tasks/task.repository.js';
import { ALL_TENANTS } from '../src/tenancy/tenant-scope.js';
import { ThreadRepository } from '../src/threads/thread.repository.js';
import { TaskStateStore } from '../src/tasks/state/task-state.store.js';

const ann = (tenantId?: string): Actor => ({
  userId: 'ann',
  role: 'user',
  ...(tenantId ? { tenantId } : {}),
});

const submission = (actor: Actor, over: Partial<Tasks.TaskSubmission> = {}) => ({
  taskId: randomUUID(),
  actor,
  request: { task: 'what is 17 * 23', thread_id: 'thread-1' },
  submittedAt: new Date().toISOString(),
  correlationId: `c-${randomUUID()}`,
  ...over,
});

const action = (id: string): Tasks.PlanAction => ({
  id,
  kind: 'tool',
  target: 'calculator',
  input: { expression: '17 * 23' },
  description: 'multiply',
});

// The orchestrator's stores against a real, migrated PostgreSQL: every row takes its task's tenant,
// and every read for someone sees their tenant's rows only (the platform operator's: all). Two
// tenants whose users and threads have the same names: `ann` of acme and `ann` of globex are two
// people, and their `thread-1` two threads.
describe('tenants in the orchestrator database (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let tasks: TaskRepository;
  let list: TaskListRepository;
  let approvals: ApprovalRepository;
  let threads: ThreadRepository;
  let rounds: PlanningRoundRepository;

  beforeAll(async () => {
    db = await createTestDatabase('orch_tenancy', 'orchestrator');
    prisma = new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry());
    await prisma.$connect();
    tasks = new TaskRepository(prisma, new TaskStateStore(prisma));
    list = new TaskListRepository(prisma);
    approvals = new ApprovalRepository(prisma);
    threads = new ThreadRepository(prisma);
    rounds = new PlanningRoundRepository(prisma);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** Claims a task for `actor` with a step, a planning round and a pending approval. */
  async function storeTask(actor: Actor): Promise<string> {
    const s = submission(actor);
    await tasks.claim(s, 'builtin', s.request.task);
    const ref = { taskId: s.taskId, tenantId: actor.tenantId ?? 'default' };
    await rounds.save(ref, 1, 'builtin', { kind: 'actions', actions: [action('s1')] });
    await tasks.recordStep({
      ...ref,
      index: 0,
      action: action('s1'),
      status: 'completed',
      output: 391,
      startedAt: new Date(),
    });
    await approvals.request([
      {
        ...ref,
        action: action('s2'),
        input: { expression: '1+1' },
        argsHash: 'a'.repeat(64),
        policy: Approvals.REQUESTED_APPROVAL_POLICY,
        requestedBy: actor.userId,
      },
    ]);
    return s.taskId;
  }

  it("stores every row of a task in its submitter's tenant; rows without one in the default tenant", async () => {
    const acme = await storeTask(ann('acme'));
    const plain = await storeTask(ann());
    for (const [taskId, tenant] of [
      [acme, 'acme'],
      [plain, 'default'],
    ] as const) {
      for (const table of ['Task', 'Step', 'PlanningRound', 'Approval']) {
        const column = table === 'Task' ? 'id' : 'taskId';
        const rows = await db.query<{ tenantId: string }>(
          `SELECT "tenantId" FROM "${table}" WHERE "${column}" = $1`,
          [taskId],
        );
        expect({ table, tenants: rows.map((r) => r.tenantId) }).toEqual({
          table,
          tenants: [tenant],
        });
      }
    }
  });

  it("reads a task by id in its own tenant only; the platform operator's scope reads all", async () => {
    const acme = await storeTask(ann('acme'));
    expect(await tasks.get(acme, 'acme')).toMatchObject({ taskId: acme, userId: 'ann' });
    expect(await tasks.get(acme, 'globex')).toBeUndefined();
    expect(await tasks.get(acme, 'default')).toBeUndefined();
    expect(await tasks.get(acme, ALL_TENANTS)).toMatchObject({ taskId: acme });
    expect(await tasks.tenantOfTask(acme)).toBe('acme');
    expect(await tasks.tenantOfTask(randomUUID())).toBeUndefined();
  });

  it("lists a tenant's tasks (and one user's of it) for its admins, every tenant's for the operator", async () => {
    const acme = await storeTask(ann('initech'));
    const globex = await storeTask(ann('umbrella'));
    const ids = async (q: { tenantId?: string; userId?: string }) =>
      (await list.list({ ...q, limit: 200 })).tasks.map((t) => t.taskId);
    expect(await ids({ tenantId: 'initech' })).toEqual([acme]);
    expect(await ids({ tenantId: 'initech', userId: 'ann' })).toEqual([acme]);
    expect(await ids({ tenantId: 'umbrella', userId: 'ann' })).toEqual([globex]);
    expect(await ids({ tenantId: 'nobody' })).toEqual([]);
    const all = await ids({});
    expect(all).toEqual(expect.arrayContaining([acme, globex]));
  });

  it("keeps approvals apart: listed and read in their task's tenant only", async () => {
    const acme = await storeTask(ann('hooli'));
    const globex = await storeTask(ann('piedpiper'));
    const listed = async (scope: string | typeof ALL_TENANTS, taskId?: string) =>
      (await approvals.list({ status: 'pending', taskId, scope, take: 1_000 })).map(
        (a) => a.view.taskId,
      );
    expect(await listed('hooli')).toEqual([acme]);
    expect(await listed('piedpiper')).toEqual([globex]);
    expect(await listed('hooli', globex)).toEqual([]);
    expect(await listed(ALL_TENANTS)).toEqual(expect.arrayContaining([acme, globex]));
    const [stored] = await approvals.list({
      status: 'pending',
      taskId: globex,
      scope: 'piedpiper',
      take: 1,
    });
    const id = stored!.view.approvalId;
    expect(stored!.tenantId).toBe('piedpiper');
    expect(await approvals.get(globex, id, 'hooli')).toBeUndefined();
    expect(await approvals.get(globex, id, 'piedpiper')).toMatchObject({ tenantId: 'piedpiper' });
    expect(await approvals.get(globex, id, ALL_TENANTS)).toBeDefined();
    expect(await approvals.tenantOfApproval(globex, id)).toBe('piedpiper');
  });

  it("finds a replay batch's tasks inside the caller's scope only: a filter narrows it, never replaces it", async () => {
    const batches = new ReplayBatchRepository(prisma);
    const ended = async (actor: Actor) => {
      const id = await storeTask(actor);
      await prisma.task.update({ where: { id }, data: { status: 'completed' } });
      return id;
    };
    const user = (userId: string, tenantId: string): Actor => ({ userId, role: 'user', tenantId });
    const annTask = await ended(user('ann', 'wayne'));
    const bobTask = await ended(user('bob', 'wayne'));
    const carolTask = await ended(user('carol', 'stark'));
    const find = (actor: Actor, pick: Parameters<ReplayBatchRepository['endedTasks']>[1]) =>
      batches.endedTasks(actor, pick, 200);
    const ann = user('ann', 'wayne');
    expect(await find(ann, {})).toEqual([annTask]);
    expect(await find(ann, { userId: 'bob' })).toEqual([]);
    expect(await find(ann, { tenantId: 'stark' })).toEqual([]);
    expect(await find(ann, { userId: 'carol', tenantId: 'stark' })).toEqual([]);
    expect(await find(ann, { ids: [bobTask, carolTask, annTask] })).toEqual([annTask]);
    const admin: Actor = { userId: 'root', role: 'admin', tenantId: 'wayne' };
    expect(await find(admin, { userId: 'bob' })).toEqual([bobTask]);
    expect(await find(admin, { tenantId: 'stark' })).toEqual([]);
  });

  it('keeps the same thread id of two tenants as two threads', async () => {
    const thread = (tenantId: string) => ({ tenantId, userId: 'ann', threadId: 'thread-1' });
    for (const tenantId of ['vandelay', 'kramerica']) {
      await threads.saveExchange({
        thread: thread(tenantId),
        taskId: randomUUID(),
        user: { content: `question in ${tenantId}`, tokens: 3 },
        assistant: { content: `answer in ${tenantId}`, tokens: 3 },
        at: new Date(),
        keep: 200,
      });
    }
    const turns = await threads.recent(thread('vandelay'), randomUUID(), 10);
    expect(turns.map((t) => t.content)).toEqual(['answer in vandelay', 'question in vandelay']);
  });

  it("keeps a thread's newest turns only, however many messages it gets; other threads untouched", async () => {
    const busy = { tenantId: 'wonka', userId: 'ann', threadId: 'every-minute' };
    const quiet = { ...busy, threadId: 'once' };
    const exchange = (thread: typeof busy, i: number, keep: number) =>
      threads.saveExchange({
        thread,
        taskId: randomUUID(),
        user: { content: `question ${i}`, tokens: 3 },
        assistant: { content: `answer ${i}`, tokens: 3 },
        at: new Date(Date.UTC(2026, 10, 25, 8, i)),
        keep,
      });
    await exchange(quiet, 0, 4);
    for (let i = 1; i <= 12; i++) await exchange(busy, i, 4);
    const rows = await db.query<{ content: string }>(
      `SELECT "content" FROM "Turn" WHERE "tenantId" = 'wonka' AND "threadId" = $1
       ORDER BY "createdAt" DESC`,
      ['every-minute'],
    );
    expect(rows.map((r) => r.content)).toEqual([
      'answer 12',
      'question 12',
      'answer 11',
      'question 11',
    ]);
    expect((await threads.recent(quiet, randomUUID(), 10)).map((t) => t.content)).toEqual([
      'answer 0',
      'question 0',
    ]);
  });

  it("counts a queued cancellation of the task's tenant, or the operator's; never another tenant's", async () => {
    const claimAfter = async (by: Actor, actor = ann('acme')) => {
      const s = submission(actor);
      await tasks.rememberQueuedCancel(s.taskId, by, `stop from ${by.tenantId ?? 'default'}`);
      return tasks.claim(s, 'builtin', s.request.task);
    };
    expect((await claimAfter(ann('globex'))).cancelReason).toBeUndefined();
    expect(
      (await claimAfter({ userId: 'root', role: 'admin', tenantId: 'globex' })).cancelReason,
    ).toBeUndefined();
    expect((await claimAfter(ann('acme'))).cancelReason).toBe('stop from acme');
    const operator = { userId: 'ops', role: 'platform-admin', tenantId: 'globex' };
    expect((await claimAfter(operator)).cancelReason).toBe('stop from globex');
    // Another tenant's request cannot take the place of the tenant's own (one row per tenant).
    const s = submission(ann('acme'));
    await tasks.rememberQueuedCancel(s.taskId, ann('globex'), 'first, from globex');
    await tasks.rememberQueuedCancel(s.taskId, ann('acme'), 'then the owner');
    expect((await tasks.claim(s, 'builtin', s.request.task)).cancelReason).toBe('then the owner');
  });

  it("refuses for good a submission naming another tenant's task, changing nothing of it", async () => {
    const s = submission(ann('acme'));
    await tasks.claim(s, 'builtin', s.request.task);
    await tasks.pause(s.taskId, [action('s1')], 3);
    const forged = { ...s, actor: ann('globex') };
    const refusal = await tasks.claim(forged, 'builtin', s.request.task).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({ code: 'CONFLICT', retryable: false });
    const [row] = await db.query<{ status: string; tenantId: string }>(
      'SELECT "status", "tenantId" FROM "Task" WHERE "id" = $1',
      [s.taskId],
    );
    expect(row).toEqual({ status: 'waiting_approval', tenantId: 'acme' });
  });

  it("resubmits a task waiting for approvals as its submitter, in the submitter's tenant", async () => {
    const s = submission(ann('acme'));
    await tasks.claim(s, 'builtin', s.request.task);
    await tasks.pause(s.taskId, [action('s1')], 3);
    expect(await tasks.resubmission(s.taskId)).toMatchObject({
      taskId: s.taskId,
      actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
      correlationId: s.correlationId,
    });
    // …and resumed in it: the claim of the resubmission finds the task.
    expect(
      await tasks.claim({ ...s, actor: ann('acme') }, 'builtin', s.request.task),
    ).toMatchObject({ resumed: true, status: 'running' });
  });

  it('finishes and abandons only in the task’s own tenant', async () => {
    const s = submission(ann('acme'));
    await tasks.claim(s, 'builtin', s.request.task);
    const outcome = {
      status: 'completed' as const,
      planner: 'builtin' as const,
      plan: [action('s1')],
      result: '391',
      lastEventSeq: 4,
      durationMs: 12,
      interrupted: { index: 0, action: action('s1'), startedAt: new Date() },
    };
    await expect(tasks.finish({ taskId: s.taskId, tenantId: 'globex' }, outcome)).rejects.toThrow(
      /no row to finish/,
    );
    expect(await tasks.finish({ taskId: s.taskId, tenantId: 'acme' }, outcome)).toBe(1);
    const [step] = await db.query<{ tenantId: string }>(
      'SELECT "tenantId" FROM "Step" WHERE "taskId" = $1',
      [s.taskId],
    );
    expect(step?.tenantId).toBe('acme');
    // A failed submission of another tenant naming the task leaves it as it is.
    const running = submission(ann('acme'));
    await tasks.claim(running, 'builtin', running.request.task);
    await tasks.abandon({
      taskId: running.taskId,
      actor: ann('globex'),
      text: 'x',
      request: {},
      correlationId: 'c',
      submittedAt: new Date(),
      planner: 'builtin',
      error: { code: 'INTERNAL', message: 'boom', retryable: false },
      lastEventSeq: 1,
    });
    expect(await tasks.get(running.taskId, 'acme')).toMatchObject({ status: 'running' });
  });
});
