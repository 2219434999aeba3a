import type { ErrorBody, Tasks, Tools } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { TaskEventSequence } from '../task-event.stream.js';

/**
 * What a port (tasks/ports) is shown of a run: the few facts a feature needs, read-only, never the
 * run's mutable state (its plan, meter, steps stored). The core hands the run itself, so one
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
export interface RunSourceView {
  /** What the run is: stored as the task's origin (its submission's `run`), counted by telemetry. */
  readonly kind: 'live' | Tasks.RunKind;
  /** What a replay or fork changes from its record (its guardrails' what-if rules among them). */
  readonly edits?: Tasks.ForkEdits;
}

/** How a run ended: what the finisher stores and a port is told. */
export type Outcome =
  | { status: 'completed'; result: string; output?: unknown }
  | { status: 'failed'; error: ErrorBody }
  | { status: 'cancelled'; reason: string };
