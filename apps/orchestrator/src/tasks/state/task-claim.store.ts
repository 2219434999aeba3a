import {
  DomainError,
  type ErrorBody,
  isAdmin,
  PLATFORM_ADMIN_ROLE,
  sameTenant,
  type Tasks,
  tenantOf,
} from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../../generated/prisma/client.js';
import type { PrismaService } from '../../prisma/prisma.service.js';
import { type JournalCounts, journaledOf } from '../journal/task-journal.repository.js';
import type { JournalBatch } from '../task-event.stream.js';
import { ALL_TENANTS, scopeOf } from '../../tenancy/tenant-scope.js';
import { CANCELLABLE_STATES, type TaskState } from './task-state.machine.js';
import { type StateDb, TaskStateStore } from './task-state.store.js';

/** The text of a row stored before its text was screened (a task's text is never empty). */
export const UNSCREENED = '';

export interface StoredStep {
  actionId: string;
  index: number;
  status: Tasks.StepStatus;
  output: unknown;
  error: ErrorBody | null;
}

export interface TaskClaim {
  resumed: boolean;
  /** The stored state after the claim (`running`; `cancelling`, or an end, for a resumed task). */
  status: TaskState;
  steps: StoredStep[];
  /** When the task first started (the wall-time budget counts from here). */
  startedAt: Date;
  /** Time the task spent waiting for approvals: its wall-time budget is extended by it. */
  waitedMs: number;
  /** A cancellation requested while no replica was running it (e.g. between a crash and the resume). */
  cancelReason?: string;
}

interface ClaimRow extends Partial<JournalCounts> {
  created: boolean;
  requesterTenant: string | null;
  requestedBy: string | null;
  requesterRole: string | null;
  reason: string | null;
}

/**
 * The reason of a queued cancellation by the submitter or an admin of the task's tenant (or the
 * platform operator), if there is one. A user id names someone within their tenant only.
 */
function queuedCancelReason(s: Tasks.TaskSubmission, row: ClaimRow): string | undefined {
  if (row.reason === null || row.requestedBy === null) return undefined;
  const tenant = tenantOf(s.actor);
  const requester = { role: row.requesterRole ?? 'user', tenantId: row.requesterTenant ?? '' };
  const byOwner = requester.tenantId === tenant && row.requestedBy === s.actor.userId;
  const byAdmin = isAdmin(requester) && sameTenant(requester, tenant);
  return byOwner || byAdmin ? row.reason : undefined;
}

/**
 * The transitions that start a run, or come before one: a task stored `queued` before it runs, its
 * claim (the row inserted as running, a queued row taken, a waiting task resumed, or a redelivery's
 * row read as it is) and a cancel stored on the row. Every status it writes goes through the
 * TaskStateStore; TaskRepository offers them with the task's other reads and writes.
 */
export class TaskClaimStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly states: TaskStateStore,
  ) {}

  /**
   * Creates the task as running, in its submitter's tenant, or, when it exists (a redelivery after a
   * crash), returns its state. `text` is what may be stored of the request: the caller replaces text a
   * guardrail blocked. `journal`: a new task's first events, journaled only if the claim makes it new.
   */
  async claim(
    s: Tasks.TaskSubmission,
    planner: Tasks.PlannerKind,
    text: string,
    journal?: JournalBatch,
  ): Promise<TaskClaim> {
    const startedAt = new Date();
    const tenant = tenantOf(s.actor);
    // One round trip on every task's critical path: the insert (nothing when the row exists, i.e. a
    // redelivery) and the cancellation that may have arrived while the task was queued — the task's
    // tenant's own first, else one by the platform operator (another tenant's never counts). A new
    // task's first events are journaled by the same statement.
    const w = journal?.writes('created');
    const ctes = w?.with.map((c) => Prisma.sql`, ${Prisma.raw(`"${c.name}"`)} AS (${c.sql})`) ?? [];
    const [claimed] = await this.prisma.$queryRaw<ClaimRow[]>`
      WITH created AS (
        INSERT INTO "Task" ("id", "tenantId", "userId", "role", "status", "text", "request",
                            "correlationId", "threadId", "planner", "createdAt", "updatedAt", "startedAt",
                            "parentId", "runKind", "runFrom", "scheduleId")
        VALUES (${s.taskId}::uuid, ${tenant}, ${s.actor.userId}, ${s.actor.role}, ${TaskStateStore.created('claimed')}, ${text},
                ${jsonText({ ...s.request, task: text })}::jsonb, ${s.correlationId},
                ${s.request.thread_id ?? null}, ${planner}, ${new Date(s.submittedAt).toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'),
                ${startedAt.toISOString()}::timestamp(3), ${s.run?.of ?? null}::uuid, ${s.run?.kind ?? null},
                ${jsonText(runFromOf(s.run))}::jsonb, ${s.scheduleId ?? null}::uuid)
        ON CONFLICT ("id") DO NOTHING
        RETURNING 1
      )${ctes.length ? Prisma.join(ctes, '') : Prisma.empty}
      SELECT EXISTS (SELECT 1 FROM created) AS "created", q."tenantId" AS "requesterTenant",
             q."requestedBy", q."requesterRole", q."reason"${w ? Prisma.sql`, ${w.select}` : Prisma.empty}
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (
        SELECT * FROM "QueuedCancellation"
        WHERE "taskId" = ${s.taskId}::uuid
          AND ("tenantId" = ${tenant} OR "requesterRole" = ${PLATFORM_ADMIN_ROLE})
        ORDER BY ("tenantId" = ${tenant}) DESC, "requestedAt"
        LIMIT 1
      ) AS q ON TRUE`;
    if (claimed && journal) journal.committed(journaledOf(claimed));
    if (!claimed?.created) return this.resume(s, planner, text, startedAt, journal);
    const queued = queuedCancelReason(s, claimed);
    if (queued !== undefined) await this.requestCancel(s.taskId, queued);
    return {
      resumed: false,
      status: 'running',
      steps: [],
      startedAt,
      waitedMs: 0,
      ...(queued !== undefined ? { cancelReason: queued } : {}),
    };
  }

  /**
   * A replay or fork known before any replica runs it (a replay batch's run before it is sent, one
   * the gateway submitted before it answers): stored `queued` with its origin, so a read of it says
   * what it will run (`run`) and its parent lists it before it does. Only when its submitter may read
   * the parent (their own task, their tenant's for an admin, any for the platform operator): the
   * statement reads the parent and inserts in one go. Its text is stored only when it is the
   * parent's, already stored: an edited one has not passed the input guardrail yet (blocked text never
   * reaches a row), so the row holds '' (UNSCREENED) until its claim writes the screened text. Its
   * claim takes the row; a row that exists already (a claim came first, a start sent again) is left
   * as it is. True when it stored the row.
   */
  async enqueue(s: Tasks.TaskSubmission & { run: Tasks.RunOrigin }): Promise<boolean> {
    const scope = scopeOf(s.actor);
    const inTenant = scope === ALL_TENANTS ? Prisma.empty : Prisma.sql`AND p."tenantId" = ${scope}`;
    const owned = isAdmin(s.actor) ? Prisma.empty : Prisma.sql`AND p."userId" = ${s.actor.userId}`;
    const text = Prisma.sql`(CASE WHEN p."text" = ${s.request.task} THEN p."text" ELSE ${UNSCREENED} END)`;
    const stored = await this.prisma.$executeRaw`
      INSERT INTO "Task" ("id", "tenantId", "userId", "role", "status", "text", "request",
                          "correlationId", "threadId", "createdAt", "updatedAt", "parentId", "runKind",
                          "runFrom", "scheduleId")
      SELECT ${s.taskId}::uuid, ${tenantOf(s.actor)}, ${s.actor.userId}, ${s.actor.role},
             ${TaskStateStore.created()}, ${text},
             jsonb_set(${jsonText(s.request)}::jsonb, '{task}', to_jsonb(${text})),
             ${s.correlationId}, ${s.request.thread_id ?? null},
             ${new Date(s.submittedAt).toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'),
             p."id", ${s.run.kind}, ${jsonText(runFromOf(s.run))}::jsonb, ${s.scheduleId ?? null}::uuid
      FROM "Task" p
      WHERE p."id" = ${s.run.of}::uuid ${inTenant} ${owned}
      ON CONFLICT ("id") DO NOTHING`;
    return stored > 0;
  }

  /**
   * A task whose first delivery found its thread running an earlier task (threads/:
   * ThreadGateRepository), stored `waiting_thread` (version 0) in `tx`, the transaction that puts
   * it in line: one commit stores both or neither. Without its text: the input guardrail has not
   * screened it yet (blocked text never reaches a row), so the row holds '' (never a task's text)
   * and the waiter its submission, which reads take the text from; the claim after its hand-over
   * writes the screened text. A row that exists already (a redelivery) is left as it is.
   */
  static async storeBehindThread(tx: StateDb, s: Tasks.TaskSubmission): Promise<void> {
    await tx.$queryRaw`
      INSERT INTO "Task" ("id", "tenantId", "userId", "role", "status", "text", "request",
                          "correlationId", "threadId", "createdAt", "updatedAt", "parentId", "runKind",
                          "runFrom", "scheduleId")
      VALUES (${s.taskId}::uuid, ${tenantOf(s.actor)}, ${s.actor.userId}, ${s.actor.role},
              ${TaskStateStore.created('behind-thread')}, ${UNSCREENED}, ${jsonText({ ...s.request, task: UNSCREENED })}::jsonb,
              ${s.correlationId}, ${s.request.thread_id ?? null},
              ${new Date(s.submittedAt).toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'),
              ${s.run?.of ?? null}::uuid, ${s.run?.kind ?? null}, ${jsonText(runFromOf(s.run))}::jsonb,
              ${s.scheduleId ?? null}::uuid)
      ON CONFLICT ("id") DO NOTHING
      RETURNING 1`;
  }

  /**
   * The state of a task whose row exists: claimed before (a redelivery, a resume after approvals), or
   * stored as queued before any replica claimed it. Only in the submission's tenant: a submission
   * naming another tenant's task is refused for good (dead-lettered) and touches nothing of it. A row
   * another replica moves meanwhile is read again.
   */
  private async resume(
    s: Tasks.TaskSubmission,
    planner: Tasks.PlannerKind,
    text: string,
    startedAt: Date,
    journal?: JournalBatch,
  ): Promise<TaskClaim> {
    const tenant = tenantOf(s.actor);
    for (let attempt = 0; ; attempt++) {
      const task = await this.prisma.task.findUniqueOrThrow({
        where: { id: s.taskId },
        include: { steps: { orderBy: { index: 'asc' } } },
      });
      if (task.tenantId !== tenant) {
        throw new DomainError('CONFLICT', `task ${s.taskId} exists in another tenant: not run`);
      }
      // Held by its thread: the gate let it through by mistake. Never run (its text is unscreened).
      if (task.status === 'waiting_thread')
        throw new Error(`task ${s.taskId} waits for its thread: not claimed`);
      // Cancelled while queued, it was never started: its first run is a new one (it ends at once).
      const fresh = task.status === 'cancelling' && task.startedAt === null;
      const found: TaskClaim = {
        resumed: !fresh,
        status: task.status as TaskState,
        startedAt: task.startedAt ?? (fresh ? startedAt : task.createdAt),
        waitedMs: task.waitedMs,
        ...(task.cancelRequestedAt
          ? { cancelReason: task.cancelReason ?? 'cancelled by user' }
          : {}),
        steps: task.steps.map((st) => ({
          actionId: st.actionId,
          index: st.index,
          status: st.status as Tasks.StepStatus,
          output: st.output,
          error: (st.error as ErrorBody | null) ?? null,
        })),
      };
      const moved =
        task.status === 'queued'
          ? await this.claimQueued(s, task.version, planner, text, startedAt, journal)
          : task.status === 'waiting_approval'
            ? await this.resumeWaiting(s.taskId, task.version, tenant)
            : fresh && task.text === UNSCREENED
              ? await this.startCancelled(s, task.version, planner, text, startedAt)
              : found;
      if (moved) return moved === found ? found : { ...found, ...moved };
      // Another replica (or a decision, a cancel) moved it between the read and the transition.
      if (attempt === 2) throw new Error(`task ${s.taskId} kept moving while it was claimed`);
    }
  }

  /** A queued row taken by its first run: as new as an insert (its request as the run resolved it). */
  private async claimQueued(
    s: Tasks.TaskSubmission,
    version: number,
    planner: Tasks.PlannerKind,
    text: string,
    startedAt: Date,
    journal?: JournalBatch,
  ): Promise<Partial<TaskClaim> | undefined> {
    const r = await this.states.transition(
      s.taskId,
      { on: 'claimed', from: 'queued', expectedVersion: version, tenantId: tenantOf(s.actor) },
      {
        set: Prisma.sql`"text" = ${text}, "request" = ${jsonText({ ...s.request, task: text })}::jsonb,
          "planner" = ${planner}, "correlationId" = ${s.correlationId},
          "threadId" = ${s.request.thread_id ?? null}, "startedAt" = ${startedAt.toISOString()}::timestamp(3),
          "runFrom" = ${jsonText(runFromOf(s.run))}::jsonb`,
      },
      journal,
    );
    return r.moved
      ? { resumed: false, status: 'running', steps: [], startedAt, waitedMs: 0 }
      : undefined;
  }

  /**
   * A row stored behind its thread and cancelled there, taken by its first run: it stays `cancelling`
   * (the run ends it at once) and gets what its claim would have written as it started (the screened
   * text, its request, `startedAt`), as a task cancelled before its insert does. Undefined: moved.
   */
  private async startCancelled(
    s: Tasks.TaskSubmission,
    version: number,
    planner: Tasks.PlannerKind,
    text: string,
    startedAt: Date,
  ): Promise<Partial<TaskClaim> | undefined> {
    const written = await this.prisma.$executeRaw`
      UPDATE "Task" SET "text" = ${text}, "request" = ${jsonText({ ...s.request, task: text })}::jsonb,
        "planner" = ${planner}, "correlationId" = ${s.correlationId},
        "startedAt" = ${startedAt.toISOString()}::timestamp(3), "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" = ${s.taskId}::uuid AND "tenantId" = ${tenantOf(s.actor)} AND "status" = 'cancelling'
        AND "version" = ${version}::int AND "startedAt" IS NULL`;
    return written > 0 ? { resumed: false, startedAt } : undefined;
  }

  /** A task that waited for approvals runs again: the wait is added to its time budget. */
  private async resumeWaiting(
    taskId: string,
    version: number,
    tenantId: string,
  ): Promise<Partial<TaskClaim> | undefined> {
    const r = await this.states.transition<{ waitedMs: number }>(
      taskId,
      { on: 'resumed', from: 'waiting_approval', expectedVersion: version, tenantId },
      {
        set: Prisma.sql`"pausedAt" = NULL,
          "waitedMs" = "waitedMs" + GREATEST(0, (EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - "pausedAt")) * 1000)::int)`,
        select: Prisma.sql`(SELECT "waitedMs" FROM moved) AS "waitedMs"`,
      },
    );
    return r.moved ? { status: 'running', waitedMs: r.extra.waitedMs } : undefined;
  }

  /**
   * Stores the cancel on the row (`cancelling`), so it survives the replica that should act on it.
   * False when there is nothing to cancel: it ended, or a cancel was stored before.
   */
  async requestCancel(taskId: string, reason: string): Promise<boolean> {
    const r = await this.states.transition(
      taskId,
      { on: 'cancel-requested', from: CANCELLABLE_STATES },
      {
        set: Prisma.sql`"cancelRequestedAt" = (now() AT TIME ZONE 'UTC'), "cancelReason" = ${reason}`,
      },
    );
    return r.moved;
  }
}

/** What the row keeps of a run's origin besides its parent and kind: the fork point and edits. */
export function runFromOf(run: Tasks.RunOrigin | undefined): Record<string, unknown> | undefined {
  if (!run || (!run.from && !run.edits && !run.batchId)) return undefined;
  return {
    ...(run.from ? { from: run.from } : {}),
    ...(run.edits ? { edits: run.edits } : {}),
    ...(run.batchId ? { batchId: run.batchId } : {}),
  };
}

export { journaledOf };
