import { Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import type { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { publicStatus } from './state/task-state.machine.js';

/**
 * What the list asks for once the caller's authority is settled: `tenantId` undefined is every
 * tenant (the platform operator), `userId` undefined everyone of the tenant(s).
 */
export interface TaskListQuery {
  tenantId?: string;
  userId?: string;
  status?: Tasks.TaskStatus[];
  text?: string;
  from?: string;
  to?: string;
  before?: string;
  limit: number;
  threadId?: string;
  updatedAfter?: string;
  withTotal?: boolean;
}

/**
 * The task list: newest first, paged by (createdAt, id) so a page boundary never skips or repeats a
 * task, whatever is created meanwhile. A task waiting for its thread is listed as `queued` with no
 * text (its row has none until its claim screens it: TaskListHandler adds it from its submission),
 * and a text filter does not find it until then. Served by the (tenantId, userId, createdAt) and
 * (tenantId, createdAt, id) indexes, and (createdAt, id) for every tenant's.
 */
@Injectable()
export class TaskListRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(q: TaskListQuery, now = new Date()): Promise<Tasks.TaskListResponse> {
    const where = whereOf(q);
    const [rows, total] = await Promise.all([
      this.prisma.task.findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
        select: {
          id: true,
          userId: true,
          tenantId: true,
          status: true,
          pausedAt: true,
          text: true,
          planner: true,
          threadId: true,
          usage: true,
          lastEventSeq: true,
          createdAt: true,
          updatedAt: true,
          startedAt: true,
          finishedAt: true,
          _count: { select: { steps: true } },
        },
      }),
      q.withTotal ? this.prisma.task.count({ where }) : Promise.resolve(undefined),
    ]);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      tasks: page.map((t): Tasks.TaskSummary => {
        const usage = Tasks.TokenUsage.safeParse(t.usage);
        const started = t.startedAt ?? t.createdAt;
        const running = !Tasks.TERMINAL_TASK_STATUSES.includes(t.status as Tasks.TaskStatus);
        const end = t.finishedAt ?? (running ? now : undefined);
        return {
          taskId: t.id,
          userId: t.userId,
          tenantId: t.tenantId,
          status: publicStatus(t),
          task: summaryText(t.text),
          ...(t.planner ? { planner: t.planner as Tasks.PlannerKind } : {}),
          ...(t.threadId ? { threadId: t.threadId } : {}),
          steps: t._count.steps,
          ...(usage.success ? { usage: usage.data } : {}),
          lastEventSeq: t.lastEventSeq,
          createdAt: t.createdAt.toISOString(),
          updatedAt: t.updatedAt.toISOString(),
          ...(t.finishedAt ? { finishedAt: t.finishedAt.toISOString() } : {}),
          ...(end ? { durationMs: Math.max(0, end.getTime() - started.getTime()) } : {}),
        };
      }),
      ...(rows.length > q.limit && last
        ? { nextBefore: `${last.createdAt.toISOString()}_${last.id}` }
        : {}),
      ...(total !== undefined ? { total } : {}),
    };
  }
}

/** The list's condition: the tenant first (every index the list uses starts with it). */
export function whereOf(q: TaskListQuery): Prisma.TaskWhereInput {
  const and: Prisma.TaskWhereInput[] = [];
  if (q.tenantId !== undefined) and.push({ tenantId: q.tenantId });
  if (q.userId !== undefined) and.push({ userId: q.userId });
  // `cancelling` reads as what it was when the cancel came, `waiting_remote` as running (publicStatus).
  if (q.status)
    and.push({
      OR: [
        { status: { in: q.status } },
        ...(q.status.includes('running')
          ? [
              { status: 'waiting_remote' },
              { status: 'cancelling', pausedAt: null, startedAt: { not: null } },
            ]
          : []),
        ...(q.status.includes('queued')
          ? [{ status: { in: ['cancelling', 'waiting_thread'] }, startedAt: null }]
          : []),
        ...(q.status.includes('waiting_approval')
          ? [{ status: 'cancelling', pausedAt: { not: null } }]
          : []),
      ],
    });
  if (q.text) and.push({ text: { contains: q.text, mode: 'insensitive' } });
  if (q.from) and.push({ createdAt: { gte: new Date(q.from) } });
  if (q.to) and.push({ createdAt: { lt: new Date(q.to) } });
  if (q.threadId !== undefined) and.push({ threadId: q.threadId });
  if (q.updatedAfter) and.push({ updatedAt: { gte: new Date(q.updatedAfter) } });
  if (q.before) {
    const at = q.before.indexOf('Z_') + 1;
    const createdAt = new Date(q.before.slice(0, at));
    const id = q.before.slice(at + 1);
    and.push({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
  }
  return { AND: and };
}

/** A task's text as the list shows it: cut to TASK_SUMMARY_TEXT_MAX characters. */
export function summaryText(s: string, max = Tasks.TASK_SUMMARY_TEXT_MAX): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
