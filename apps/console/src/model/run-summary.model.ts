import type { Tasks } from '@switchboard/contracts';
import type { TaskEvent } from './event-log';

/** Where a run stands, for the page's status line. */
export interface RunSummary {
  /** The task's status as the events tell it (`waiting_approval` while a call waits for a person). */
  status: Exclude<Tasks.TaskStatus, 'queued'>;
  events: number;
  steps: number;
  tokens: number;
  estimated: boolean;
  costUsd?: number;
  planner?: string;
  durationMs?: number;
}

/** The run's status line: how far it got, and what it cost. */
export function summarize(events: readonly TaskEvent[]): RunSummary {
  let status: RunSummary['status'] = 'running';
  let steps = 0;
  let tokens = 0;
  let estimated = false;
  let costUsd: number | undefined;
  let planner: string | undefined;
  let durationMs: number | undefined;
  const waiting = new Set<string>(); // approvals requested and not decided
  for (const e of events) {
    if (e.name === 'orchestrator.task.started') planner = e.data.planner;
    if (e.name === 'orchestrator.approval.requested') waiting.add(e.data.approvalId);
    if (e.name === 'orchestrator.approval.decided') waiting.delete(e.data.approvalId);
    if (e.name === 'orchestrator.step.dispatching') steps++;
    if (e.name === 'orchestrator.planning.completed' && e.data.usage) {
      tokens += e.data.usage.totalTokens;
      estimated ||= e.data.usage.estimated === true;
      if (e.data.usage.costUsd !== undefined) costUsd = (costUsd ?? 0) + e.data.usage.costUsd;
    }
    if (
      e.name === 'orchestrator.task.completed' ||
      e.name === 'orchestrator.task.failed' ||
      e.name === 'orchestrator.task.cancelled'
    ) {
      status =
        e.name === 'orchestrator.task.completed'
          ? 'completed'
          : e.name === 'orchestrator.task.failed'
            ? 'failed'
            : 'cancelled';
      durationMs = e.data.durationMs;
      steps = e.data.steps;
      if (e.data.usage) {
        tokens = e.data.usage.totalTokens;
        estimated = e.data.usage.estimated === true;
        costUsd = e.data.usage.costUsd;
      }
    }
  }
  return {
    status: status === 'running' && waiting.size > 0 ? 'waiting_approval' : status,
    events: events.length,
    steps,
    tokens,
    estimated,
    ...(costUsd !== undefined ? { costUsd } : {}),
    ...(planner ? { planner } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
  };
}
