import { DomainError, type ErrorBody, type Tasks, type Tools } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { Planner } from '../../planning/planner.js';
import type { UsageMeter } from './usage-meter.js';
import type { TaskLifecycle } from '../lifecycle/task-lifecycle.js';
import type { RunSource } from '../ports/run-source.port.js';
import type { TaskEventSequence } from '../task-event.stream.js';

/** One run of a task in this replica: what the loop, the guardrails and the finisher share. */
export interface TaskRun {
  submission: Tasks.TaskSubmission;
  /** The task text as it may be stored and streamed (a placeholder when the input guardrail blocked it). */
  text: string;
  events: TaskEventSequence;
  /** Where the run stands (lifecycle/task-lifecycle.ts): the loop and the finisher move it on. */
  phase: TaskLifecycle;
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

/**
 * What a port (tasks/ports) is shown of a run: the few facts a feature needs, read-only, never the
 * run's mutable state (its phase, plan, meter, steps stored). The core hands the run itself, so one
 * run is one view: a feature may key what it keeps per run by it (a WeakMap), and must not cast it
 * back to a TaskRun.
 */
export interface TaskRunView {
  readonly submission: Readonly<Tasks.TaskSubmission>;
  /** The task text as it may be stored and streamed (a placeholder when the input guardrail blocked it). */
  readonly text: string;
  /** Where a feature reports on the task's events (an approval asked, a guardrail hit). */
  readonly events: Pick<TaskEventSequence, 'emit'>;
  /** How the feature's own requests for this run ride out an outage (TaskRun.retry). */
  readonly retry: RetryBudget;
  /** Redelivered after a crash or resumed after approvals: stored rounds and steps exist. */
  readonly resumed: boolean;
  /** The tools the manifest offered, by name, once it is read. */
  readonly offered?: ReadonlyMap<string, Tools.ManifestTool> | undefined;
  /** Where its decisions come from, as far as a feature may know: its kind and a fork's edits. */
  readonly source: RunSourceView;
}

/** What a feature is shown of a run's source: one object per run (a feature may key by it). */
export type RunSourceView = Pick<RunSource, 'kind' | 'edits'>;

export interface UnderWayStep {
  index: number;
  /** With its input resolved, as it was dispatched. */
  action: Tasks.PlanAction;
  startedAt: Date;
}

export type Outcome =
  | { status: 'completed'; result: string; output?: unknown }
  | { status: 'failed'; error: ErrorBody }
  | { status: 'cancelled'; reason: string };

/** How the loop left a task: with its outcome, or stopped to wait for approvals (no outcome yet). */
export type LoopResult = Outcome | { status: 'waiting_approval' };

export function failed(code: DomainError['code'], message: string): Outcome {
  return { status: 'failed', error: new DomainError(code, message).toBody() };
}
