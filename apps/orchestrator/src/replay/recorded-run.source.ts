import { DomainError, type Tasks, Tools } from '@switchboard/contracts';
import type { PlanDecision, Planner, ThreadTurn } from '../planning/index.js';
import type {
  Outcome,
  PlanningContext,
  RecordedBasis,
  RecordedStepResult,
  RunSource,
  TaskRunView,
} from '../tasks/index.js';
import type { JudgeReplayUseCase } from './judge-replay/judge-replay.use-case.js';
import {
  answersFromRecord,
  matchingStep,
  notRecorded,
  recordedOutcome,
  replayedEvents,
  runsLive,
  takesRecordedStep,
} from './recorded-step.js';
import { recordedStep, roundDivergence } from './replay-check.js';
import {
  firstContext,
  forgottenRecalls,
  forkedRecall,
  recalledContext,
  recordedAgents,
  type RecordedStep,
  type RunOriginState,
} from './run-record.js';
import { toolOfferConflict, toolOfferDivergence } from './tool-offer.js';

/**
 * The source of a replay or fork (docs/replay.md): what its record holds answers what the core would
 * ask a planner or a step runner, up to a fork's fork point (a replay's is never reached). Holds the
 * run's origin (RunOriginState): what it notices on the way (notes, the tools' divergence, the steps
 * an evaluation used) is kept there for its verdict.
 */
export class RecordedRunSource implements RunSource {
  readonly inThread = false;

  constructor(
    readonly origin: RunOriginState,
    private readonly judge: Pick<JudgeReplayUseCase, 'verdict'>,
  ) {}

  get kind(): Tasks.RunKind {
    return this.origin.kind;
  }

  get planner(): Planner {
    return this.origin.planner;
  }

  get edits(): Tasks.ForkEdits | undefined {
    return this.origin.edits;
  }

  /** A replay's completions come from its record: no model is called. */
  get asksModel(): boolean {
    return this.origin.kind !== 'replay';
  }

  /**
   * A replay plans with what its record planned with. The tools it was offered — and those its
   * searches found — are compared with the definitions offered now: a changed one ends it at its first
   * round (tool-offer.ts), so a schema changed since never slips into a replay.
   */
  recordedBasis(): RecordedBasis | undefined {
    const origin = this.origin;
    if (origin.kind !== 'replay') return undefined;
    const first = firstContext(origin.record);
    const tools = first?.manifest?.tools ?? [];
    return {
      manifest: { tools, mode: first?.manifest?.mode ?? 'auto' },
      agents: recordedAgents(origin.record),
      history: first?.history ?? [],
      compare: (current) => {
        const divergence = toolOfferDivergence([...tools, ...foundTools(origin, tools)], current);
        if (!divergence) return undefined;
        origin.divergence = divergence;
        return toolOfferConflict(divergence);
      },
      recall: () => {
        noteForgotten(origin);
        // What the original recalled, not what the store holds now: a replay reads no memory.
        return recalledContext(origin.record);
      },
    };
  }

  recordedHistory(): ThreadTurn[] | undefined {
    return firstContext(this.origin.record)?.history;
  }

  recordedRecall(): PlanningContext | undefined {
    return forkedRecall(this.origin);
  }

  /**
   * The recorded decision a fork takes over at `iteration` (before its fork point, or the edited plan
   * at it), if any. A replay takes none: its rounds are planned again from the recorded completions.
   */
  recordedDecision(iteration: number): PlanDecision | undefined {
    const origin = this.origin;
    if (origin.kind !== 'fork') return undefined;
    if (iteration === origin.liveRound && origin.edits?.plan)
      return { kind: 'actions', actions: origin.edits.plan };
    if (iteration >= origin.liveRound) return undefined;
    const recorded = origin.record.rounds.find((r) => r.iteration === iteration)?.decision;
    if (!recorded) return undefined;
    // Its cost was the original's; the memo stays (the LLM planner rebuilds its conversation from it).
    const { usage: _usage, durationMs: _duration, request: _request, ...decision } = recorded;
    return decision as PlanDecision;
  }

  checkRound(iteration: number, decision: PlanDecision): DomainError | undefined {
    return this.origin.kind === 'replay'
      ? roundDivergence(this.origin.record, iteration, decision)
      : undefined;
  }

  answersStep(index: number): boolean {
    return takesRecordedStep(this.origin, index) || answersFromRecord(this.origin);
  }

  /**
   * A replay whose step is not the recorded one diverges there; a fork takes the recorded step at its
   * index all the same. A recorded step that never ended (its task was cancelled or stopped there)
   * ends the run the same way. A live step of an evaluation (tools: recorded) is answered only by a
   * same call of the record, or, for a tool the run's `liveTools` mark read-only, run live.
   */
  recordedStep(
    index: number,
    action: Pick<Tasks.PlanAction, 'kind' | 'target'>,
    input: Record<string, unknown>,
  ): RecordedStepResult {
    const origin = this.origin;
    if (!takesRecordedStep(origin, index)) {
      const same = matchingStep(origin, action, input);
      if (same) return this.taken(same);
      return runsLive(origin, action)
        ? { kind: 'live' }
        : { kind: 'refused', error: notRecorded(action) };
    }
    const step = recordedStep(origin.record, index, action, input);
    if (step instanceof DomainError && origin.kind === 'replay')
      return { kind: 'diverged', error: step };
    const taken = step instanceof DomainError ? origin.record.steps[index] : step;
    if (!taken || (taken.status !== 'completed' && taken.status !== 'failed'))
      return { kind: 'ended', reason: recordEnded(origin, index) };
    return this.taken(taken);
  }

  verdict(run: TaskRunView, outcome: Outcome): Promise<Tasks.ReplayVerdict | undefined> {
    return this.judge.verdict(this.origin, run, outcome);
  }

  /** The step's recorded outcome (with a fork's edited output for it) and its events. */
  private taken(step: RecordedStep): RecordedStepResult {
    const outcome = recordedOutcome(this.origin, step);
    return {
      kind: 'taken',
      step: { outcome, events: (blocked) => replayedEvents(step, outcome, blocked) },
    };
  }
}

/** The tools the record's searches found (docs/tools.md) that its first round was not offered. */
function foundTools(origin: RunOriginState, offered: readonly Tools.ManifestTool[]) {
  const names = new Set(offered.map((t) => t.name));
  const found = new Map<string, Tools.ManifestTool>();
  for (const step of origin.record.steps) {
    if (step.status !== 'completed') continue;
    for (const hit of Tools.searchHitsOf(step.target, step.output))
      if (!names.has(hit.tool.name)) found.set(hit.tool.name, hit.tool);
  }
  return [...found.values()];
}

/** A replay of a task whose recall was forgotten since says so in its verdict (docs/memory.md). */
function noteForgotten(origin: RunOriginState): void {
  const n = forgottenRecalls(origin.record);
  if (!n) return;
  (origin.notes ??= []).push(
    `round 1 planned without ${n} recalled memory item${n === 1 ? '' : 's'} forgotten since the task ran: forgetting outranks an identical replay`,
  );
}

/** Why a replay or fork stops at a step its record never finished. */
function recordEnded(origin: RunOriginState, index: number): string {
  const why = origin.record.error?.message ?? `the recorded task ended ${origin.record.status}`;
  return `the recorded task stopped at step ${index + 1} (${why}): the ${origin.kind} stops there too`;
}
