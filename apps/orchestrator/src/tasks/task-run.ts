import { DomainError, type ErrorBody, type Tasks } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { UsageMeter } from '../budget/usage-meter.js';
import type { TaskEventSequence } from './task-event.stream.js';

/** One run of a task in this replica: what the loop, the guardrails and the finisher share. */
export interface TaskRun {
  submission: Tasks.TaskSubmission;
  /** The task text as it may be stored and streamed (a placeholder when the input guardrail blocked it). */
  text: string;
  events: TaskEventSequence;
  signal: AbortSignal;
  meter: UsageMeter;
  /** Epoch ms by which the task must end (TASK_TIMEOUT_MS after its first start). */
  deadline: number;
  /**
   * How the task's NATS requests ride out an outage: repeatable ones are sent again until the task's
   * deadline, for at most TASK_OUTAGE_WAIT_MS after their first failure, and stop with the task.
   */
  retry: RetryBudget;
  /** Every action dispatched (or attempted) so far, in order. */
  plan: Tasks.PlanAction[];
  /** Redelivered after a crash: stored rounds and steps exist and are replayed (a new task has none). */
  resumed: boolean;
}

export type Outcome =
  | { status: 'completed'; result: string; output?: unknown }
  | { status: 'failed'; error: ErrorBody }
  | { status: 'cancelled'; reason: string };

export function failed(code: DomainError['code'], message: string): Outcome {
  return { status: 'failed', error: new DomainError(code, message).toBody() };
}
