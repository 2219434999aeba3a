import type { DomainError, ErrorBody, Tasks, Tools } from '@switchboard/contracts';
import type { KnownAgent, PlanDecision, Planner, ThreadTurn } from '../../planning/planner.js';
import type { PlanningContext } from '../context/planning-context.port.js';
import type { Outcome, RunSourceView, TaskRunView } from './task-run.view.js';
import type { RecordedStepEvent } from '../task.repository.js';

/** How a step taken from the record ends, as the loop observes it. */
export type RecordedOutcome =
  | { status: 'completed'; output: unknown }
  | { status: 'failed'; error: ErrorBody; output?: unknown };

/** A recorded step the run takes as its own: nothing is called. */
export interface RecordedStepAnswer {
  outcome: RecordedOutcome;
  /**
   * What its tool or agent reported, as the run emits it again, with the output the step ends with
   * now (`blocked`: the output guardrail blocks it today, and the placeholder is shown instead).
   */
  events(blocked: boolean): RecordedStepEvent[];
}

/** What the source says of a step it answers (RunSource.answersStep). */
export type RecordedStepResult =
  | { kind: 'taken'; step: RecordedStepAnswer }
  /** The record holds no such call, and nothing may be called: the step fails with `error`. */
  | { kind: 'refused'; error: ErrorBody }
  /** The record holds no such call, and the tool is one the run may call live (read-only): run it. */
  | { kind: 'live' }
  /** The step is not the recorded one: it fails, and the run ends with `error` (CONFLICT). */
  | { kind: 'diverged'; error: DomainError }
  /** The recorded task never finished this step: the run stops here too, cancelled for `reason`. */
  | { kind: 'ended'; reason: string };

/**
 * What a run plans with when its record says it all (a replay): the tools it was offered, its agents
 * and its thread's history. Nothing is asked of the a2a service or the thread store; the manifest is
 * read only to `compare`.
 */
export interface RecordedBasis {
  manifest: Pick<Tools.Manifest, 'tools' | 'mode'>;
  agents: KnownAgent[];
  history: ThreadTurn[];
  /** The CONFLICT that ends the run at its first round when the tools offered now differ, if they do. */
  compare(current: readonly Tools.ManifestTool[]): DomainError | undefined;
  /** What it recalled then (not what memory holds now): asked once, when its planning starts. */
  recall(): PlanningContext;
}

/**
 * A port of the task core: where a run's decisions and step results come from (docs/replay.md). A
 * live task asks its planner and runs its steps; a replay or fork of a recorded task (the replay
 * feature plugs in) answers from its record what the record holds — its rounds before a fork point,
 * its steps, the tools and history it planned with — and judges the run at its end. The core asks
 * the source; it never reads a record. One source per run (on its TaskRun), asked in the loop's order:
 * a source may keep what it learns (notes, a divergence) for its verdict. Its methods must not call
 * a tool, an agent or a model: what the core must run, it runs itself.
 */
export interface RunSource extends RunSourceView {
  /** Who plans its rounds, when not the platform's planner (PLANNER): a replay's, fed its record. */
  readonly planner?: Planner;
  /** A turn of its thread's conversation (its turns recorded, the thread handed on), or beside it. */
  readonly inThread: boolean;
  /**
   * Whether a round its planner plans with a model asks one: false for a replay, whose completions
   * come from its record — no quota is checked, nothing is charged, every round is stored at once.
   */
  readonly asksModel: boolean;
  /** A replay's whole planning basis from its record; undefined: the services are asked. */
  recordedBasis(): RecordedBasis | undefined;
  /** The conversation a fork continues (its record's), whatever the thread holds now. */
  recordedHistory(): ThreadTurn[] | undefined;
  /** The recall a fork plans with instead of asking memory (`memory: recorded`). */
  recordedRecall(): PlanningContext | undefined;
  /** The decision of round `iteration` taken over from the record (a fork's, before its fork point). */
  recordedDecision(iteration: number): PlanDecision | undefined;
  /** The CONFLICT that ends the run when a round it planned is not its record's (a replay's check). */
  checkRound(iteration: number, decision: PlanDecision): DomainError | undefined;
  /** Whether step `index` is answered by the source instead of dispatched. */
  answersStep(index: number): boolean;
  /** The answer to step `index` (only asked when `answersStep`), its input resolved. */
  recordedStep(
    index: number,
    action: Pick<Tasks.PlanAction, 'kind' | 'target'>,
    input: Record<string, unknown>,
  ): RecordedStepResult;
  /** A replay's verdict as it ends, before its row and terminal event; undefined for other runs. */
  verdict(run: TaskRunView, outcome: Outcome): Promise<Tasks.ReplayVerdict | undefined>;
}

/** The run source of a submission, and the submission it runs as. */
export interface ResolvedRun {
  source: RunSource;
  /** A replay or fork runs its record's request (with a fork's changes); a live task its own. */
  submission: Tasks.TaskSubmission;
}

/**
 * Resolves a submission's run source, once, when its task starts. A submission with no `run` is a
 * live task; one that names a record it cannot run (missing, not the submitter's, too old, a bad fork
 * point) throws the DomainError that ends it at once. A store that cannot be read throws anything
 * else (the submission is delivered again).
 */
export interface RunSources {
  resolve(submission: Tasks.TaskSubmission): Promise<ResolvedRun>;
}

export const RUN_SOURCES = Symbol('RUN_SOURCES');
