import { Injectable } from '@nestjs/common';
import { isAdmin, Tasks } from '@switchboard/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ThreadWaitStore } from '../tasks/index.js';
import type { ThreadKey } from './thread.repository.js';

type Tx = Prisma.TransactionClient;

/** What an admission found, decided under the thread's lock. */
export type Admission =
  | { decision: 'run' }
  | { decision: 'busy'; runningTaskId: string }
  | { decision: 'queued'; runningTaskId: string; displaced: boolean };

/** How a task is let into a thread: after what is there (enqueue) or before it, cancelling it. */
export type AdmissionMode = 'refuse' | 'after' | 'before' | 'before-discarding';

/** The task a release hands the thread to, with its submission if its first delivery stored it. */
export interface NextInThread {
  taskId: string;
  submission?: Tasks.TaskSubmission;
}

interface SlotRow {
  activeTaskId: string | null;
  discardTaskId: string | null;
  updatedAt: Date;
}

/**
 * The thread's slot and its waiters (docs/api.md, "Threads"). Every decision runs in one transaction
 * that first locks the thread's ThreadSlot row (created on first use with INSERT … ON CONFLICT DO
 * NOTHING, then SELECT … FOR UPDATE): two gateways admitting into one thread, or a release racing an
 * admission, on any replica, are serialised by PostgreSQL.
 */
@Injectable()
export class ThreadGateRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Admits `taskId` into the thread; idempotent (asked again, the same answer). */
  admit(key: ThreadKey, taskId: string, mode: AdmissionMode, staleMs: number): Promise<Admission> {
    return this.prisma.$transaction(async (tx) => {
      const slot = await lockSlot(tx, key);
      if (slot.activeTaskId === taskId) return { decision: 'run' };
      const waiting = await tx.threadWaiter.findUnique({ where: { taskId } });
      if (waiting && slot.activeTaskId)
        return {
          decision: 'queued',
          runningTaskId: slot.activeTaskId,
          displaced: waiting.policy !== 'enqueue',
        };
      const running = await liveActive(tx, slot, staleMs);
      if (!running) {
        await setActive(tx, key, taskId, null);
        return { decision: 'run' };
      }
      if (mode === 'refuse') return { decision: 'busy', runningTaskId: running };
      await addWaiter(tx, key, taskId, mode === 'after' ? 'enqueue' : mode, mode !== 'after');
      if (mode === 'before-discarding')
        await tx.threadSlot.update({
          where: { tenantId_userId_threadId: key },
          data: { discardTaskId: running },
        });
      return { decision: 'queued', runningTaskId: running, displaced: mode !== 'after' };
    });
  }

  /**
   * A submission delivered to a replica: true if it may run now. A task admitted as a waiter stores
   * its submission and waits; one that was never admitted (a producer that does not ask, e.g. an
   * older gateway) takes an idle thread, else waits at the end (it cannot be refused any more). A task
   * that waits has its row stored `waiting_thread` in the same transaction (without its text: not
   * screened yet); a redelivery of it finds its row and waits again.
   */
  enter(key: ThreadKey, s: Tasks.TaskSubmission, staleMs: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const slot = await lockSlot(tx, key);
      if (slot.activeTaskId === s.taskId) {
        // Handed the thread: its kept submission is no longer needed once it runs.
        await tx.threadWaiter.deleteMany({ where: { taskId: s.taskId } });
        return true;
      }
      // Cancelled while it waited (by its submitter or an admin of its tenant): it leaves the line and
      // runs at once, to end as cancelled at its claim without planning anything. Cancelled on its
      // row (TaskHandler checked who asked), or by a queued cancellation that came before its row:
      // then its row, if it has one now, stores the cancel (waiting_thread → cancelling).
      if (await cancelledOnRow(tx, key, s.taskId)) {
        await tx.threadWaiter.deleteMany({ where: { taskId: s.taskId } });
        return true;
      }
      const cancelled = await cancelledWhileWaiting(tx, key, s.taskId);
      if (cancelled !== undefined) {
        await tx.threadWaiter.deleteMany({ where: { taskId: s.taskId } });
        await ThreadWaitStore.within(tx).cancelWaiting(s.taskId, key.tenantId, cancelled);
        return true;
      }
      const submission = s as unknown as Prisma.InputJsonValue;
      const waiting = await tx.threadWaiter.updateMany({
        where: { taskId: s.taskId },
        data: { submission },
      });
      if (waiting.count > 0) {
        // Admitted as a waiter by its gateway: it waits, stored (a redelivery finds its row).
        await ThreadWaitStore.within(tx).storeBehindThread(s);
        return false;
      }
      if (!(await liveActive(tx, slot, staleMs))) {
        await setActive(tx, key, s.taskId, null);
        return true;
      }
      await addWaiter(tx, key, s.taskId, 'enqueue', false, submission);
      await ThreadWaitStore.within(tx).storeBehindThread(s);
      return false;
    });
  }

  /**
   * `taskId` ended (or was withdrawn): a waiter leaves the queue; the running task gives the thread to
   * the first waiter (its turns deleted first if a rollback displaced it), whose row, if its first
   * delivery stored it, moves waiting_thread → queued in the same transaction. Idempotent.
   */
  release(key: ThreadKey, taskId: string): Promise<NextInThread | undefined> {
    return this.prisma.$transaction(async (tx) => {
      const slot = await lockSlot(tx, key);
      await tx.threadWaiter.deleteMany({ where: { taskId } });
      if (slot.activeTaskId !== taskId) return undefined;
      if (slot.discardTaskId === taskId) await tx.turn.deleteMany({ where: { ...key, taskId } });
      const [next] = await tx.threadWaiter.findMany({
        where: { ...key, promotedAt: null },
        orderBy: [{ position: 'asc' }],
        take: 1,
      });
      const discard = slot.discardTaskId === taskId ? null : slot.discardTaskId;
      await setActive(tx, key, next?.taskId ?? null, discard);
      if (!next) return undefined;
      // Kept until its task is claimed (enter): a publish lost after this commit is made again.
      await tx.threadWaiter.update({
        where: { taskId: next.taskId },
        data: { promotedAt: new Date() },
      });
      // No row (its first delivery is on its way) or cancelled while it waited: nothing moves.
      await ThreadWaitStore.within(tx).handOver(next.taskId, key.tenantId);
      const parsed = Tasks.TaskSubmission.safeParse(next.submission);
      return { taskId: next.taskId, ...(parsed.success ? { submission: parsed.data } : {}) };
    });
  }

  /**
   * Submissions of tasks handed their thread before `before` and still not claimed (the publish after
   * the hand-over was lost: a crash, the stream away), oldest first; each is marked handed over again
   * now, so it is offered once per period, not once per sweep.
   */
  async handedOver(before: Date, take: number): Promise<Tasks.TaskSubmission[]> {
    const rows = await this.prisma.threadWaiter.findMany({
      where: { promotedAt: { lt: before } },
      orderBy: [{ promotedAt: 'asc' }],
      take,
    });
    const out: Tasks.TaskSubmission[] = [];
    for (const row of rows) {
      const parsed = Tasks.TaskSubmission.safeParse(row.submission);
      const claimed = await this.claimed(row.taskId);
      if (claimed) await this.prisma.threadWaiter.deleteMany({ where: { taskId: row.taskId } });
      else
        await this.prisma.threadWaiter.updateMany({
          where: { taskId: row.taskId },
          data: { promotedAt: new Date() },
        });
      if (parsed.success && !claimed) out.push(parsed.data);
    }
    return out;
  }

  /** The stored submission of a task waiting in a thread (undefined: not waiting, or not delivered yet). */
  async waitingSubmission(taskId: string): Promise<Tasks.TaskSubmission | undefined> {
    const waiter = await this.prisma.threadWaiter.findUnique({ where: { taskId } });
    const parsed = Tasks.TaskSubmission.safeParse(waiter?.submission);
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Whether a run claimed the task before (a redelivery or a resume, never gated): it has a row no
   * longer waiting for its first run — not `waiting_thread` (a redelivery waits again), `queued`
   * (handed its thread: enter lets it through and drops its kept submission) nor `cancelling` before
   * it started (cancelled while it waited: enter lets it through; a lost publish is offered again).
   */
  async claimed(taskId: string): Promise<boolean> {
    const row = await this.prisma.task.findUnique({
      where: { id: taskId },
      select: { status: true, startedAt: true },
    });
    return row !== null && !neverStarted(row);
  }
}

async function lockSlot(tx: Tx, key: ThreadKey): Promise<SlotRow> {
  await tx.$executeRaw`
    INSERT INTO "ThreadSlot" ("tenantId", "userId", "threadId")
    VALUES (${key.tenantId}, ${key.userId}, ${key.threadId})
    ON CONFLICT DO NOTHING`;
  const [slot] = await tx.$queryRaw<SlotRow[]>`
    SELECT "activeTaskId"::text AS "activeTaskId", "discardTaskId"::text AS "discardTaskId", "updatedAt"
    FROM "ThreadSlot"
    WHERE "tenantId" = ${key.tenantId} AND "userId" = ${key.userId} AND "threadId" = ${key.threadId}
    FOR UPDATE`;
  if (!slot) throw new Error('the thread slot vanished under its lock');
  return slot;
}

const { UNCLAIMED, CANCELLING } = ThreadWaitStore;

/** A row that waits for its first run: queued, behind its thread, or cancelled before it started. */
function neverStarted(row: { status: string; startedAt: Date | null }): boolean {
  return UNCLAIMED.includes(row.status) || (row.status === CANCELLING && row.startedAt === null);
}

/** The waiting task's row stores a cancel (its submitter's or its tenant admin's, checked then). */
async function cancelledOnRow(tx: Tx, key: ThreadKey, taskId: string): Promise<boolean> {
  const row = await tx.task.findFirst({
    where: { id: taskId, tenantId: key.tenantId, status: CANCELLING, startedAt: null },
    select: { id: true },
  });
  return row !== null;
}

/**
 * The reason of a cancellation of the waiting task that its claim will honour: its submitter's, or
 * its tenant admin's (undefined: none).
 */
async function cancelledWhileWaiting(
  tx: Tx,
  key: ThreadKey,
  taskId: string,
): Promise<string | undefined> {
  const requests = await tx.queuedCancellation.findMany({
    where: { taskId, tenantId: key.tenantId },
    select: { requestedBy: true, requesterRole: true, reason: true },
    orderBy: { requestedAt: 'asc' },
  });
  return requests.find((r) => r.requestedBy === key.userId || isAdmin({ role: r.requesterRole }))
    ?.reason;
}

/**
 * The running task, unless it is over: its row terminal (a release lost with a crashed replica), or
 * no row long after it was admitted (its gateway died before submitting it).
 */
async function liveActive(tx: Tx, slot: SlotRow, staleMs: number): Promise<string | undefined> {
  const active = slot.activeTaskId;
  if (!active) return undefined;
  const task = await tx.task.findUnique({ where: { id: active }, select: { status: true } });
  if (task)
    return Tasks.TERMINAL_TASK_STATUSES.includes(task.status as Tasks.TaskStatus)
      ? undefined
      : active;
  return Date.now() - slot.updatedAt.getTime() < staleMs ? active : undefined;
}

async function setActive(
  tx: Tx,
  key: ThreadKey,
  taskId: string | null,
  discardTaskId: string | null,
): Promise<void> {
  await tx.threadSlot.update({
    where: { tenantId_userId_threadId: key },
    data: { activeTaskId: taskId, discardTaskId, updatedAt: new Date() },
  });
}

/** A waiter at the end of the queue, or (`first`) before every other one. */
async function addWaiter(
  tx: Tx,
  key: ThreadKey,
  taskId: string,
  policy: string,
  first: boolean,
  submission?: Prisma.InputJsonValue,
): Promise<void> {
  const [ends] = await tx.$queryRaw<{ lo: bigint | null; hi: bigint | null }[]>`
    SELECT MIN("position") AS lo, MAX("position") AS hi FROM "ThreadWaiter"
    WHERE "tenantId" = ${key.tenantId} AND "userId" = ${key.userId} AND "threadId" = ${key.threadId}`;
  const position = first ? (ends?.lo ?? 0n) - 1n : (ends?.hi ?? 0n) + 1n;
  await tx.threadWaiter.create({
    data: { taskId, ...key, position, policy, ...(submission ? { submission } : {}) },
  });
}
