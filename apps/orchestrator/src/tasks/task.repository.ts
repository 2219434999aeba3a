import { Injectable } from '@nestjs/common';
import { type Actor, type ErrorBody, isAdmin, Tasks } from '@switchboard/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';

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
  /** A cancellation requested while no replica was running it (e.g. between a crash and the resume). */
  cancelReason?: string;
}

export interface StepRecord {
  taskId: string;
  index: number;
  action: Tasks.PlanAction;
  status: Tasks.StepStatus;
  output?: unknown;
  error?: ErrorBody;
  startedAt: Date;
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
}

const json = (v: unknown): Prisma.InputJsonValue => (v ?? Prisma.JsonNull) as Prisma.InputJsonValue;

/** Tasks and their steps. Prisma types stay in this file; callers see contract types. */
@Injectable()
export class TaskRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Creates the task as running, or, when it exists (a redelivery after a crash), returns its state.
   * `text` is what may be stored of the request: the caller replaces text a guardrail blocked.
   */
  async claim(
    s: Tasks.TaskSubmission,
    planner: Tasks.PlannerKind,
    text: string,
  ): Promise<TaskClaim> {
    const startedAt = new Date();
    try {
      await this.prisma.task.create({
        data: {
          id: s.taskId,
          userId: s.actor.userId,
          role: s.actor.role,
          status: 'running',
          text,
          request: json({ ...s.request, task: text }),
          correlationId: s.correlationId,
          threadId: s.request.thread_id ?? null,
          planner,
          createdAt: new Date(s.submittedAt),
          startedAt,
        },
      });
      // A cancellation may have arrived while the task was queued (see rememberQueuedCancel).
      const queued = await this.queuedCancelFor(s);
      if (queued !== undefined) await this.requestCancel(s.taskId, queued);
      return {
        resumed: false,
        status: 'running',
        steps: [],
        startedAt,
        ...(queued !== undefined ? { cancelReason: queued } : {}),
      };
    } catch (e) {
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')) throw e;
    }
    const task = await this.prisma.task.findUniqueOrThrow({
      where: { id: s.taskId },
      include: { steps: { orderBy: { index: 'asc' } } },
    });
    return {
      resumed: true,
      status: task.status as Tasks.TaskStatus,
      startedAt: task.startedAt ?? task.createdAt,
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

  async recordStep(r: StepRecord): Promise<void> {
    const data = {
      taskId: r.taskId,
      index: r.index,
      actionId: r.action.id,
      kind: r.action.kind,
      target: r.action.target,
      status: r.status,
      input: json(r.action.input),
      output: json(r.output),
      error: json(r.error),
      idempotencyKey: `${r.taskId}:${r.action.id}`,
      startedAt: r.startedAt,
      finishedAt: new Date(),
    };
    await this.prisma.step.upsert({
      where: { id: `${r.taskId}:${r.index}` },
      create: { id: `${r.taskId}:${r.index}`, ...data },
      update: data,
    });
  }

  /**
   * A cancellation for a task no replica has claimed yet. Whether it counts is decided at claim time,
   * against the submission's user (the requester's identity is all that is known now).
   */
  async rememberQueuedCancel(taskId: string, actor: Actor, reason: string): Promise<void> {
    await this.prisma.queuedCancellation.createMany({
      data: [{ taskId, requestedBy: actor.userId, requesterRole: actor.role, reason }],
      skipDuplicates: true,
    });
  }

  /** The reason of a queued cancellation by the submitter or an admin, if there is one. */
  private async queuedCancelFor(s: Tasks.TaskSubmission): Promise<string | undefined> {
    const row = await this.prisma.queuedCancellation.findUnique({ where: { taskId: s.taskId } });
    if (!row) return undefined;
    const byOwner = row.requestedBy === s.actor.userId;
    return byOwner || isAdmin({ role: row.requesterRole }) ? row.reason : undefined;
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

  async finish(taskId: string, o: TaskOutcome): Promise<void> {
    await this.prisma.task.update({
      where: { id: taskId },
      data: {
        status: o.status,
        planner: o.planner,
        plan: json(o.plan),
        result: o.result ?? null,
        output: json(o.output),
        error: json(o.error),
        usage: json(o.usage),
        lastEventSeq: o.lastEventSeq,
        finishedAt: new Date(),
      },
    });
  }

  async get(taskId: string): Promise<Tasks.TaskView | undefined> {
    const t = await this.prisma.task.findUnique({
      where: { id: taskId },
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
        ...(r.durationMs !== null ? { durationMs: r.durationMs } : {}),
      };
    });
    return {
      taskId: t.id,
      userId: t.userId,
      status: t.status as Tasks.TaskStatus,
      task: t.text,
      ...(t.planner ? { planner: t.planner as Tasks.PlannerKind } : {}),
      ...(t.result !== null ? { result: t.result } : {}),
      ...(t.error ? { error: t.error as unknown as ErrorBody } : {}),
      ...(t.threadId ? { threadId: t.threadId } : {}),
      ...(usage.success ? { usage: usage.data } : {}),
      ...(planning.length ? { planning } : {}),
      lastEventSeq: t.lastEventSeq,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
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
