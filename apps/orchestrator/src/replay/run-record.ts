import type { ErrorBody, Tasks } from '@switchboard/contracts';
import type { KnownAgent, Planner } from '../planning/index.js';
import type { RecordedStepEvent, RoundContext, StoredRound } from '../tasks/index.js';

/** A step of a recorded task, as a replay or fork takes it over. */
export interface RecordedStep {
  index: number;
  actionId: string;
  kind: Tasks.StepKind;
  target: string;
  status: Tasks.StepStatus;
  input: Record<string, unknown>;
  output: unknown;
  error: ErrorBody | null;
  /** What its tool or agent reported while it ran (absent for steps recorded before replay existed). */
  events: RecordedStepEvent[];
}

/**
 * What the orchestrator recorded of a task (docs/replay.md): its request and planner, each planning
 * round (the decision; for the LLM the request sent and the completion received, in `memo`, with its
 * usage; what it planned with, in `context`) and each step with what it reported.
 */
export interface RunRecord {
  taskId: string;
  tenantId: string;
  userId: string;
  status: Tasks.TaskStatus;
  text: string;
  request: Tasks.TaskRequest;
  planner: Tasks.PlannerKind;
  model?: string;
  rounds: StoredRound[];
  steps: RecordedStep[];
  /** How it ended: its cancellation reason, for a replay that reaches the same point. */
  error?: ErrorBody;
}

/** What a replay or fork runs with: its RecordedRunSource's state (`run.source` on its TaskRun). */
export interface RunOriginState {
  kind: Tasks.RunKind;
  of: string;
  record: RunRecord;
  /** Who plans the rounds that are planned: for a replay, the planner fed from the record. */
  planner: Planner;
  /**
   * A fork: rounds before `liveRound` take the recorded decision; steps before `liveStep` (0-based
   * index) the recorded result. A replay plans every round (from recorded completions) and takes every
   * step from the record: both are Infinity.
   */
  liveRound: number;
  liveStep: number;
  edits?: Tasks.ForkEdits;
  from?: Tasks.ForkPoint;
  /** What a replay noticed that changes nothing it did (e.g. a prompt that differs): in its verdict. */
  notes?: string[];
  /**
   * Where a replay diverged before any round was planned (a tool definition that changed since): its
   * verdict's divergence, which its trace cannot show.
   */
  divergence?: Tasks.Divergence;
  /** Recorded steps an evaluation's live steps were answered with (each answers one call). */
  used?: Set<number>;
}

/** The first round's context (the tools offered, the history), if the task was recorded with one. */
export function firstContext(record: RunRecord): RoundContext | undefined {
  return record.rounds.find((r) => r.iteration === 1)?.context;
}

/** The agents a recorded task knew (for a replay's agent list: no a2a request). */
export function recordedAgents(record: RunRecord): KnownAgent[] {
  for (const r of record.rounds) if (r.context?.agents.length) return r.context.agents;
  return [];
}

/**
 * What the record's task recalled from long-term memory (docs/memory.md), as planning context —
 * without the items forgotten since: forgetting outranks an identical replay.
 */
export function recalledContext(record: RunRecord): { recalled?: RoundContext['recalled'] } {
  const recalled = firstContext(record)?.recalled?.filter((r) => !r.forgotten);
  return recalled?.length ? { recalled } : {};
}

/** How many items the record's task recalled that were forgotten since. */
export const forgottenRecalls = (record: RunRecord): number =>
  firstContext(record)?.recalled?.filter((r) => r.forgotten).length ?? 0;

/**
 * The recall a run plans with instead of asking memory: a fork with `memory: recorded` takes its
 * parent's (memory as it was). Undefined for every other run: a fork with live memory and a live
 * task recall again (a replay's basis is its record's altogether).
 */
export function forkedRecall(
  origin: RunOriginState | undefined,
): { recalled?: RoundContext['recalled'] } | undefined {
  return origin?.kind === 'fork' && origin.edits?.memory === 'recorded'
    ? recalledContext(origin.record)
    : undefined;
}
