import { DomainError, type Tasks, type Tools } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { Planner } from '../../planning/planner.js';
import type { UsageMeter } from './usage-meter.js';
import type { RunSource } from '../ports/run-source.port.js';
import type { Outcome } from '../ports/task-run.view.js';
import type { TaskEventSequence } from '../task-event.stream.js';

/** One run of a task in this replica: what the loop, the guardrails and the finisher share. */
export interface TaskRun {
  submission: Tasks.TaskSubmission;
  /** The task text as it may be stored and streamed (a placeholder when the input guardrail blocked it). */
  text: string;
  events: TaskEventSequence;
  signal: AbortSignal;
  /** When the task first started (its wall-time budget and duration count from here). */
  startedAt: Date;
  /** Who plans it: the LLM (and its model) or the built-in planner. */
  planner: Tasks.PlannerKind;
  model?: string | undefined;
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
  /** The step dispatched and not stored yet: if the task stops meanwhile, it is stored as cancelled. */
  underWay?: UnderWayStep;
  /** The tools the manifest offered, by name (with their approval policies), once it is read. */
  offered?: ReadonlyMap<string, Tools.ManifestTool>;
  /** Redelivered after a crash: stored rounds and steps exist and are replayed (a new task has none). */
  resumed: boolean;
  /**
   * The indexes of the task's stored steps (the claim's and this run's): the count its terminal
   * event reports, journaled in the same statement as the end.
   */
  stepsStored: Set<number>;
  /** Where its decisions and step results come from: live, or a recorded task's (docs/replay.md). */
  source: RunSource;
  /**
   * Who plans its rounds when it runs an agent version: the source's planner (a replay's) or the
   * platform's, with the version's instructions, model and parameters (docs/agents.md). Absent: the
   * source's or the platform's as they are.
   */
  agentPlanner?: Planner;
  /** A replay's verdict, once it ended. */
  verdict?: Tasks.ReplayVerdict;
}

export interface UnderWayStep {
  index: number;
  /** With its input resolved, as it was dispatched. */
  action: Tasks.PlanAction;
  startedAt: Date;
}

/** How the loop left a task: with its outcome, or stopped to wait for approvals (no outcome yet). */
export type LoopResult = Outcome | { status: 'waiting_approval' };

export function failed(code: DomainError['code'], message: string): Outcome {
  return { status: 'failed', error: new DomainError(code, message).toBody() };
}
