import { Agents, type ErrorBody, Tasks } from '@switchboard/contracts';
import type { Prisma } from '../generated/prisma/client.js';
import { publicStatus } from './state/task-state.machine.js';

/** A task row with its steps and planning rounds, as TaskRepository.get reads it. */
export type TaskRow = Prisma.TaskGetPayload<{ include: { steps: true; rounds: true } }> & {
  /** Its version stamp's row (docs/agents.md), when read with it. */
  agentStamp?: { stamp: unknown } | null;
};

/** The stored task as its public view (GET /tasks/{id}): what the row holds, parsed, nothing more. */
export function taskViewOf(t: TaskRow): Tasks.TaskView {
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
  const agent = Agents.AgentStamp.safeParse(t.agentStamp?.stamp);
  return {
    taskId: t.id,
    userId: t.userId,
    tenantId: t.tenantId,
    status: publicStatus(t),
    task: t.text,
    ...(run ? { run } : {}),
    ...(t.scheduleId ? { scheduleId: t.scheduleId } : {}),
    ...(verdict.success ? { verdict: verdict.data } : {}),
    ...(agent.success ? { agent: agent.data } : {}),
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
