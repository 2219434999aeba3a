import { Inject, Injectable } from '@nestjs/common';
import type { DomainError, Tasks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { abortable } from '../../dispatch/dispatch.context.js';
import type { AgentList, DirectoryAgent } from '../ports/agent-directory.port.js';
import {
  AGENTS_NOT_LISTED,
  AgentsUnavailable,
  type PlanDecision,
  PLANNER,
  type Planner,
  type PlanningState,
} from '../../planning/planner.js';
import { taskRefOf } from '../../tenancy/tenant-scope.js';
import { PlanningRoundRepository, type RoundContext } from './planning-round.repository.js';
import { CONTENT_SCREEN, type ContentScreen } from '../ports/content-screen.port.js';
import { ROUND_GATE, type RoundGate } from '../ports/round-gate.port.js';
import { failed, type TaskRun } from '../run-task/task-run.js';
import type { Outcome } from '../ports/task-run.view.js';

export type RoundResult = { decision: PlanDecision } | { outcome: Outcome };

/**
 * One planning round: replays the stored decision of a resumed task, or asks the planner — within the
 * task's token budget and its round gate (the tenant's daily one: tokensPerDay, costPerDayUsd) — checks
 * what it generated against the output guardrail, charges what it spent to the gate, and stores the
 * decision before anything acts on it. Emits planning.started / planning.completed.
 */
@Injectable()
export class PlanRoundUseCase {
  constructor(
    @Inject(PLANNER) private readonly planner: Planner,
    private readonly rounds: PlanningRoundRepository,
    @Inject(CONTENT_SCREEN) private readonly screen: ContentScreen,
    private readonly audit: AuditTrail,
    @Inject(ROUND_GATE) private readonly budget: RoundGate,
  ) {}

  get kind(): Planner['kind'] {
    return this.planner.kind;
  }

  get model(): string | undefined {
    return this.planner.model;
  }

  /** Who plans the run's rounds: its agent version's planner, its source's, or the platform's. */
  private plannerOf(run: TaskRun): Planner {
    return run.agentPlanner ?? run.source.planner ?? this.planner;
  }

  /**
   * `awaitAgents`, when the agent list could not be read (or was not read upfront): called when the
   * planner needs the list (AgentsUnavailable), and the planner is asked again with what it returns;
   * it waits for the a2a service within the task's budget unless it is the list's first read.
   */
  async decide(
    run: TaskRun,
    state: Omit<PlanningState, 'signal' | 'maxOutputTokens'>,
    stored: PlanDecision | undefined,
    awaitAgents?: () => Promise<AgentList>,
  ): Promise<RoundResult> {
    const { events, meter } = run;
    const iteration = state.iteration;
    const planner = this.plannerOf(run);
    if (stored) {
      // Planned before a crash: the same decision, not a new (and possibly different) one.
      meter.add(stored.usage, stored.model);
      events.emit('orchestrator.planning.started', { planner: planner.kind, iteration });
      this.completed(run, iteration, stored, true);
      return { decision: stored };
    }
    const taken = run.source.recordedDecision(iteration);
    if (taken) return this.takeOver(run, state, taken);
    const allowed = await this.allowance(run, state, planner);
    if ('outcome' in allowed) return allowed;
    const { maxOutputTokens } = allowed;
    events.emit('orchestrator.planning.started', { planner: planner.kind, iteration });
    const ask = (s: typeof state) =>
      abortable(
        planner.next({
          ...s,
          signal: run.signal,
          ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
        }),
        run.signal,
      );
    let raw = await ask(state);
    // A list not read upfront is read once without waiting, and once more (waiting) if the service is
    // away and the plan names an agent; a list that failed upfront is waited for at once.
    const reads = state.agentsUnavailable === AGENTS_NOT_LISTED ? 2 : 1;
    for (
      let read = 0;
      read < reads && raw.kind === 'fail' && raw.error instanceof AgentsUnavailable && awaitAgents;
      read++
    ) {
      const { agents, unavailable } = await awaitAgents();
      const { agentsUnavailable: _before, ...rest } = state;
      raw = await ask({
        ...rest,
        agents,
        ...(unavailable ? { agentsUnavailable: unavailable.message } : {}),
      });
    }
    const priced: PlanDecision = {
      ...raw,
      ...(raw.usage ? { usage: meter.add(raw.usage, raw.model) } : {}),
    };
    // A replay's completions come from its record: no model was called, nothing is charged.
    const replaying = !run.source.asksModel;
    const screened = this.screened(run, priced);
    const decision = replaying ? screened : await this.charged(run, screened);
    // A round no model planned (the built-in planner, a direct call) is planned the same way again
    // after a crash: its decision rides with the task's next commit (its first step, or its end)
    // instead of a transaction of its own. A model's decision is stored before anything acts on it:
    // a model call is not repeated.
    const deterministic = !replaying && !decision.usage && !planner.asksModel?.(state);
    await this.saveRound(
      run,
      iteration,
      planner.kind,
      decision,
      roundContext(run, state),
      deterministic,
    );
    this.auditRefusals(run, iteration, decision);
    this.completed(run, iteration, decision, false);
    const diverged = run.source.checkRound(iteration, decision);
    if (diverged) return { outcome: { status: 'failed', error: diverged.toBody() } };
    return { decision };
  }

  /**
   * A fork's round before its fork point: the recorded decision, taken as done (stored as the fork's
   * own round, without the cost the original paid for it); at the fork point, an edited plan.
   */
  private async takeOver(
    run: TaskRun,
    state: Omit<PlanningState, 'signal' | 'maxOutputTokens'>,
    decision: PlanDecision,
  ): Promise<RoundResult> {
    const { iteration } = state;
    const kind = this.plannerOf(run).kind;
    run.events.emit('orchestrator.planning.started', { planner: kind, iteration });
    await this.saveRound(run, iteration, kind, decision, roundContext(run, state), false);
    this.completed(run, iteration, decision, true);
    return { decision };
  }

  /** Stores the round with the task's pending events, or defers it to the task's next commit. */
  private async saveRound(
    run: TaskRun,
    iteration: number,
    kind: Tasks.PlannerKind,
    decision: PlanDecision,
    context: RoundContext,
    deferred: boolean,
  ): Promise<void> {
    const ref = taskRefOf(run.submission);
    if (deferred) {
      run.events.defer(
        `round_${iteration}`,
        this.rounds.upsert(ref, iteration, kind, decision, context),
      );
      return;
    }
    await run.events.commit((journal) =>
      this.rounds.save(ref, iteration, kind, decision, context, journal),
    );
  }

  /**
   * What the next planner call may spend, or the outcome that stops the task before it: the task's
   * own token budget (TASK_TOKEN_BUDGET: the round's output is capped to what is left), and — for a
   * round that asks a model (the built-in planner and a direct call ask none: nothing to check) — its
   * tenant's and user's daily tokens and cost (BUDGET_EXCEEDED naming the quota, before the call).
   */
  private async allowance(
    run: TaskRun,
    state: Omit<PlanningState, 'signal' | 'maxOutputTokens'>,
    planner: Planner,
  ): Promise<{ maxOutputTokens?: number } | { outcome: Outcome }> {
    const { meter } = run;
    let maxOutputTokens: number | undefined;
    if (meter.limited) {
      const prompt = planner.estimatePromptTokens?.(state) ?? 0;
      const left = meter.remaining - prompt;
      if (left <= 0) {
        return {
          outcome: failed(
            'BUDGET_EXCEEDED',
            `the token budget is spent: ${meter.used} of ${meter.budget} tokens used, and the next planning call needs about ${prompt} prompt tokens (TASK_TOKEN_BUDGET)`,
          ),
        };
      }
      maxOutputTokens = left;
    }
    if (run.source.asksModel && planner.asksModel?.(state)) {
      const refusal = await this.budget.refusal(run);
      if (refusal) return { outcome: { status: 'failed', error: refusal.toBody() } };
    }
    return maxOutputTokens !== undefined ? { maxOutputTokens } : {};
  }

  /** The decision as the output guardrail lets it through: a hit keeps only the refusal, its cost and timing. */
  private screened(run: TaskRun, decision: PlanDecision): PlanDecision {
    const generated = decision.generatedText ?? visibleText(decision);
    const blocked = this.screen.screenAnswer(run, generated);
    if (!blocked) return decision;
    return failedRound(decision, blocked);
  }

  /**
   * Charges what the round spent to the tenant's and the user's daily budget. The round that takes
   * either past its limit ends the task — whatever it decided, an answer included: the limit is where
   * spending stops, and the model was asked while something was left — with BUDGET_EXCEEDED naming
   * the quota, stored as the round's decision so a resumed task replays the same end.
   */
  private async charged(run: TaskRun, decision: PlanDecision): Promise<PlanDecision> {
    if (!decision.usage) return decision;
    const refusal = await this.budget.charge(run, decision.usage);
    // A round that failed already (a guardrail hit, a planner error) keeps its own reason.
    if (!refusal || decision.kind === 'fail') return decision;
    return failedRound(decision, refusal);
  }

  /**
   * A call to a tool the planner was not offered is a refused privileged call: audited `denied` like
   * mcp-tools' own refusals (once, when the round is decided; a replayed round was audited before).
   */
  private auditRefusals(run: TaskRun, iteration: number, d: PlanDecision): void {
    if (d.kind !== 'actions') return;
    const { taskId, actor } = run.submission;
    for (const refused of d.rejected ?? []) {
      if (refused.notOffered === undefined) continue;
      void this.audit.record({
        category: 'tool',
        action: 'tool.call',
        outcome: 'denied',
        resource: refused.notOffered,
        taskId,
        actor: { userId: actor.userId, role: actor.role },
        details: {
          tool: refused.notOffered,
          code: 'FORBIDDEN',
          message: 'the planner called a tool that was not offered for this task; not run',
          refusedBy: 'orchestrator',
          planner: this.planner.kind,
          iteration,
        },
      });
    }
  }

  private completed(run: TaskRun, iteration: number, d: PlanDecision, replayed: boolean): void {
    // A final answer goes straight to orchestrator.task.completed (the event sequence clients know).
    if (d.kind === 'final') return;
    run.events.emit(
      'orchestrator.planning.completed',
      {
        planner: this.plannerOf(run).kind,
        iteration,
        plan: d.kind === 'actions' ? d.actions : [],
        decision: d.kind,
        ...(d.usage ? { usage: d.usage } : {}),
        ...(d.model ? { model: d.model } : {}),
        ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
        ...(d.kind === 'actions' && d.rejected?.length ? { rejected: d.rejected } : {}),
        ...(replayed ? { replayed: true } : {}),
      },
      describeDecision(d),
    );
  }
}

/** A round ended by `error`: nothing the planner produced is kept, only its cost and timing. */
function failedRound(d: PlanDecision, error: DomainError): PlanDecision {
  return {
    kind: 'fail',
    error,
    ...(d.usage ? { usage: d.usage } : {}),
    ...(d.model ? { model: d.model } : {}),
    ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
  };
}

/** What a decision would show or send: the answer, or the actions' descriptions and inputs. */
function visibleText(d: PlanDecision): string {
  if (d.kind === 'final') return d.answer;
  if (d.kind === 'actions')
    return d.actions.map((a) => `${a.description}\n${JSON.stringify(a.input)}`).join('\n');
  return '';
}

function describeDecision(d: PlanDecision): string {
  switch (d.kind) {
    case 'final':
      return 'answer ready';
    case 'fail':
      return `planning failed: ${d.error.code}`;
    case 'actions':
      return d.actions.length
        ? `${d.actions.length} action${d.actions.length === 1 ? '' : 's'}: ${d.actions.map((a) => a.target).join(', ')}`
        : 'no runnable action (refused calls go back to the planner)';
  }
}

/**
 * What the round planned with, recorded with it (docs/replay.md): the agents it knew, and on the first
 * round the tools offered, the thread's history and a direct call's tool and input.
 */
function roundContext(
  run: TaskRun,
  state: Omit<PlanningState, 'signal' | 'maxOutputTokens'>,
): RoundContext {
  const agents = state.agents.map((a) => ({
    name: a.name,
    description: a.description,
    ...((a as DirectoryAgent).approval ? { approval: (a as DirectoryAgent).approval } : {}),
  }));
  if (state.iteration !== 1) return { agents };
  return {
    agents,
    manifest: { tools: state.tools, mode: run.submission.request.tool_constraints?.mode ?? 'auto' },
    history: [...state.history],
    ...(state.call ? { call: state.call } : {}),
    ...(state.recalled ? { recalled: [...state.recalled] } : {}),
  };
}
