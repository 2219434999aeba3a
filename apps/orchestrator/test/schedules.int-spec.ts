import { Schedules } from '@switchboard/contracts';
import { type Logger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { planFiring } from '../src/schedules/schedule-plan.js';
import { FireSchedulesUseCase } from '../src/schedules/fire-schedules/fire-schedules.use-case.js';
import type { ScheduleSubmitter } from '../src/schedules/fire-schedules/schedule-submitter.js';
import type { ScheduleClock } from '../src/schedules/schedule-clock.js';
import { ScheduleMetrics } from '../src/schedules/schedule.metrics.js';
import { type DueFiring, ScheduleRepository } from '../src/schedules/schedule.repository.js';

const GRACE = 60_000;
/** CI's count of firings: ten times the 50 kept, enough to show a table that grows, in seconds. */
const CI_FIRINGS = 500;
/** The count, about 5 minutes on a loaded two-core machine: SCHEDULE_FIRINGS=10000. */
const FULL_FIRINGS = 10_000;
const FIRINGS = Number(process.env['SCHEDULE_FIRINGS'] ?? CI_FIRINGS);
/** Which count this run fires, for the test's name. */
const firingsRun =
  FIRINGS === CI_FIRINGS
    ? `${CI_FIRINGS.toLocaleString('en')} times (CI's count; SCHEDULE_FIRINGS=${FULL_FIRINGS} runs the full ${FULL_FIRINGS.toLocaleString('en')})`
    : `${FIRINGS.toLocaleString('en')} times (SCHEDULE_FIRINGS=${FIRINGS}${FIRINGS === FULL_FIRINGS ? ', the full count' : ''})`;

/**
 * The schedules' due list on a real PostgreSQL (docs/schedules.md): replicas claiming at the same
 * moment record one firing per due time, and a schedule fired thousands of times by the ticker
 * (500 in CI, ten times the kept firings; SCHEDULE_FIRINGS=10000 for the full count, about 5 minutes) grows no table (it
 * keeps its last SCHEDULE_FIRINGS_KEPT firings) — only its tasks, which go to the stream. The
 * ticker reads the time from its ScheduleClock, which this test sets to each successive minute.
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

  /** Rows in every table of the orchestrator's schema. */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`);
      counts[name] = Number(row?.n);
    }
    return counts;
  }

  it(`fires a schedule ${firingsRun} through the ticker: nothing grows but its tasks (firings kept at the last 50)`, async () => {
    const [repo] = repos;
    if (!repo) throw new Error('no repository');
    // What the submitter writes to this store is the firing's publishedAt (its task goes to the stream).
    const tasks: string[] = [];
    const submitter = {
      submit: async (f: DueFiring, now: Date) => {
        tasks.push(f.taskId);
        await repo.markPublished(f.scheduleId, f.dueAt, now);
      },
    } as unknown as ScheduleSubmitter;
    const logger = { warn: (o: unknown) => tasks.push(`failed: ${JSON.stringify(o)}`) };
    const start = new Date('2026-01-01T00:00:00Z');
    let time = start;
    const clock: ScheduleClock = { now: () => time };
    const ticker = new FireSchedulesUseCase(
      repo,
      submitter,
      { SCHEDULE_TICK_MS: 60_000, SCHEDULE_MISFIRE_GRACE_MS: GRACE },
      logger as unknown as Logger,
      clock,
      new ScheduleMetrics(new Metrics('orchestrator', 'int')),
    );
    const s = await create(repo, start);
    const rowSize = async () =>
      (
        await db.query<{ bytes: number }>(
          'SELECT pg_column_size(s.*) AS bytes FROM "Schedule" s WHERE id = $1::uuid',
          [s.scheduleId],
        )
      )[0]?.bytes;
    // Past the 50 kept firings, every firing leaves the store as it was.
    let half: { counts: Record<string, number>; bytes: number | undefined } | undefined;
    // Successive minutes, each ticked on time.
    for (let i = 0; i < FIRINGS; i++) {
      time = new Date(start.getTime() + i * 60_000 + 1_000);
      expect(await ticker.tick()).toBe(1);
      if (i === Math.floor(FIRINGS / 2) - 1)
        half = { counts: await rowCounts(), bytes: await rowSize() };
    }
    // One distinct task per due time, and no failure.
    expect(tasks.filter((t) => t.startsWith('failed'))).toEqual([]);
    expect(new Set(tasks).size).toBe(FIRINGS);
    // From the first half of the firings to all of them, no table gained a row and the schedule's
    // row kept its size.
    expect(await rowCounts()).toEqual(half?.counts);
    expect(await rowSize()).toBe(half?.bytes);
    const rows = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "ScheduleFiring" WHERE "scheduleId" = $1::uuid`,
      [s.scheduleId],
    );
    expect(Number(rows[0]?.n)).toBe(Schedules.SCHEDULE_FIRINGS_KEPT);
    const view = await repo.get(s.scheduleId, 'acme');
    expect(view?.firedCount).toBe(FIRINGS);
    const firings = await repo.firings(s.scheduleId);
    expect(firings[0]?.dueAt).toBe(
      new Date(start.getTime() + (FIRINGS - 1) * 60_000).toISOString(),
    );
  }, 600_000);

  it('ends a one-shot done once it fired', async () => {
    const [repo] = repos;
    if (!repo) throw new Error('no repository');
    const once = await create(repo, new Date(Date.now() - 1_000), null);
    const now = new Date();
    await repo.claimDue(now, 100, (t) => planFiring(t, now, GRACE));
    expect((await repo.get(once.scheduleId, 'acme'))?.status).toBe('done');
  });
});
