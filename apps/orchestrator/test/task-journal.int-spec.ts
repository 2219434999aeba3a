import { PrismaPg } from '@prisma/adapter-pg';
import type { Actor, Tasks } from '@switchboard/contracts';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaClient } from '../src/generated/prisma/client.js';
import type { PrismaService } from '../src/prisma/prisma.service.js';
import type { AuditRelay } from '../src/tasks/journal/audit-relay/audit-relay.js';
import type { TaskEventPublisher } from '../src/tasks/journal/task-event.publisher.js';
import { TaskJournal } from '../src/tasks/journal/task-journal.js';
import { TaskJournalRepository } from '../src/tasks/journal/task-journal.repository.js';
import { TaskStateStore } from '../src/tasks/state/task-state.store.js';
import { TaskEventSequence } from '../src/tasks/task-event.stream.js';
import { TaskRepository } from '../src/tasks/task.repository.js';
import { ALL_TENANTS } from '../src/tenancy/tenant-scope.js';
import { A2aPushConfigRepository } from '../src/a2a-push/a2a-push-config.repository.js';
import { EnqueuePushNotificationsUseCase } from '../src/a2a-push/enqueue-push-notifications/enqueue-push-notifications.use-case.js';
import { WebhookDeliveryRepository } from '../src/webhooks/delivery/webhook-delivery.repository.js';
import { EnqueueDeliveriesUseCase } from '../src/webhooks/enqueue-deliveries/enqueue-deliveries.use-case.js';
import type { WebhookMetrics } from '../src/webhooks/webhook.metrics.js';

// The task journal on a real, migrated PostgreSQL: a task's events are rows of TaskEvent written by
// the statement of the step or transition that made them due (no transaction of their own), with
// the webhook deliveries they call for, and are published only after that statement committed; a
// statement that fails journals and publishes nothing. Read back a page at a time, in the reader's
// tenant only.
describe('the task journal (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  /** Connections taken from the pool: one per statement outside a transaction (what is counted). */
  let statements = 0;
  let tasks: TaskRepository;
  let entries: TaskJournalRepository;
  let journal: TaskJournal;
  const published: Tasks.TaskEvent[] = [];
  let kicks = 0;

  beforeAll(async () => {
    db = await createTestDatabase('orch_task_journal', 'orchestrator');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('acquire', () => statements++);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await prisma.$connect();
    const service = prisma as unknown as PrismaService;
    tasks = new TaskRepository(service, new TaskStateStore(service));
    const metrics = { enqueued: { inc: () => undefined } } as unknown as WebhookMetrics;
    const deliveries = new EnqueueDeliveriesUseCase(
      new WebhookDeliveryRepository(service),
      metrics,
      {
        WEBHOOK_RETRY_FOR_MS: 60_000,
      },
    );
    // Both of the journal's delivery sinks, as app.module composes them.
    const pushes = new EnqueuePushNotificationsUseCase(new A2aPushConfigRepository(service), {
      WEBHOOK_RETRY_FOR_MS: 60_000,
    });
    entries = new TaskJournalRepository(service, [deliveries, pushes]);
    const publisher = {
      publish: (_t: string, _tenant: string, events: readonly Tasks.TaskEvent[]) =>
        void published.push(...events),
    } as unknown as TaskEventPublisher;
    journal = new TaskJournal(
      entries,
      publisher,
      {
        enqueued: (count) => {
          if (count > 0) kicks++;
        },
      },
      { committed: () => undefined } as unknown as AuditRelay,
    );
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const submission = (actor: Actor, webhook?: unknown): Tasks.TaskSubmission => ({
    taskId: randomUUID(),
    actor,
    request: { task: 'what is 17 * 23', ...(webhook ? { webhook } : {}) } as Tasks.TaskRequest,
    submittedAt: new Date().toISOString(),
    correlationId: `c-${randomUUID()}`,
  });
  const sequenceOf = (s: Tasks.TaskSubmission) =>
    new TaskEventSequence(s.taskId, 0, 'orchestrator', journal, {
      tenantId: s.actor.tenantId ?? 'default',
      userId: s.actor.userId,
      ...(s.request.webhook ? { webhook: s.request.webhook } : {}),
    });
  const started = (events: TaskEventSequence, s: Tasks.TaskSubmission) =>
    events.emit('orchestrator.task.started', {
      task: s.request.task,
      userId: s.actor.userId,
      planner: 'builtin',
    });
  const journaled = async (taskId: string) =>
    (await prisma.taskEvent.findMany({ where: { taskId }, orderBy: { seq: 'asc' } })).map((r) => [
      r.seq,
      r.name,
    ]);
  const step = (s: Tasks.TaskSubmission, index: number) => ({
    taskId: s.taskId,
    tenantId: s.actor.tenantId ?? 'default',
    index,
    action: {
      id: `s${index}`,
      kind: 'tool' as const,
      target: 'calculator',
      input: {},
      description: 'x',
    },
    status: 'completed' as const,
    output: 391,
    startedAt: new Date(),
  });

  it('journals the events of a claim, a step and the end in their own statements, each one statement, published after it', async () => {
    const s = submission({ userId: 'ann', role: 'user', tenantId: 'acme' });
    const events = sequenceOf(s);
    started(events, s);
    published.length = 0;
    statements = 0;
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    expect(statements).toBe(1);
    expect(await journaled(s.taskId)).toEqual([[1, 'orchestrator.task.started']]);
    expect(published.map((e) => e.seq)).toEqual([1]);

    events.emit('orchestrator.step.dispatching', {
      stepId: 's0',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      input: {},
    });
    statements = 0;
    await events.commit((j) => tasks.recordStep(step(s, 0), j));
    expect(statements).toBe(1);
    expect(await journaled(s.taskId)).toEqual([
      [1, 'orchestrator.task.started'],
      [2, 'orchestrator.step.dispatching'],
    ]);

    events.emit('orchestrator.task.completed', {
      result: '391',
      planner: 'builtin',
      steps: 1,
      durationMs: 3,
    });
    statements = 0;
    await events.commit((j) =>
      tasks.finish(
        { taskId: s.taskId, tenantId: 'acme' },
        {
          status: 'completed',
          planner: 'builtin',
          plan: [],
          result: '391',
          lastEventSeq: 3,
          durationMs: 3,
        },
        j,
      ),
    );
    expect(statements).toBe(1);
    expect((await journaled(s.taskId)).map(([seq]) => seq)).toEqual([1, 2, 3]);
    expect(published.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('journals and publishes nothing of a statement that fails: its events go with the next one, gap-free', async () => {
    const s = submission({ userId: 'ann', role: 'user' });
    const events = sequenceOf(s);
    started(events, s);
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    published.length = 0;
    events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
    // A step of a task with no row: its foreign key refuses it, and the whole statement with it.
    const orphan = { ...step(s, 0), taskId: randomUUID() };
    await expect(events.commit((j) => tasks.recordStep(orphan, j))).rejects.toThrow();
    expect(await journaled(s.taskId)).toEqual([[1, 'orchestrator.task.started']]);
    expect(published).toEqual([]);
    expect(events.unjournaled).toBe(1);

    events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: 2 });
    await events.commit((j) => tasks.recordStep(step(s, 0), j));
    expect((await journaled(s.taskId)).map(([seq]) => seq)).toEqual([1, 2, 3]);
    expect(published.map((e) => e.seq)).toEqual([2, 3]);
  });

  it('journals nothing with a transition that did not move (another run ended the task first)', async () => {
    const s = submission({ userId: 'ann', role: 'user' });
    const events = sequenceOf(s);
    started(events, s);
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    const outcome = {
      status: 'completed' as const,
      planner: 'builtin' as const,
      plan: [],
      result: '1',
      lastEventSeq: 2,
      durationMs: 1,
    };
    await tasks.finish({ taskId: s.taskId, tenantId: 'default' }, outcome);
    published.length = 0;
    events.emit('orchestrator.task.completed', {
      result: '1',
      planner: 'builtin',
      steps: 0,
      durationMs: 1,
    });
    await expect(
      events.commit((j) => tasks.finish({ taskId: s.taskId, tenantId: 'default' }, outcome, j)),
    ).rejects.toThrow(/could not store it as completed/);
    expect(await journaled(s.taskId)).toEqual([[1, 'orchestrator.task.started']]);
    expect(published).toEqual([]);
  });

  it("stores the webhook deliveries a commit's events make due in the same statement, once each", async () => {
    const hook = { url: 'https://h.example/task', events: ['ended'] };
    const s = submission({ userId: 'ann', role: 'user', tenantId: 'globex' }, hook);
    const events = sequenceOf(s);
    started(events, s);
    kicks = 0;
    // The claim inserts the row in the same statement: the run's own knowledge of the task counts.
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    events.emit('orchestrator.task.completed', {
      result: '1',
      planner: 'builtin',
      steps: 0,
      durationMs: 1,
    });
    await events.commit((j) =>
      tasks.finish(
        { taskId: s.taskId, tenantId: 'globex' },
        {
          status: 'completed',
          planner: 'builtin',
          plan: [],
          result: '1',
          lastEventSeq: 2,
          durationMs: 1,
        },
        j,
      ),
    );
    const rows = await prisma.webhookDelivery.findMany({ where: { taskId: s.taskId } });
    expect(rows.map((r) => [r.dedupeKey, r.tenantId, r.userId, r.url])).toEqual([
      [`task:${s.taskId}:2`, 'globex', 'ann', 'https://h.example/task'],
    ]);
    expect(kicks).toBe(1);
  });

  it('answers a page at a time, in seq order, and only in the reader’s tenant', async () => {
    const s = submission({ userId: 'ann', role: 'user', tenantId: 'acme' });
    const events = sequenceOf(s);
    started(events, s);
    for (let i = 1; i <= 4; i++)
      events.emit('orchestrator.planning.started', { planner: 'builtin', iteration: i });
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    const first = await entries.page(s.taskId, 'acme', 0, 2);
    expect(first).toMatchObject({ userId: 'ann', lastSeq: 5, ended: false });
    expect(first?.events.map((e) => e.seq)).toEqual([1, 2]);
    const next = await entries.page(s.taskId, 'acme', 2, 10);
    expect(next?.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(await entries.page(s.taskId, 'globex', 0, 10)).toBeUndefined();
    expect((await entries.page(s.taskId, ALL_TENANTS, 4, 10))?.events.map((e) => e.seq)).toEqual([
      5,
    ]);
    expect(await entries.last(s.taskId)).toMatchObject({ seq: 5 });
  });
});
