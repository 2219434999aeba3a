import { Schedules } from '@switchboard/contracts';
import { ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { planFiring } from '../src/schedules/schedule-plan.js';
import { ScheduleRepository } from '../src/schedules/schedule.repository.js';

const GRACE = 60_000;

/**
 * The schedules' due list on a real PostgreSQL (docs/schedules.md): replicas claiming at the same
 * moment record one firing per due time, and a schedule that fired thousands of times keeps its last
 * SCHEDULE_FIRINGS_KEPT firings.
 */
describe('schedules due list (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prismas: PrismaService[];
  let repos: ScheduleRepository[];

  beforeAll(async () => {
    db = await createTestDatabase('orch_schedules', 'orchestrator');
    // One client per "replica": separate connection pools, as separate processes have.
    prismas = [0, 1, 2, 3].map(
      () => new PrismaService({ DATABASE_URL: db.url }, new ReadinessRegistry()),
    );
    await Promise.all(prismas.map((p) => p.$connect()));
    repos = prismas.map((p) => new ScheduleRepository(p));
  });

  afterAll(async () => {
    await Promise.all((prismas ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const create = (repo: ScheduleRepository, nextDueAt: Date, cron: string | null = '* * * * *') =>
    repo.create({
      id: randomUUID(),
      tenantId: 'acme',
      userId: 'ann',
      role: 'user',
      request: { task: 'summarise' },
      cron,
      timezone: cron ? 'UTC' : null,
      at: cron ? null : nextDueAt,
      catchUp: 'skip',
      nextDueAt,
    });

  it('records one firing per due time when four replicas claim at once', async () => {
    const [first] = repos;
    if (!first) throw new Error('no repository');
    const now = new Date();
    const due = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => (await create(first, due)).scheduleId),
    );
    const claims = await Promise.all(
      repos.map((r) => r.claimDue(now, 100, (t) => planFiring(t, now, GRACE))),
    );
    const fired = claims.flat();
    expect(fired.map((f) => f.scheduleId).sort()).toEqual([...ids].sort());
    expect(new Set(fired.map((f) => f.taskId)).size).toBe(20);
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "ScheduleFiring" WHERE "scheduleId" = ANY($1::uuid[])`,
      [ids],
    );
    expect(Number(rows[0]?.n)).toBe(20);
    // Claimed again at the same moment: nothing is due any more.
    const again = await Promise.all(
      repos.map((r) => r.claimDue(now, 100, (t) => planFiring(t, now, GRACE))),
    );
    expect(again.flat()).toEqual([]);
  });

  it('keeps the last firings of a schedule that fired 2,000 times, and a one-shot ends done', async () => {
    const [repo] = repos;
    if (!repo) throw new Error('no repository');
    const start = new Date('2026-01-01T00:00:00Z');
    const s = await create(repo, start);
    // 2,000 successive minutes, each claimed on time.
    for (let i = 0; i < 2_000; i++) {
      const now = new Date(start.getTime() + i * 60_000 + 1_000);
      const fired = await repo.claimDue(now, 100, (t) => planFiring(t, now, GRACE));
      for (const f of fired.filter((x) => x.scheduleId === s.scheduleId))
        await repo.markPublished(f.scheduleId, f.dueAt);
    }
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "ScheduleFiring" WHERE "scheduleId" = $1::uuid`,
      [s.scheduleId],
    );
    expect(Number(rows[0]?.n)).toBe(Schedules.SCHEDULE_FIRINGS_KEPT);
    const view = await repo.get(s.scheduleId, 'acme');
    expect(view?.firedCount).toBe(2_000);
    const firings = await repo.firings(s.scheduleId);
    expect(firings[0]?.dueAt).toBe(new Date(start.getTime() + 1_999 * 60_000).toISOString());

    const once = await create(repo, new Date(Date.now() - 1_000), null);
    const now = new Date();
    await repo.claimDue(now, 100, (t) => planFiring(t, now, GRACE));
    expect((await repo.get(once.scheduleId, 'acme'))?.status).toBe('done');
  }, 300_000);
});
