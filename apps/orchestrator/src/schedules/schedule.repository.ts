import { Injectable } from '@nestjs/common';
import { Schedules, Tasks } from '@switchboard/contracts';
import type { Prisma, Schedule, ScheduleFiring } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { audienceWhere, type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';
import { type FiringPlan, scheduledTaskId, type ScheduleTiming } from './schedule-plan.js';

/** A new schedule, as stored. */
export interface NewSchedule {
  id: string;
  tenantId: string;
  userId: string;
  role: string;
  request: Tasks.TaskRequest;
  cron: string | null;
  timezone: string | null;
  at: Date | null;
  catchUp: Schedules.ScheduleCatchUp;
  nextDueAt: Date;
}

/** A firing whose task is to be submitted: what the submission needs. */
export interface DueFiring {
  scheduleId: string;
  tenantId: string;
  userId: string;
  role: string;
  request: Tasks.TaskRequest;
  dueAt: Date;
  firedAt: Date;
  taskId: string;
}

/**
 * Schedules and their firings, each in its tenant. Prisma types stay here; reads for someone take
 * their TenantScope. The Schedule table is the due list: `claimDue` locks the due rows of one
 * replica's tick (`FOR UPDATE SKIP LOCKED`: another replica skips them, never waits) and, in the same
 * transaction, records each firing (unique per schedule and due time) and moves the due time on.
 */
@Injectable()
export class ScheduleRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(s: NewSchedule): Promise<Schedules.ScheduleView> {
    const row = await this.prisma.schedule.create({
      data: { ...s, status: 'active', request: s.request as object },
    });
    return viewOf(row);
  }

  /** Schedules in `scope`, newest first; only `userId`'s when given. */
  async list(scope: TenantScope, userId: string | undefined, take: number) {
    const rows = await this.prisma.schedule.findMany({
      where: audienceWhere({ scope, userId }),
      orderBy: { createdAt: 'desc' },
      take,
    });
    return rows.map(viewOf);
  }

  /** A schedule as `scope` sees it (another tenant's: undefined, as a missing one). */
  async get(id: string, scope: TenantScope): Promise<Schedules.ScheduleView | undefined> {
    const row = await this.prisma.schedule.findFirst({ where: { id, ...tenantWhere(scope) } });
    return row ? viewOf(row) : undefined;
  }

  /** The tenant a schedule is in, whoever asks (to audit a refusal; undefined: none). */
  async tenantOf(id: string): Promise<string | undefined> {
    const row = await this.prisma.schedule.findUnique({
      where: { id },
      select: { tenantId: true },
    });
    return row?.tenantId;
  }

  /**
   * Moves a schedule from the state `from` to `to` with its next due time (null: none); undefined
   * when it is not in `from` any more (a concurrent change or a ticker got there first).
   */
  async transition(
    id: string,
    from: Schedules.ScheduleStatus,
    to: Schedules.ScheduleStatus,
    nextDueAt: Date | null,
  ): Promise<Schedules.ScheduleView | undefined> {
    const { count } = await this.prisma.schedule.updateMany({
      where: { id, status: from },
      data: { status: to, nextDueAt },
    });
    if (count === 0) return undefined;
    const row = await this.prisma.schedule.findUnique({ where: { id } });
    return row ? viewOf(row) : undefined;
  }

  /** Deletes a schedule and its firings; false when it was gone already. */
  async delete(id: string): Promise<boolean> {
    const { count } = await this.prisma.schedule.deleteMany({ where: { id } });
    return count === 1;
  }

  /** A schedule's most recent firings, newest first. */
  async firings(id: string): Promise<Schedules.ScheduleFiringView[]> {
    const rows = await this.prisma.scheduleFiring.findMany({
      where: { scheduleId: id },
      orderBy: { dueAt: 'desc' },
      take: Schedules.SCHEDULE_FIRINGS_KEPT,
    });
    return rows.map(firingViewOf);
  }

  /** Active schedules due before `until` in `scope` (only `userId`'s when given), soonest first. */
  async due(scope: TenantScope, userId: string | undefined, until: Date, take: number) {
    return this.prisma.schedule.findMany({
      where: {
        ...audienceWhere({ scope, userId }),
        status: 'active',
        nextDueAt: { lte: until },
      },
      orderBy: { nextDueAt: 'asc' },
      take,
    });
  }

  /**
   * Claims up to `limit` due schedules for this replica and, in one transaction per tick, records
   * their firings and moves each on as `plan` says. Answers the firings that submit a task; the
   * caller publishes them after the commit (see FireSchedulesUseCase for why in that order).
   */
  async claimDue(
    now: Date,
    limit: number,
    plan: (t: ScheduleTiming) => FiringPlan,
  ): Promise<DueFiring[]> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "Schedule"
        WHERE "status" = 'active' AND "nextDueAt" <= ${now.toISOString()}::timestamp(3)
        ORDER BY "nextDueAt" LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      if (locked.length === 0) return [];
      const rows = await tx.schedule.findMany({ where: { id: { in: locked.map((r) => r.id) } } });
      const out: DueFiring[] = [];
      for (const row of rows) {
        const firing = await this.claimOne(tx, row, now, plan);
        if (firing) out.push(firing);
      }
      return out;
    });
  }

  /** Records one claimed schedule's firing and moves it on; the firing when it submits a task. */
  private async claimOne(
    tx: Prisma.TransactionClient,
    row: Schedule,
    now: Date,
    plan: (t: ScheduleTiming) => FiringPlan,
  ): Promise<DueFiring | undefined> {
    const p = plan({
      ...row,
      catchUp: row.catchUp as Schedules.ScheduleCatchUp,
      nextDueAt: row.nextDueAt ?? now,
    });
    const dueAt = p.fire ?? p.skipped;
    const taskId = p.fire ? scheduledTaskId(row.id, p.fire) : null;
    // The unique (schedule, due time) is the second guard after the row lock: a due time that was
    // recorded before (by any replica, in any run) records, and submits, nothing more.
    const inserted = dueAt
      ? await tx.$executeRaw`
          INSERT INTO "ScheduleFiring" ("id", "scheduleId", "tenantId", "dueAt", "firedAt", "status", "taskId")
          VALUES (gen_random_uuid(), ${row.id}::uuid, ${row.tenantId}, ${dueAt.toISOString()}::timestamp(3),
                  ${now.toISOString()}::timestamp(3), ${p.fire ? 'submitted' : 'skipped'}, ${taskId}::uuid)
          ON CONFLICT ("scheduleId", "dueAt") DO NOTHING`
      : 0;
    const fired = inserted === 1 && p.fire !== undefined && taskId !== null;
    await tx.schedule.update({
      where: { id: row.id },
      data: {
        status: p.next ? 'active' : 'done',
        nextDueAt: p.next ?? null,
        ...(fired ? { lastFiredAt: now, firedCount: { increment: 1 } } : {}),
      },
    });
    await this.prune(tx, row.id);
    if (!fired || !p.fire || !taskId) return undefined;
    return {
      scheduleId: row.id,
      tenantId: row.tenantId,
      userId: row.userId,
      role: row.role,
      request: row.request as Tasks.TaskRequest,
      dueAt: p.fire,
      firedAt: now,
      taskId,
    };
  }

  /**
   * Keeps a schedule's most recent SCHEDULE_FIRINGS_KEPT firings, and any older one whose task is not
   * on the stream yet (it is republished first): a schedule firing every minute for years keeps ~50 rows.
   */
  private async prune(tx: Prisma.TransactionClient, scheduleId: string): Promise<void> {
    await tx.$executeRaw`
      DELETE FROM "ScheduleFiring"
      WHERE "id" IN (
        SELECT "id" FROM "ScheduleFiring" WHERE "scheduleId" = ${scheduleId}::uuid
        ORDER BY "dueAt" DESC OFFSET ${Schedules.SCHEDULE_FIRINGS_KEPT}
      ) AND ("publishedAt" IS NOT NULL OR "taskId" IS NULL)`;
  }

  /** The stream took the firing's task, `at` (the schedules' clock's time). */
  async markPublished(scheduleId: string, dueAt: Date, at: Date): Promise<void> {
    await this.prisma.scheduleFiring.updateMany({
      where: { scheduleId, dueAt, publishedAt: null },
      data: { publishedAt: at },
    });
  }

  /**
   * A firing refused for good, `at` (the schedules' clock's time): its busy thread refused it
   * (thread_policy reject) or its tenant's quota stayed full. Skipped, with no task, and never
   * republished.
   */
  async markRefused(scheduleId: string, dueAt: Date, at: Date): Promise<void> {
    await this.prisma.scheduleFiring.updateMany({
      where: { scheduleId, dueAt, publishedAt: null },
      data: { status: 'skipped', taskId: null, publishedAt: at },
    });
  }

  /**
   * Firings recorded before `before` whose task never reached the stream (the replica that claimed
   * them stopped between its commit and its publish), oldest first.
   */
  async unpublished(before: Date, take: number): Promise<DueFiring[]> {
    const rows = await this.prisma.scheduleFiring.findMany({
      where: { publishedAt: null, taskId: { not: null }, firedAt: { lt: before } },
      include: { schedule: true },
      orderBy: { firedAt: 'asc' },
      take,
    });
    return rows.map((f) => ({
      scheduleId: f.scheduleId,
      tenantId: f.tenantId,
      userId: f.schedule.userId,
      role: f.schedule.role,
      request: f.schedule.request as Tasks.TaskRequest,
      dueAt: f.dueAt,
      firedAt: f.firedAt,
      taskId: f.taskId ?? '',
    }));
  }
}

export function viewOf(r: Schedule): Schedules.ScheduleView {
  return {
    scheduleId: r.id,
    tenantId: r.tenantId,
    userId: r.userId,
    status: r.status as Schedules.ScheduleStatus,
    ...Schedules.scheduledTaskOf(r.request as Tasks.TaskRequest),
    ...(r.cron ? { cron: r.cron } : {}),
    ...(r.timezone ? { timezone: r.timezone } : {}),
    ...(r.at ? { at: r.at.toISOString() } : {}),
    catchUp: r.catchUp as Schedules.ScheduleCatchUp,
    ...(r.nextDueAt ? { nextDueAt: r.nextDueAt.toISOString() } : {}),
    ...(r.lastFiredAt ? { lastFiredAt: r.lastFiredAt.toISOString() } : {}),
    firedCount: r.firedCount,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function firingViewOf(f: ScheduleFiring): Schedules.ScheduleFiringView {
  return {
    scheduleId: f.scheduleId,
    dueAt: f.dueAt.toISOString(),
    firedAt: f.firedAt.toISOString(),
    status: f.status as Schedules.ScheduleFiringStatus,
    ...(f.taskId ? { taskId: f.taskId } : {}),
    ...(f.publishedAt ? { publishedAt: f.publishedAt.toISOString() } : {}),
  };
}
