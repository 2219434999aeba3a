import { Tasks } from '@switchboard/contracts';

/**
 * A stand-in for the terminal event of a task that has ended but whose events the gateway cannot get
 * (expired from JetStream, or never published), rebuilt from the stored task so every surface ends the
 * way it would have. `source: "gateway"` and the message tell it apart from a real event; `seq` is
 * at least the task's last, so a client resuming after it is told the task has ended (204).
 */
export function storedOutcomeEvent(view: Tasks.TaskView, seq: number): Tasks.TaskEvent {
  const base = {
    taskId: view.taskId,
    seq,
    at: view.updatedAt,
    source: 'gateway',
    message: 'rebuilt from the stored task: its own terminal event is not available',
  };
  const summary = {
    steps: view.steps.length,
    // What the lost event said (every ended task has it).
    durationMs: view.durationMs ?? 0,
    ...(view.usage ? { usage: view.usage } : {}),
  };
  switch (view.status) {
    case 'completed':
      return {
        ...base,
        name: Tasks.TaskEventName.TaskCompleted,
        data: { result: view.result ?? '', planner: view.planner ?? 'builtin', ...summary },
      };
    case 'cancelled':
      return {
        ...base,
        name: Tasks.TaskEventName.TaskCancelled,
        data: { reason: view.error?.message ?? 'cancelled', ...summary },
      };
    default:
      return {
        ...base,
        name: Tasks.TaskEventName.TaskFailed,
        data: {
          error: view.error ?? { code: 'INTERNAL', message: 'the task failed', retryable: false },
          ...summary,
        },
      };
  }
}

export const hasEnded = (view: Pick<Tasks.TaskView, 'status'>): boolean =>
  Tasks.TERMINAL_TASK_STATUSES.includes(view.status);
