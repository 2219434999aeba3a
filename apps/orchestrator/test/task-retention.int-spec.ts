import { ReadinessRegistry } from '@switchboard/observability';
import {
  createTestDatabase,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  tempDir,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { TaskRetentionRepository } from '../src/retention/task-retention.repository.js';

const DAY = 86_400_000;
const now = Date.now();

// The retention sweep's statement against a real, migrated PostgreSQL (TASK_RETENTION_DAYS,
// docs/operations.md "Retention"): what is due goes with its steps, rounds and approvals; nothing else.
describe('task retention (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let repos: TaskRetentionRepository[];

  beforeAll(async () => {
    db = await createTestDatabase('orch_retention', 'orchestrator');
    // Two clients, as two orchestrator replicas sweeping at once would have.
    prismas = [0, 1].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    repos = prismas.map((p) => new TaskRetentionRepository(p));
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  /** A task with one step, one planning round and one approval, ended `daysAgo` days ago (or running). */
  async function task(status: string, daysAgo?: number, parentId?: string): Promise<string> {
    const id = randomUUID();
    const prisma = prismas[0] as PrismaService;
    await prisma.task.create({
      data: {
        id,
        tenantId: 'acme',
        userId: 'ann',
        role: 'user',
        status,
        text: 'remember this',
        request: { task: 'remember this' },
        correlationId: `c-${id}`,
        ...(daysAgo === undefined ? {} : { finishedAt: new Date(now - daysAgo * DAY) }),
        ...(parentId ? { parentId, runKind: 'fork' } : {}),
        steps: {
          create: {
            id: `${id}-s0`,
            index: 0,
            actionId: 'a0',
            kind: 'tool',
            target: 'notes.add',
            status: 'completed',
            input: {},
            idempotencyKey: `${id}:0`,
          },
        },
        rounds: {
          create: { id: `${id}-r0`, iteration: 0, planner: 'builtin', decision: {} },
        },
        approvals: {
          create: {
            id: randomUUID(),
            actionId: 'a0',
            kind: 'tool',
            target: 'notes.add',
            input: {},
            argsHash: 'h',
            reason: 'policy',
            policy: {},
            status: 'approved',
            requestedBy: 'ann',
            expiresAt: new Date(now),
          },
        },
      },
    });
    // Its journal: keyed by the task without a foreign key, deleted by the sweep's statement.
    await prisma.taskEvent.createMany({
      data: [1, 2].map((seq) => ({
        taskId: id,
        seq,
        tenantId: 'acme',
        name: 'orchestrator.planning.started',
        event: { seq },
      })),
    });
    // Its agent version stamp (docs/agents.md): keyed by the task without a foreign key too.
    await prisma.agentTaskStamp.create({
      data: { taskId: id, tenantId: 'acme', versionId: randomUUID(), stamp: { version: 1 } },
    });
    return id;
  }

  const exists = async (id: string) =>
    (await (prismas[0] as PrismaService).task.count({ where: { id } })) === 1;

  it('deletes ended tasks past the cutoff with their steps, rounds, approvals and journal, and nothing else', async () => {
    const cutoff = new Date(now - 30 * DAY);
    const due = [
      await task('completed', 31),
      await task('failed', 45),
      await task('cancelled', 400),
    ];
    const kept = [
      await task('completed', 29), // ended within the retention
      await task('running'), // never ended
      await task('waiting_approval'),
    ];
    // a fork still running keeps the old task it was made from; an ended fork does not
    const parentOfRunning = await task('completed', 60);
    await task('running', undefined, parentOfRunning);
    const parentOfEnded = await task('completed', 60);
    const endedFork = await task('completed', 1, parentOfEnded);

    expect(await (repos[0] as TaskRetentionRepository).expireEndedBefore(cutoff, 100)).toBe(4);
    for (const id of [...due, parentOfEnded]) expect(await exists(id)).toBe(false);
    for (const id of [...kept, parentOfRunning, endedFork]) expect(await exists(id)).toBe(true);
    const prisma = prismas[0] as PrismaService;
    const orphans = { where: { taskId: { in: [...due, parentOfEnded] } } };
    expect(await prisma.step.count(orphans)).toBe(0);
    expect(await prisma.planningRound.count(orphans)).toBe(0);
    expect(await prisma.approval.count(orphans)).toBe(0);
    expect(await prisma.taskEvent.count(orphans)).toBe(0);
    expect(await prisma.agentTaskStamp.count(orphans)).toBe(0);
    expect(await prisma.agentTaskStamp.count({ where: { taskId: { in: kept } } })).toBe(3);
    expect(await prisma.step.count({ where: { taskId: { in: kept } } })).toBe(3);
    expect(await prisma.taskEvent.count({ where: { taskId: { in: kept } } })).toBe(6);
  });

  it('two replicas sweeping at once delete each due task once, in bounded batches', async () => {
    const cutoff = new Date(now - 30 * DAY);
    const due = await Promise.all(Array.from({ length: 30 }, () => task('completed', 90)));
    let deleted = 0;
    // each replica sweeps batch after batch (5 at a time) until a short batch, as the use case does
    await Promise.all(
      repos.map(async (repo) => {
        for (;;) {
          const n = await repo.expireEndedBefore(cutoff, 5);
          expect(n).toBeLessThanOrEqual(5);
          deleted += n;
          if (n < 5) break;
        }
      }),
    );
    expect(deleted).toBe(30);
    for (const id of due) expect(await exists(id)).toBe(false);
  });

  it('the orchestrator process sweeps on its own: TASK_RETENTION_DAYS=1 takes a task ended 2 days ago, not one ended an hour ago', async () => {
    const old = await task('completed', 2);
    const recent = await task('failed', 1 / 24);
    let nats: PrivateNats | undefined;
    let orchestrator: ServiceHandle | undefined;
    try {
      nats = await startPrivateNats();
      // A sweep a second instead of an hour (TASK_RETENTION_SWEEP_MS), so the test waits for one.
      orchestrator = await startService(
        'orchestrator',
        {
          NATS_SERVERS: nats.url,
          DATABASE_URL: db.url,
          TASK_RETENTION_DAYS: '1',
          TASK_RETENTION_SWEEP_MS: '1000',
        },
        { logDir: tempDir('retention-logs') },
      );
      await waitFor(async () => !(await exists(old)), { what: 'the old task swept' });
      expect(await exists(recent)).toBe(true);
      const metrics = await fetch(`${orchestrator.url}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^sb_tasks_expired_total\{[^}]*\} [1-9]/m);
    } finally {
      await orchestrator?.stop();
      await nats?.stop();
    }
  });
});
