import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DEFAULT_TENANT,
  DomainError,
  type ErrorBody,
  isAdmin,
  PLATFORM_ADMIN_ROLE,
  sameTenant,
  scrubJson,
  Tasks,
  tenantOf,
} from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type TaskRef, type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';

export interface StoredStep {
  actionId: string;
  index: number;
  status: Tasks.StepStatus;
  output: unknown;
  error: ErrorBody | null;
}

export interface TaskClaim {
  resumed: boolean;
  status: Tasks.TaskStatus;
  steps: StoredStep[];
  /** When the task first started (the wall-time budget counts from here). */
  startedAt: Date;
  /** Time the task spent waiting for approvals: its wall-time budget is extended by it. */
  waitedMs: number;
  /** A cancellation requested while no replica was running it (e.g. between a crash and the resume). */
  cancelReason?: string;
}

export interface StepRecord extends TaskRef {
  index: number;
  action: Tasks.PlanAction;
  status: Tasks.StepStatus;
  output?: unknown;
  error?: ErrorBody;
  startedAt: Date;
  /** What the step reported while it ran (its tool's or agent's events), for a replay to re-emit. */
  events?: RecordedStepEvent[];
}

/** A tool's or an agent's event of one step, as a replay re-emits it (docs/replay.md). */
export interface RecordedStepEvent {
  name: Tasks.TaskEventName;
  data: Record<string, unknown>;
  message?: string;
}

export interface TaskOutcome {
  status: Extract<Tasks.TaskStatus, 'completed' | 'failed' | 'cancelled'>;
  planner: Tasks.PlannerKind;
  plan: Tasks.PlanAction[];
  result?: string;
  output?: unknown;
  error?: ErrorBody;
  usage?: Tasks.TokenUsage;
  lastEventSeq: number;
  /** From the first claim to the end: `finishedAt` is the claim plus this, as the event reports it. */
  durationMs: number;
  /** The step that was under way when the task stopped: stored as cancelled unless it was stored. */
  interrupted?: { index: number; action: Tasks.PlanAction; startedAt: Date };
  /** A replay's verdict. */
  verdict?: Tasks.ReplayVerdict;
}

/** A task no replica could run, as far as its (possibly invalid) submission tells. */
export interface AbandonedTask {
  taskId: string;
  actor: Actor;
  text: string;
  request: unknown;
  correlationId: string;
  threadId?: string;
  submittedAt: Date;
  planner: Tasks.PlannerKind;
  error: ErrorBody;
  lastEventSeq: number;
}

// What tools and agents return is kept even when it holds text PostgreSQL refuses (NUL in text,
// \u0000 or unpaired surrogates in jsonb): such characters become U+FFFD instead of failing the task.
const json = (v: unknown): Prisma.InputJsonValue =>
  (v === undefined || v === null ? Prisma.JsonNull : scrubJson(v)) as Prisma.InputJsonValue;

interface ClaimRow {
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
 * Tasks and their steps. Prisma types stay in this file; callers see contract types. The writes on
 * every task's path (claim, step, finish) are single raw statements: Prisma's query builder costs
 * about twice the CPU of the same statement sent raw, on a path that runs several times per task.
 * Timestamps are written as Prisma writes them, UTC wall time in `timestamp(3)` columns (an ISO
 * string cast to timestamp drops its `Z`; `now() AT TIME ZONE 'UTC'`), whatever the server's zone.
 * Every row takes the tenant of the task's submitter; reads for someone take their TenantScope.
 */
@Injectable()
export class TaskRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Creates the task as running, in its submitter's tenant, or, when it exists (a redelivery after a
   * crash), returns its state. `text` is what may be stored of the request: the caller replaces text a
   * guardrail blocked.
   */
  async claim(
    s: Tasks.TaskSubmission,
    planner: Tasks.PlannerKind,
    text: string,
  ): Promise<TaskClaim> {
    const startedAt = new Date();
    const tenant = tenantOf(s.actor);
    // One round trip on every task's critical path: the insert (nothing when the row exists, i.e. a
    // redelivery) and the cancellation that may have arrived while the task was queued — the task's
    // tenant's own first, else one by the platform operator (another tenant's never counts).
    const [claimed] = await this.prisma.$queryRaw<ClaimRow[]>`
      WITH created AS (
        INSERT INTO "Task" ("id", "tenantId", "userId", "role", "status", "text", "request",
                            "correlationId", "threadId", "planner", "createdAt", "updatedAt", "startedAt",
                            "parentId", "runKind", "runFrom", "scheduleId")
        VALUES (${s.taskId}::uuid, ${tenant}, ${s.actor.userId}, ${s.actor.role}, 'running', ${text},
                ${jsonText({ ...s.request, task: text })}::jsonb, ${s.correlationId},
                ${s.request.thread_id ?? null}, ${planner}, ${new Date(s.submittedAt).toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'),
                ${startedAt.toISOString()}::timestamp(3), ${s.run?.of ?? null}::uuid, ${s.run?.kind ?? null},
                ${jsonText(runFromOf(s.run))}::jsonb, ${s.scheduleId ?? null}::uuid)
        ON CONFLICT ("id") DO NOTHING
        RETURNING 1
      )
      SELECT EXISTS (SELECT 1 FROM created) AS "created", q."tenantId" AS "requesterTenant",
             q."requestedBy", q."requesterRole", q."reason"
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (
        SELECT * FROM "QueuedCancellation"
        WHERE "taskId" = ${s.taskId}::uuid
          AND ("tenantId" = ${tenant} OR "requesterRole" = ${PLATFORM_ADMIN_ROLE})
        ORDER BY ("tenantId" = ${tenant}) DESC, "requestedAt"
        LIMIT 1
      ) AS q ON TRUE`;
    if (!claimed?.created) return this.resume(s);
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
   * The state of a task claimed before (a redelivery, a resume after approvals). Only in the
   * submission's tenant: a submission naming another tenant's task is refused for good (dead-lettered)
   * and touches nothing of it.
   */
  private async resume(s: Tasks.TaskSubmission): Promise<TaskClaim> {
    const tenant = tenantOf(s.actor);
    // A task that waited for approvals runs again: the wait is added to its time budget.
    await this.prisma.$executeRaw`
      UPDATE "Task" SET "status" = 'running', "pausedAt" = NULL,
        "waitedMs" = "waitedMs" + GREATEST(0, (EXTRACT(EPOCH FROM ((now() AT TIME ZONE 'UTC') - "pausedAt")) * 1000)::int),
        "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" = ${s.taskId}::uuid AND "tenantId" = ${tenant} AND "status" = 'waiting_approval'`;
    const task = await this.prisma.task.findUniqueOrThrow({
      where: { id: s.taskId },
      include: { steps: { orderBy: { index: 'asc' } } },
    });
    if (task.tenantId !== tenant) {
      throw new DomainError('CONFLICT', `task ${s.taskId} exists in another tenant: not run`);
    }
    return {
      resumed: true,
      status: task.status as Tasks.TaskStatus,
      startedAt: task.startedAt ?? task.createdAt,
      waitedMs: task.waitedMs,
      ...(task.cancelRequestedAt ? { cancelReason: task.cancelReason ?? 'cancelled by user' } : {}),
      steps: task.steps.map((st) => ({
        actionId: st.actionId,
        index: st.index,
        status: st.status as Tasks.StepStatus,
        output: st.output,
        error: (st.error as ErrorBody | null) ?? null,
      })),
    };
  }

  /**
   * The task stops to wait for approvals: no replica holds it until a decision submits it again.
   * False when it is not running any more (a cancellation's resubmission ended it meanwhile).
   */
  async pause(taskId: string, plan: Tasks.PlanAction[], lastEventSeq: number): Promise<boolean> {
    const updated = await this.prisma.$executeRaw`
      UPDATE "Task" SET "status" = 'waiting_approval', "pausedAt" = (now() AT TIME ZONE 'UTC'),
        "plan" = ${jsonText(plan)}::jsonb, "lastEventSeq" = ${lastEventSeq},
        "updatedAt" = (now() AT TIME ZONE 'UTC')
      WHERE "id" = ${taskId}::uuid AND "status" = 'running'`;
    return updated === 1;
  }

  /**
   * The submission that resumes a task waiting for approvals, as the gateway first sent it: the same
   * actor, in the same tenant, so what the resumed run sends carries the task's tenant (any replica,
   * whoever's decision or sweep resubmits it).
   */
  async resubmission(taskId: string): Promise<Tasks.TaskSubmission | undefined> {
    const t = await this.prisma.task.findUnique({ where: { id: taskId } });
    if (!t || t.status !== 'waiting_approval') return undefined;
    return {
      taskId: t.id,
      actor: {
        userId: t.userId,
        role: t.role,
        // As the gateway sends it: with tenancy off (the default tenant) the actor names none.
        ...(t.tenantId !== DEFAULT_TENANT ? { tenantId: t.tenantId } : {}),
      },
      request: t.request as Tasks.TaskRequest,
      submittedAt: t.createdAt.toISOString(),
      correlationId: t.correlationId,
      ...(t.scheduleId ? { scheduleId: t.scheduleId } : {}),
      // A replay or fork resumes as one (a fork's live step may have waited for a decision).
      ...(t.parentId && t.runKind
        ? {
            run: Tasks.RunOrigin.parse({
              kind: t.runKind,
              of: t.parentId,
              ...(t.runFrom as object),
            }),
          }
        : {}),
    };
  }

  /** Tasks that wait although none of their approvals is pending (their resume was lost). */
  async stalled(olderThanMs: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT t."id" FROM "Task" t
      WHERE t."status" = 'waiting_approval'
        AND t."updatedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${olderThanMs / 1000}::double precision)
        AND NOT EXISTS (SELECT 1 FROM "Approval" a WHERE a."taskId" = t."id" AND a."status" = 'pending')
      LIMIT 100`;
    return rows.map((r) => r.id);
  }

  async recordStep(r: StepRecord): Promise<void> {
    // An upsert: a replica resuming after a crash may write a step the dead one had written.
    await this.prisma.$executeRaw`
      INSERT INTO "Step" ("id", "taskId", "tenantId", "index", "actionId", "kind", "target", "status",
                          "input", "output", "error", "idempotencyKey", "events", "startedAt", "finishedAt")
      VALUES (${`${r.taskId}:${r.index}`}, ${r.taskId}::uuid, ${r.tenantId}, ${r.index}, ${r.action.id},
              ${r.action.kind}, ${r.action.target}, ${r.status}, ${jsonText(r.action.input)}::jsonb,
              ${jsonText(r.output)}::jsonb, ${jsonText(r.error)}::jsonb,
              ${`${r.taskId}:${r.action.id}`}, ${jsonText(r.events?.length ? r.events : undefined)}::jsonb,
              ${r.startedAt.toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC'))
      ON CONFLICT ("id") DO UPDATE SET
        "actionId" = EXCLUDED."actionId", "kind" = EXCLUDED."kind", "target" = EXCLUDED."target",
        "status" = EXCLUDED."status", "input" = EXCLUDED."input", "output" = EXCLUDED."output",
        "error" = EXCLUDED."error", "idempotencyKey" = EXCLUDED."idempotencyKey",
        "events" = EXCLUDED."events",
        "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt"`;
  }

  /**
   * A cancellation for a task no replica has claimed yet. Whether it counts is decided at claim time,
   * against the submission's user and tenant (the requester's identity is all that is known now).
   */
  async rememberQueuedCancel(taskId: string, actor: Actor, reason: string): Promise<void> {
    await this.prisma.queuedCancellation.createMany({
      data: [
        {
          taskId,
          tenantId: tenantOf(actor),
          requestedBy: actor.userId,
          requesterRole: actor.role,
          reason,
        },
      ],
      skipDuplicates: true,
    });
  }

  /** Remembers a cancellation on the row, so it survives the replica that should have acted on it. */
  async requestCancel(taskId: string, reason: string): Promise<void> {
    await this.prisma.task.updateMany({
      where: {
        id: taskId,
        status: { notIn: [...Tasks.TERMINAL_TASK_STATUSES] },
        cancelRequestedAt: null,
      },
      data: { cancelRequestedAt: new Date(), cancelReason: reason },
    });
  }

  /**
   * Stores the outcome and returns how many steps the task has stored, the count its terminal event
   * reports (so the event, GET /tasks/{id} and the task list agree). One statement: the step that was
   * under way (a cancellation or the time budget stopped it before it could be stored) becomes a
   * `cancelled` step in the same breath as the row turns terminal — and only if it does (the task's
   * row in `tenantId`).
   */
  async finish({ taskId, tenantId }: TaskRef, o: TaskOutcome): Promise<number> {
    const i = o.interrupted;
    const interrupted = i
      ? Prisma.sql`
          INSERT INTO "Step" ("id", "taskId", "tenantId", "index", "actionId", "kind", "target",
                              "status", "input", "idempotencyKey", "startedAt", "finishedAt")
          SELECT ${`${taskId}:${i.index}`}, ${taskId}::uuid, ${tenantId}, ${i.index}::int,
                 ${i.action.id}, ${i.action.kind}, ${i.action.target}, 'cancelled',
                 ${jsonText(i.action.input)}::jsonb, ${`${taskId}:${i.action.id}`},
                 ${i.startedAt.toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC')
          FROM finished
          ON CONFLICT DO NOTHING
          RETURNING 1`
      : Prisma.sql`SELECT 1 WHERE false`;
    // The final SELECT does not see the CTE's insert (one snapshot): it counts it separately.
    const [row] = await this.prisma.$queryRaw<{ updated: number; steps: number }[]>`
      WITH finished AS (
        UPDATE "Task" SET
          "status" = ${o.status}, "planner" = ${o.planner}, "plan" = ${jsonText(o.plan)}::jsonb,
          "result" = ${o.result === undefined ? null : scrubJson(o.result)},
          "output" = ${jsonText(o.output)}::jsonb, "error" = ${jsonText(o.error)}::jsonb,
          "usage" = ${jsonText(o.usage)}::jsonb, "lastEventSeq" = ${o.lastEventSeq},
          "verdict" = ${jsonText(o.verdict)}::jsonb,
          "finishedAt" = COALESCE("startedAt", "createdAt")
                         + make_interval(secs => ${o.durationMs / 1000}::double precision),
          "updatedAt" = (now() AT TIME ZONE 'UTC')
        WHERE "id" = ${taskId}::uuid AND "tenantId" = ${tenantId}
        RETURNING 1
      ),
      interrupted AS (${interrupted})
      SELECT (SELECT count(*) FROM finished)::int AS "updated",
             ((SELECT count(*) FROM "Step" WHERE "taskId" = ${taskId}::uuid)
              + (SELECT count(*) FROM interrupted))::int AS "steps"`;
    if (row?.updated !== 1) throw new Error(`task ${taskId} has no row to finish`);
    return row.steps;
  }

  /**
   * Marks a task no replica can run as failed: its row if it has one in the submitter's tenant (and
   * is not terminal already), else a new failed row from what the submission tells. Text is scrubbed:
   * the submission may hold the very characters that made it fail.
   */
  async abandon(a: AbandonedTask): Promise<void> {
    const tenantId = tenantOf(a.actor);
    const final = {
      status: 'failed',
      error: json(a.error),
      lastEventSeq: a.lastEventSeq,
      finishedAt: new Date(),
    };
    const updated = await this.prisma.task.updateMany({
      where: { id: a.taskId, tenantId, status: { notIn: [...Tasks.TERMINAL_TASK_STATUSES] } },
      data: final,
    });
    if (updated.count > 0) return;
    await this.prisma.task.createMany({
      data: [
        {
          id: a.taskId,
          tenantId,
          userId: a.actor.userId,
          role: a.actor.role,
          text: scrubJson(a.text).slice(0, Tasks.TASK_TEXT_MAX),
          request: json(a.request),
          correlationId: scrubJson(a.correlationId).slice(0, 128),
          threadId: a.threadId ?? null,
          planner: a.planner,
          createdAt: a.submittedAt,
          ...final,
        },
      ],
      // A terminal row (or another tenant's) is left as it is.
      skipDuplicates: true,
    });
  }

  /** The tenant a task is stored in, whoever asks (to audit a refusal; undefined: no such task). */
  async tenantOfTask(taskId: string): Promise<string | undefined> {
    const t = await this.prisma.task.findUnique({
      where: { id: taskId },
      select: { tenantId: true },
    });
    return t?.tenantId;
  }

  /** The task as `scope` sees it: another tenant's is undefined, as one that does not exist. */
  async get(taskId: string, scope: TenantScope): Promise<Tasks.TaskView | undefined> {
    const t = await this.prisma.task.findFirst({
      where: { id: taskId, ...tenantWhere(scope) },
      include: { steps: { orderBy: { index: 'asc' } }, rounds: { orderBy: { iteration: 'asc' } } },
    });
    if (!t) return undefined;
    const usage = Tasks.TokenUsage.safeParse(t.usage);
    const planning = t.rounds.map((r): Tasks.PlanningRoundView => {
      const decision = r.decision as {
        kind?: Tasks.PlanningRoundView['decision'];
        actions?: unknown[];
      };
      const roundUsage = Tasks.TokenUsage.safeParse(r.usage);
      return {
        iteration: r.iteration,
        planner: r.planner as Tasks.PlannerKind,
        decision: decision.kind ?? 'fail',
        actions: Array.isArray(decision.actions) ? decision.actions.length : 0,
        ...(r.model ? { model: r.model } : {}),
        ...(roundUsage.success ? { usage: roundUsage.data } : {}),
        ...(r.durationMs !== null ? { durationMs: Tasks.roundDurationMs(r.durationMs) } : {}),
      };
    });
    const started = t.startedAt ?? t.createdAt;
    const run = runOf(t);
    const verdict = Tasks.ReplayVerdict.safeParse(t.verdict);
    return {
      taskId: t.id,
      userId: t.userId,
      tenantId: t.tenantId,
      status: t.status as Tasks.TaskStatus,
      task: t.text,
      ...(run ? { run } : {}),
      ...(t.scheduleId ? { scheduleId: t.scheduleId } : {}),
      ...(verdict.success ? { verdict: verdict.data } : {}),
      ...(t.planner ? { planner: t.planner as Tasks.PlannerKind } : {}),
      ...(t.result !== null ? { result: t.result } : {}),
      ...(t.error ? { error: t.error as unknown as ErrorBody } : {}),
      ...(t.threadId ? { threadId: t.threadId } : {}),
      ...(usage.success ? { usage: usage.data } : {}),
      ...(planning.length ? { planning } : {}),
      lastEventSeq: t.lastEventSeq,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      ...(t.finishedAt
        ? {
            finishedAt: t.finishedAt.toISOString(),
            durationMs: Math.max(0, t.finishedAt.getTime() - started.getTime()),
          }
        : {}),
      steps: t.steps.map((s) => ({
        stepId: s.actionId,
        index: s.index,
        kind: s.kind as Tasks.StepKind,
        target: s.target,
        status: s.status as Tasks.StepStatus,
        input: s.input,
        ...(s.output !== null ? { output: s.output } : {}),
        ...(s.error ? { error: s.error as unknown as ErrorBody } : {}),
        startedAt: s.startedAt.toISOString(),
        ...(s.finishedAt ? { finishedAt: s.finishedAt.toISOString() } : {}),
      })),
    };
  }
}

/** What the row keeps of a run's origin besides its parent and kind: the fork point and edits. */
function runFromOf(run: Tasks.RunOrigin | undefined): Record<string, unknown> | undefined {
  if (!run || (!run.from && !run.edits && !run.batchId)) return undefined;
  return {
    ...(run.from ? { from: run.from } : {}),
    ...(run.edits ? { edits: run.edits } : {}),
    ...(run.batchId ? { batchId: run.batchId } : {}),
  };
}

/** A replay's or fork's origin, as its view shows it. */
function runOf(t: {
  parentId: string | null;
  runKind: string | null;
  runFrom: unknown;
}): Tasks.TaskView['run'] | undefined {
  const kind = Tasks.RunKind.safeParse(t.runKind);
  if (!kind.success || !t.parentId) return undefined;
  const from = Tasks.ForkPoint.safeParse((t.runFrom as { from?: unknown } | null)?.from);
  return { kind: kind.data, of: t.parentId, ...(from.success ? { from: from.data } : {}) };
}
