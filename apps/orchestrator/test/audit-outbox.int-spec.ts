import { PrismaPg } from '@prisma/adapter-pg';
import type { Audit, Tasks } from '@switchboard/contracts';
import { createTestDatabase, type TestDatabase, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type Prisma, PrismaClient } from '../src/generated/prisma/client.js';
import type { PrismaService } from '../src/prisma/prisma.service.js';
import { AuditOutboxRepository } from '../src/tasks/journal/audit-relay/audit-outbox.repository.js';
import type { AuditRelay } from '../src/tasks/journal/audit-relay/audit-relay.js';
import type { TaskEventPublisher } from '../src/tasks/journal/task-event.publisher.js';
import { TaskJournal } from '../src/tasks/journal/task-journal.js';
import { TaskJournalRepository } from '../src/tasks/journal/task-journal.repository.js';
import { TaskStateStore } from '../src/tasks/state/task-state.store.js';
import { TaskEventSequence } from '../src/tasks/task-event.stream.js';
import { TaskRepository } from '../src/tasks/task.repository.js';

// The audit records a task's transitions owe, on a real, migrated PostgreSQL: stored in JournalOutbox
// by the transition's own statement (none without it), handed to the relay only once it committed,
// and taken by sweeps of several replicas without two of them sending the same row.
describe('the audit outbox (real PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  let statements = 0;
  let tasks: TaskRepository;
  let outbox: AuditOutboxRepository;
  let journal: TaskJournal;
  const relayed: { ids: readonly string[]; records: readonly Audit.AuditRecordInput[] }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('orch_audit_outbox', 'orchestrator');
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('acquire', () => statements++);
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    await prisma.$connect();
    const service = prisma as unknown as PrismaService;
    tasks = new TaskRepository(service, new TaskStateStore(service));
    outbox = new AuditOutboxRepository(service);
    const relay = {
      committed: (ids: readonly string[], records: readonly Audit.AuditRecordInput[]) =>
        void relayed.push({ ids, records }),
    } as unknown as AuditRelay;
    const publisher = { publish: () => undefined } as unknown as TaskEventPublisher;
    journal = new TaskJournal(
      new TaskJournalRepository(service, []),
      publisher,
      { enqueued: () => undefined },
      relay,
    );
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await db?.drop();
  });

  const record = (taskId: string, action = 'task.completed'): Audit.AuditRecordInput => ({
    id: randomUUID(),
    at: new Date().toISOString(),
    category: 'task',
    action,
    outcome: 'success',
    source: 'orchestrator',
    actor: { userId: 'ann', role: 'user' },
    taskId,
    details: {},
  });
  const outcome = {
    status: 'completed' as const,
    planner: 'builtin' as const,
    plan: [],
    result: '1',
    lastEventSeq: 2,
    durationMs: 1,
  };

  /** A claimed task, its sequence, and its end about to be committed with `owed`. */
  async function endingTask(owed: Audit.AuditRecordInput) {
    const s: Tasks.TaskSubmission = {
      taskId: randomUUID(),
      actor: { userId: 'ann', role: 'user' },
      request: { task: 'what is 1 + 0' } as Tasks.TaskRequest,
      submittedAt: new Date().toISOString(),
      correlationId: `c-${randomUUID()}`,
    };
    // Events wait for the end's statement however slow the machine is: no live flush of their own
    // (which the statement count below would see) within the test.
    const events = new TaskEventSequence(
      s.taskId,
      0,
      'orchestrator',
      journal,
      { tenantId: 'default', userId: 'ann' },
      undefined,
      600_000,
    );
    events.emit('orchestrator.task.started', { task: 'x', userId: 'ann', planner: 'builtin' });
    await events.commit((j) => tasks.claim(s, 'builtin', s.request.task, j));
    events.emit('orchestrator.task.completed', {
      result: '1',
      planner: 'builtin',
      steps: 0,
      durationMs: 1,
    });
    events.owe(owed);
    const end = () =>
      events.commit((j) => tasks.finish({ taskId: s.taskId, tenantId: 'default' }, outcome, j));
    return { s, events, end };
  }

  const owedRows = (taskId: string) =>
    prisma.journalOutbox.findMany({ where: { taskId, kind: 'audit' }, orderBy: { id: 'asc' } });

  it("stores the records a transition owes in the transition's own statement, and hands them to the relay after it", async () => {
    const owed = record('');
    const { s, end } = await endingTask(owed);
    owed.taskId = s.taskId;
    relayed.length = 0;
    statements = 0;
    await end();
    expect(statements).toBe(1);
    const rows = await owedRows(s.taskId);
    expect(rows.map((r) => [(r.payload as { id: string }).id, r.relayedAt])).toEqual([
      [owed.id, null],
    ]);
    expect(relayed).toEqual([{ ids: [String(rows[0]?.id)], records: [owed] }]);
  });

  it('stores none for a transition that did not move, and keeps it owed by the next statement', async () => {
    const owed = record('');
    const { s, events, end } = await endingTask(owed);
    owed.taskId = s.taskId;
    await tasks.finish({ taskId: s.taskId, tenantId: 'default' }, outcome);
    relayed.length = 0;
    await expect(end()).rejects.toThrow(/could not store it as completed/);
    expect(await owedRows(s.taskId)).toEqual([]);
    expect(relayed).toEqual([]);
    // the next statement of the task that journals stores it
    await events.flush();
    expect((await owedRows(s.taskId)).map((r) => (r.payload as { id: string }).id)).toEqual([
      owed.id,
    ]);
  });

  it('lets sweeps of two replicas take disjoint rows (SKIP LOCKED), marks only what was sent, forgets relayed rows', async () => {
    await prisma.journalOutbox.updateMany({ data: { relayedAt: new Date() } });
    const taskId = randomUUID();
    await prisma.journalOutbox.createMany({
      data: Array.from({ length: 4 }, () => ({
        kind: 'audit',
        taskId,
        payload: asJson(record(taskId)),
      })),
    });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const first: string[] = [];
    // replica A holds its two rows while it sends them
    const a = outbox.relayOwed(
      0,
      2,
      async (batch) => {
        first.push(...batch.flatMap((b) => b.records.map((r) => r.id as string)));
        await held;
      },
      10_000,
    );
    await waitFor(async () => first.length === 2, { what: 'replica A holding its rows' });
    const second: string[] = [];
    const b = await outbox.relayOwed(
      0,
      10,
      async (batch) =>
        void second.push(...batch.flatMap((b) => b.records.map((r) => r.id as string))),
      10_000,
    );
    release();
    expect([await a, b]).toEqual([2, 2]);
    expect(new Set([...first, ...second]).size).toBe(4);
    // a send that fails marks nothing: the rows stay owed
    await prisma.journalOutbox.create({
      data: { kind: 'audit', taskId, payload: asJson(record(taskId)) },
    });
    await expect(
      outbox.relayOwed(0, 10, () => Promise.reject(new Error('no responders')), 10_000),
    ).rejects.toThrow(/no responders/);
    expect(await prisma.journalOutbox.count({ where: { taskId, relayedAt: null } })).toBe(1);
    await outbox.markRelayed(
      (await owedRows(taskId)).filter((r) => !r.relayedAt).map((r) => String(r.id)),
    );
    expect(await prisma.journalOutbox.count({ where: { taskId, relayedAt: null } })).toBe(0);
    expect(await outbox.forgetRelayed(0, 1_000)).toBeGreaterThanOrEqual(5);
    expect(await owedRows(taskId)).toEqual([]);
  });
});

/** A record as Prisma's JSON input type (it is plain JSON). */
const asJson = (r: Audit.AuditRecordInput) => r as unknown as Prisma.InputJsonObject;
