import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DEFAULT_TENANT,
  type ErrorBody,
  scrubJson,
  Tasks,
  tenantOf,
} from '@switchboard/contracts';
import { jsonText } from '@switchboard/runtime';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type TaskRef, type TenantScope, tenantWhere } from '../tenancy/tenant-scope.js';
import {
  CANCELLABLE_STATES,
  endTrigger,
  publicStatus,
  type TaskState,
} from './state/task-state.machine.js';
import { TaskStateStore } from './state/task-state.store.js';
import { type TaskClaim, TaskClaimStore, UNSCREENED } from './state/task-claim.store.js';
import type { JournalBatch } from './task-event.stream.js';
import { type StepRecord, TaskStepStore } from './task-step.store.js';
import { taskViewOf } from './task-view.mapper.js';

export type { StoredStep, TaskClaim } from './state/task-claim.store.js';
export type { RecordedStepEvent, StepRecord } from './task-step.store.js';

/** What storing a task as waiting for approvals found. */
export type PauseResult =
  { paused: true } | { paused: false; state?: TaskState; cancelReason?: string };

/** Another run of the task moved its row first: this run's end is not stored. */
export class TaskStateRace extends Error {
  constructor(taskId: string, wanted: string, found: string) {
    super(`task ${taskId}: could not store it as ${wanted}: it is ${found} now`);
    this.name = 'TaskStateRace';
  }
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

/** What may be stored of an abandoned submission's text. */
const abandonedText = (text: string): string => scrubJson(text).slice(0, Tasks.TASK_TEXT_MAX);

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
  private readonly claims: TaskClaimStore;
  private readonly steps: TaskStepStore;

  constructor(
    private readonly prisma: PrismaService,
    private readonly states: TaskStateStore,
  ) {
    this.claims = new TaskClaimStore(prisma, states);
    this.steps = new TaskStepStore(prisma, states);
  }

  /** Creates or takes the task's row for a run (TaskClaimStore.claim), journaling a new task's first events. */
  claim(
    s: Tasks.TaskSubmission,
    planner: Tasks.PlannerKind,
    text: string,
    journal?: JournalBatch,
  ): Promise<TaskClaim> {
    return this.claims.claim(s, planner, text, journal);
  }

  /** Stores a replay or fork `queued` with its origin before its claim (TaskClaimStore.enqueue). */
  enqueue(s: Tasks.TaskSubmission & { run: Tasks.RunOrigin }): Promise<boolean> {
    return this.claims.enqueue(s);
  }

  /** Stores a cancel on the row, `cancelling` (TaskClaimStore.requestCancel). */
  requestCancel(taskId: string, reason: string): Promise<boolean> {
    return this.claims.requestCancel(taskId, reason);
  }

  /**
   * The task stops to wait for approvals: no replica holds it until a decision submits it again.
   * Otherwise, what it is now: a cancel stored while it was pausing (`cancelling`, with its reason),
   * or an end another run stored.
   */
  async pause(
    taskId: string,
    plan: Tasks.PlanAction[],
    lastEventSeq: number,
    journal?: JournalBatch,
  ): Promise<PauseResult> {
    const r = await this.states.transition(
      taskId,
      { on: 'paused', from: ['running', 'waiting_remote'] },
      {
        set: Prisma.sql`"pausedAt" = (now() AT TIME ZONE 'UTC'), "plan" = ${jsonText(plan)}::jsonb,
          "lastEventSeq" = ${lastEventSeq}`,
      },
      journal,
    );
    if (r.moved) return { paused: true };
    // Read after the statement: what moved it may have committed after its snapshot.
    const now = await this.prisma.task.findUnique({
      where: { id: taskId },
      select: { status: true, cancelReason: true },
    });
    return {
      paused: false,
      ...(now ? { state: now.status as TaskState } : {}),
      ...(now?.status === 'cancelling'
        ? { cancelReason: now.cancelReason ?? 'cancelled by user' }
        : {}),
    };
  }

  /**
   * The submission that resumes a task waiting for approvals, as the gateway first sent it: the same
   * actor, in the same tenant, so what the resumed run sends carries the task's tenant (any replica,
   * whoever's decision or sweep resubmits it).
   */
  async resubmission(taskId: string): Promise<Tasks.TaskSubmission | undefined> {
    const t = await this.prisma.task.findUnique({ where: { id: taskId } });
    // Waiting, or cancelled while it waited (it keeps `pausedAt` until a run ends it).
    if (!t || publicStatus(t) !== 'waiting_approval') return undefined;
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
      WHERE (t."status" = 'waiting_approval' OR (t."status" = 'cancelling' AND t."pausedAt" IS NOT NULL))
        AND t."updatedAt" < (now() AT TIME ZONE 'UTC') - make_interval(secs => ${olderThanMs / 1000}::double precision)
        AND NOT EXISTS (SELECT 1 FROM "Approval" a WHERE a."taskId" = t."id" AND a."status" = 'pending')
      LIMIT 100`;
    return rows.map((r) => r.id);
  }

  /** A delegation step starts: the task waits on a remote agent (TaskStepStore.awaitRemote). */
  awaitRemote(taskId: string, tenantId: string, journal?: JournalBatch): Promise<boolean> {
    return this.steps.awaitRemote(taskId, tenantId, journal);
  }

  /** Stores a step with the task's pending events (TaskStepStore.record). */
  recordStep(r: StepRecord, journal?: JournalBatch): Promise<void> {
    return this.steps.record(r, journal);
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

  /**
   * Stores the outcome and returns how many steps the task has stored, the count its terminal event
   * reports (so the event, GET /tasks/{id} and the task list agree). One statement: the step that was
   * under way (a cancellation or the time budget stopped it before it could be stored) becomes a
   * `cancelled` step in the same breath as the row turns terminal — and only if it does (the task's
   * row in `tenantId`).
   */
  async finish(
    { taskId, tenantId }: TaskRef,
    o: TaskOutcome,
    journal?: JournalBatch,
  ): Promise<number> {
    const i = o.interrupted;
    const interrupted = i
      ? Prisma.sql`
          INSERT INTO "Step" ("id", "taskId", "tenantId", "index", "actionId", "kind", "target",
                              "status", "input", "idempotencyKey", "startedAt", "finishedAt")
          SELECT ${`${taskId}:${i.index}`}, ${taskId}::uuid, ${tenantId}, ${i.index}::int,
                 ${i.action.id}, ${i.action.kind}, ${i.action.target}, 'cancelled',
                 ${jsonText(i.action.input)}::jsonb, ${`${taskId}:${i.action.id}`},
                 ${i.startedAt.toISOString()}::timestamp(3), (now() AT TIME ZONE 'UTC')
          FROM moved
          ON CONFLICT DO NOTHING
          RETURNING 1`
      : Prisma.sql`SELECT 1 WHERE false`;
    // The final SELECT does not see the CTE's insert (one snapshot): it counts it separately.
    const r = await this.states.transition<{ steps: number }>(
      taskId,
      { on: endTrigger(o.status), from: ['running', 'waiting_remote', 'cancelling'], tenantId },
      {
        set: Prisma.sql`"planner" = ${o.planner}, "plan" = ${jsonText(o.plan)}::jsonb,
          "result" = ${o.result === undefined ? null : scrubJson(o.result)},
          "output" = ${jsonText(o.output)}::jsonb, "error" = ${jsonText(o.error)}::jsonb,
          "usage" = ${jsonText(o.usage)}::jsonb, "lastEventSeq" = ${o.lastEventSeq},
          "verdict" = ${jsonText(o.verdict)}::jsonb,
          "finishedAt" = COALESCE("startedAt", "createdAt")
                         + make_interval(secs => ${o.durationMs / 1000}::double precision)`,
        with: [{ name: 'interrupted', sql: interrupted }],
        select: Prisma.sql`((SELECT count(*) FROM "Step" WHERE "taskId" = ${taskId}::uuid)
              + (SELECT count(*) FROM interrupted))::int AS "steps"`,
      },
      journal,
    );
    // Ended (or gone) meanwhile: another run of it stored its end. Its submission is delivered again
    // and finds it ended (`ended-before`), as a redelivery after a crash does.
    if (!r.moved && r.state === undefined) throw new Error(`task ${taskId} has no row to finish`);
    if (!r.moved) throw new TaskStateRace(taskId, o.status, r.state ?? 'gone');
    return r.extra.steps;
  }

  /**
   * Marks a task no replica can run as failed: its row if it has one in the submitter's tenant (and
   * is not terminal already), else a new failed row from what the submission tells. Text is scrubbed:
   * the submission may hold the very characters that made it fail.
   */
  async abandon(a: AbandonedTask): Promise<void> {
    const tenantId = tenantOf(a.actor);
    const finishedAt = new Date();
    const r = await this.states.transition(
      a.taskId,
      {
        on: 'abandoned',
        from: [...CANCELLABLE_STATES, 'cancelling'],
        tenantId,
      },
      {
        // A row stored behind its thread has no text yet: it keeps the submission's, as a new one does.
        set: Prisma.sql`"error" = ${jsonText(a.error)}::jsonb, "lastEventSeq" = ${a.lastEventSeq},
          "finishedAt" = ${finishedAt.toISOString()}::timestamp(3),
          "request" = CASE WHEN "text" = ${UNSCREENED} THEN ${jsonText(a.request) ?? '{}'}::jsonb ELSE "request" END,
          "text" = CASE WHEN "text" = ${UNSCREENED} THEN ${abandonedText(a.text)} ELSE "text" END`,
      },
    );
    if (r.moved || r.state !== undefined) return;
    await this.prisma.task.createMany({
      data: [
        {
          id: a.taskId,
          tenantId,
          userId: a.actor.userId,
          role: a.actor.role,
          text: abandonedText(a.text),
          request: json(a.request),
          correlationId: scrubJson(a.correlationId).slice(0, 128),
          threadId: a.threadId ?? null,
          planner: a.planner,
          createdAt: a.submittedAt,
          status: TaskStateStore.created('abandoned'),
          error: json(a.error),
          lastEventSeq: a.lastEventSeq,
          finishedAt,
        },
      ],
      // A row stored meanwhile (or another tenant's) is left as it is.
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
      include: {
        steps: { orderBy: { index: 'asc' } },
        rounds: { orderBy: { iteration: 'asc' } },
        agentStamp: true,
      },
    });
    return t ? taskViewOf(t) : undefined;
  }
}
