import { Injectable } from '@nestjs/common';
import { type Actor, type ErrorBody, Tasks } from '@switchboard/contracts';
import {
  BLOCKED_PLACEHOLDER,
  publicStatus,
  type RecordedStepEvent,
  RoundContext,
  type RunTree,
  TaskCore,
} from '../tasks/index.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { audienceOf, audienceWhere } from '../tenancy/tenant-scope.js';
import { FORGOTTEN_MARK } from '../memory/forget-recalled/recalled-redaction.js';
import type { RecordedStep, RunRecord } from './run-record.js';
import type { TraceRows } from './run-trace.js';

/**
 * Reads what was recorded of a task, for someone: only a task of their tenant (any tenant's for the
 * platform operator) that is their own, or their tenant's for its admins — the rule every read of a
 * task follows. Anything else is absent, exactly like a task that does not exist.
 */
@Injectable()
export class RunRecordRepository implements RunTree {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tasks: TaskCore,
  ) {}

  async load(taskId: string, actor: Actor): Promise<RunRecord | undefined> {
    const t = await this.readable(taskId, actor, {
      steps: { orderBy: { index: 'asc' } },
    });
    if (!t) return undefined;
    const rounds = await this.tasks.rounds({ taskId: t.id, tenantId: t.tenantId });
    return {
      taskId: t.id,
      tenantId: t.tenantId,
      userId: t.userId,
      status: publicStatus(t),
      text: t.text,
      request: t.request as Tasks.TaskRequest,
      planner: (t.planner ?? 'builtin') as Tasks.PlannerKind,
      ...(rounds.find((r) => r.decision.model)?.decision.model
        ? { model: rounds.find((r) => r.decision.model)?.decision.model }
        : {}),
      rounds,
      steps: t.steps.map((s): RecordedStep => ({
        index: s.index,
        actionId: s.actionId,
        kind: s.kind as Tasks.StepKind,
        target: s.target,
        status: s.status as Tasks.StepStatus,
        input: (s.input ?? {}) as Record<string, unknown>,
        output: s.output,
        error: (s.error as ErrorBody | null) ?? null,
        events: Array.isArray(s.events) ? (s.events as unknown as RecordedStepEvent[]) : [],
      })),
      ...(t.error ? { error: t.error as unknown as ErrorBody } : {}),
    };
  }

  /** What a trace of the task is built from (run-trace.ts), if `actor` may read it. */
  async traceRows(taskId: string, actor: Actor): Promise<TraceRows | undefined> {
    const t = await this.readable(taskId, actor, {
      steps: { orderBy: { index: 'asc' } },
      rounds: { orderBy: { iteration: 'asc' } },
    });
    if (!t) return undefined;
    const usage = Tasks.TokenUsage.safeParse(t.usage);
    const started = t.startedAt ?? t.createdAt;
    const kind = Tasks.RunKind.safeParse(t.runKind);
    return {
      taskId: t.id,
      status: t.status,
      blocked: t.text === BLOCKED_PLACEHOLDER,
      result: t.result,
      errorCode: (t.error as { code?: string } | null)?.code ?? null,
      ...(usage.success ? { usage: usage.data } : {}),
      ...(t.finishedAt
        ? { durationMs: Math.max(0, t.finishedAt.getTime() - started.getTime()) }
        : {}),
      ...(kind.success && t.parentId ? { run: runOf(kind.data, t.parentId, t.runFrom) } : {}),
      recalled: recalledOf(t.rounds),
      rounds: t.rounds.map((r) => ({ iteration: r.iteration, decision: r.decision })),
      steps: t.steps.map((s) => ({
        index: s.index,
        actionId: s.actionId,
        kind: s.kind,
        target: s.target,
        status: s.status,
        input: s.input,
        output: s.output,
        errorCode: (s.error as { code?: string } | null)?.code ?? null,
      })),
    };
  }

  /** The replays and forks of a task `actor` may see, oldest first. */
  async runsOf(taskId: string, actor: Actor): Promise<Tasks.RunSummary[]> {
    const rows = await this.prisma.task.findMany({
      where: {
        parentId: taskId,
        ...audienceWhere(audienceOf(actor)),
      },
      orderBy: { createdAt: 'asc' },
      take: 200,
      select: {
        id: true,
        runKind: true,
        status: true,
        pausedAt: true,
        startedAt: true,
        createdAt: true,
        runFrom: true,
        verdict: true,
      },
    });
    return rows.flatMap((r) => {
      const kind = Tasks.RunKind.safeParse(r.runKind);
      if (!kind.success) return [];
      const from = Tasks.ForkPoint.safeParse((r.runFrom as { from?: unknown } | null)?.from);
      const verdict = Tasks.ReplayVerdict.safeParse(r.verdict);
      return [
        {
          taskId: r.id,
          kind: kind.data,
          status: publicStatus(r),
          createdAt: r.createdAt.toISOString(),
          ...(from.success ? { from: from.data } : {}),
          ...(verdict.success ? { verdict: verdict.data } : {}),
        },
      ];
    });
  }

  private readable<I extends { steps: object; rounds?: object }>(
    taskId: string,
    actor: Actor,
    include: I,
  ) {
    return this.prisma.task
      .findFirst({ where: { id: taskId, ...audienceWhere(audienceOf(actor)) }, include })
      .then((t) => t ?? undefined);
  }
}

function runOf(kind: Tasks.RunKind, of: string, runFrom: unknown): NonNullable<TraceRows['run']> {
  const from = Tasks.ForkPoint.safeParse((runFrom as { from?: unknown } | null)?.from);
  return { kind, of, ...(from.success ? { from: from.data } : {}) };
}

/** The contents its first round recalled from long-term memory (its stored context says). */
function recalledOf(rounds: { iteration: number; context: unknown }[]): string[] {
  const first = rounds.find((r) => r.iteration === 1)?.context;
  const parsed = RoundContext.pick({ recalled: true }).safeParse(first ?? {});
  return parsed.success
    ? (parsed.data.recalled ?? []).map((r) => (r.forgotten ? FORGOTTEN_MARK : r.content))
    : [];
}
