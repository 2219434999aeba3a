import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, tenantOf, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { withSpan } from '@switchboard/observability';
import {
  AGENT_DIRECTORY,
  type AgentDirectory,
  type AgentList,
} from '../ports/agent-directory.port.js';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { abortable } from '../../dispatch/dispatch.context.js';
import { AGENTS_NOT_LISTED, type PastRound, type ThreadTurn } from '../../planning/planner.js';
import { taskRefOf } from '../../tenancy/tenant-scope.js';
import {
  type PlanningContext,
  planningContext,
  PLANNING_CONTEXT_PROVIDERS,
  type PlanningContextProvider,
} from '../context/planning-context.port.js';
import {
  DispatchStepsUseCase,
  type StepLedger,
} from '../dispatch-steps/dispatch-steps.use-case.js';
import { THREAD_HISTORY, type ThreadHistory } from '../ports/thread-history.port.js';
import {
  PlanningRoundRepository,
  type StoredRound,
} from '../plan-round/planning-round.repository.js';
import { PlanRoundUseCase, type RoundResult } from '../plan-round/plan-round.use-case.js';
import type { RecordedBasis } from '../ports/run-source.port.js';
import type { StoredStep } from '../task.repository.js';
import { TaskOffer } from './task-offer.js';
import { failed, type LoopResult, type TaskRun } from './task-run.js';
import type { Outcome } from '../ports/task-run.view.js';

const NOT_LISTED: AgentList = {
  agents: [],
  unavailable: new DomainError('UPSTREAM_UNAVAILABLE', AGENTS_NOT_LISTED),
};

type Limits = Pick<OrchestratorEnv, 'MAX_ITERATIONS_PER_TURN' | 'DEFAULT_MAX_STEPS'>;

/** What every planning round of a task plans with. */
interface PlanningBasis {
  manifest: Tools.Manifest;
  /** What each round is offered of it: the tools not deferred, and those the task's searches found. */
  offer: TaskOffer;
  history: ThreadTurn[];
  stored: StoredRound[];
  roster: AgentRoster;
  /** What the planning context providers gave (a replay's: what its record says they gave). */
  context: PlanningContext;
}

/**
 * The agents a round may delegate to. Listed upfront for the LLM; for the built-in planner only when
 * a task turns out to need one, and then waited for if the a2a service is away.
 */
class AgentRoster {
  agents: AgentList['agents'];
  unavailable: string | undefined;

  constructor(
    listed: AgentList,
    private readonly directory: AgentDirectory,
    private readonly run: TaskRun,
  ) {
    this.agents = listed.agents;
    this.unavailable = listed.unavailable?.message;
  }

  /**
   * The first read of a list not read upfront does not wait: the built-in planner also asks for it
   * only to name the agents in its help, and a task it cannot read must not wait out an absent a2a
   * service. Once a read has failed and the planner still needs an agent, this waits for the service
   * within the task's budget.
   */
  async awaitAgents(): Promise<AgentList> {
    const firstRead = this.unavailable === AGENTS_NOT_LISTED;
    const again = await this.directory.list(
      this.run.submission.actor,
      firstRead ? undefined : this.run.retry,
    );
    this.agents = again.agents;
    this.unavailable = again.unavailable?.message;
    return again;
  }
}

/**
 * The loop of one task: plan → dispatch → observe → repeat, until an answer, a failure or a limit
 * (planning rounds, steps, tokens; wall time and cancellation arrive through the run's signal).
 * Everything it decides or observes is stored as it happens, so a replica resuming the task after a
 * crash walks the same path: stored decisions are replayed and stored steps are reused.
 */
@Injectable()
export class TaskLoop {
  constructor(
    private readonly bus: NatsBus,
    @Inject(AGENT_DIRECTORY) private readonly agents: AgentDirectory,
    @Inject(THREAD_HISTORY) private readonly threads: ThreadHistory,
    private readonly rounds: PlanningRoundRepository,
    private readonly planning: PlanRoundUseCase,
    private readonly actions: DispatchStepsUseCase,
    @Inject(APP_CONFIG) private readonly limits: Limits,
    @Optional()
    @Inject(PLANNING_CONTEXT_PROVIDERS)
    private readonly contextProviders: readonly PlanningContextProvider[] = [],
  ) {}

  async run(run: TaskRun, storedSteps: StoredStep[]): Promise<LoopResult> {
    const basis = await this.prepare(run);
    this.announceRecall(run, basis);
    const maxSteps = this.maxSteps(run.submission.request.max_steps);
    const ledger: StepLedger = {
      steps: [],
      outputs: new Map(),
      stored: new Map(storedSteps.map((s) => [s.index, s])),
    };
    const past: PastRound[] = [];
    for (let iteration = 1; ; iteration++) {
      if (iteration > this.limits.MAX_ITERATIONS_PER_TURN) {
        return failed(
          'BUDGET_EXCEEDED',
          `the task needed more than ${this.limits.MAX_ITERATIONS_PER_TURN} planning rounds (MAX_ITERATIONS_PER_TURN) after ${ledger.steps.length} step(s)`,
        );
      }
      const round = await this.planRound(run, basis, ledger, past, iteration);
      if ('outcome' in round) return round.outcome;
      const { decision } = round;
      past.push({ iteration, decision });
      if (decision.kind === 'final') {
        return {
          status: 'completed',
          result: decision.answer,
          ...(decision.output !== undefined ? { output: decision.output } : {}),
        };
      }
      if (decision.kind === 'fail') return { status: 'failed', error: decision.error.toBody() };
      const overBudget = this.overBudget(
        run,
        ledger.steps.length + decision.actions.length,
        maxSteps,
      );
      if (overBudget) return overBudget;
      if ((await this.actions.run(run, decision, ledger)) === 'paused') {
        return { status: 'waiting_approval' };
      }
    }
  }

  /**
   * What every round plans with: the manifest, and alongside it (not after it) the agents, the
   * thread's history and, for a resumed task, its stored rounds. The LLM is offered the agents as
   * delegation tools; the built-in planner asks for them only when the task names one
   * (AGENTS_NOT_LISTED): most tasks never ask the a2a service.
   */
  private async prepare(run: TaskRun): Promise<PlanningBasis> {
    const recordedBasis = run.source.recordedBasis();
    if (recordedBasis) return this.recordedBasis(run, recordedBasis);
    const { taskId, actor, request } = run.submission;
    const llm = run.planner === 'llm';
    const forked = run.source.recordedHistory();
    const context = Promise.all([
      llm ? this.agents.list(actor) : Promise.resolve(NOT_LISTED),
      // A fork continues the conversation its record had, whatever the thread holds now.
      forked
        ? Promise.resolve(forked)
        : llm
          ? this.threads.load(
              { tenantId: tenantOf(actor), userId: actor.userId },
              request.thread_id,
              taskId,
            )
          : Promise.resolve([]),
      // Only a resumed task has stored rounds to replay.
      run.resumed ? this.rounds.list(taskRefOf(run.submission)) : Promise.resolve([]),
    ]);
    context.catch(() => undefined); // awaited below; not unhandled if the manifest fails first
    const manifest = await this.manifestOf(run);
    this.offer(run, manifest);
    const recorded = run.source.recordedRecall();
    const provided = recorded
      ? Promise.resolve(recorded)
      : planningContext(this.contextProviders, {
          taskId,
          actor,
          task: request.task,
          threadId: request.thread_id,
          offered: new Set(manifest.tools.map((t) => t.name)),
          signal: run.signal,
        });
    const [[listed, history, stored], given] = await Promise.all([context, provided]);
    const roster = new AgentRoster(listed, this.agents, run);
    const offer = new TaskOffer(manifest.tools, new Map(manifest.tools.map((t) => [t.name, t])));
    return { manifest, offer, history, stored, roster, context: given };
  }

  /**
   * A replay plans with what its record planned with — the tools it was offered, its agents, its
   * thread's history — and asks a2a and the thread store nothing. It reads the manifest (no tool runs)
   * only to check that the definitions of the tools it was offered are the same now: a changed one
   * ends the replay at its first round (tool-offer.ts).
   */
  private async recordedBasis(run: TaskRun, basis: RecordedBasis): Promise<PlanningBasis> {
    const manifest: Tools.Manifest = {
      ...basis.manifest,
      generatedAt: new Date().toISOString(),
      cached: false,
    };
    await this.checkToolOffer(run, basis);
    this.offer(run, manifest);
    const recorded: AgentDirectory = {
      list: () => Promise.resolve({ agents: basis.agents }),
    };
    const listed = run.planner === 'llm' ? await recorded.list(run.submission.actor) : NOT_LISTED;
    const stored = run.resumed ? await this.rounds.list(taskRefOf(run.submission)) : [];
    const context = basis.recall();
    return {
      manifest,
      // A replay's searches are answered from its record: it plans with what they found then.
      offer: new TaskOffer(manifest.tools, undefined),
      history: basis.history,
      stored,
      roster: new AgentRoster(listed, recorded, run),
      context,
    };
  }

  /**
   * Which memories the task recalled, on its timeline (docs/memory.md): once, before its first round
   * (a resumed task announced them when it started). Ids and namespaces, not contents.
   */
  private announceRecall(run: TaskRun, basis: PlanningBasis): void {
    const recalled = basis.context.recalled;
    if (!recalled?.length || run.resumed) return;
    run.events.emit('orchestrator.memory.recalled', {
      count: recalled.length,
      items: recalled.map((r) => ({
        id: r.id,
        namespace: r.namespace,
        score: r.score,
        ...(r.matchedBy ? { matchedBy: r.matchedBy } : {}),
      })),
    });
  }

  /** Throws CONFLICT (the verdict names the tools) when a recorded tool's definition changed since. */
  private async checkToolOffer(run: TaskRun, basis: RecordedBasis): Promise<void> {
    if (!basis.manifest.tools.length) return;
    const now = await this.manifestOf(run);
    const conflict = basis.compare(now.tools);
    if (conflict) throw conflict;
  }

  /** The tools the task's actor may call now (under the task's constraints), as mcp-tools offers them. */
  private manifestOf(run: TaskRun): Promise<Tools.Manifest> {
    const { taskId, actor, request } = run.submission;
    return abortable(
      this.bus.request(
        Tools.ToolsManifest,
        { ...(request.tool_constraints ? { constraints: request.tool_constraints } : {}), taskId },
        { actor, ...run.retry },
      ),
      run.signal,
    );
  }

  private offer(run: TaskRun, manifest: Tools.Manifest): void {
    const deferred = manifest.tools.filter((t) => t.deferred).length;
    run.offered = new Map(manifest.tools.map((t) => [t.name, t]));
    run.events.emit('mcp.toolbox.generated', {
      tools: manifest.tools.map((t) => ({ name: t.name, provider: t.provider })),
      count: manifest.tools.length,
      mode: manifest.mode,
      cached: manifest.cached,
      ...(deferred ? { deferred } : {}),
    });
  }

  /**
   * The tools this round is offered: the offer grown by the searches of the steps so far, each
   * announced once (with what a fork's changed catalog changed of it). A found tool's approval
   * policy is known to the call gate from then on.
   */
  private offerFor(run: TaskRun, basis: PlanningBasis, ledger: StepLedger): Tools.ManifestTool[] {
    const { tools, grown } = basis.offer.planningTools(ledger.steps);
    for (const growth of grown) run.events.emit('mcp.toolbox.extended', { ...growth });
    if (grown.length) run.offered = new Map([...(run.offered ?? []), ...basis.offer.foundTools]);
    return tools;
  }

  /** One planning round in its span: the stored decision replayed, or the planner asked. */
  private planRound(
    run: TaskRun,
    basis: PlanningBasis,
    ledger: StepLedger,
    past: PastRound[],
    iteration: number,
  ): Promise<RoundResult> {
    const { roster } = basis;
    const replay = basis.stored.find((r) => r.iteration === iteration)?.decision;
    const attributes = {
      'switchboard.iteration': iteration,
      'switchboard.planner': run.planner,
      'switchboard.replayed': replay !== undefined,
    };
    return withSpan('planning round', attributes, async (span) => {
      const unavailable = roster.unavailable;
      const result = await this.planning.decide(
        run,
        {
          taskId: run.submission.taskId,
          task: run.submission.request.task,
          tools: this.offerFor(run, basis, ledger),
          agents: roster.agents,
          ...(unavailable !== undefined ? { agentsUnavailable: unavailable } : {}),
          steps: [...ledger.steps],
          iteration,
          rounds: [...past],
          history: basis.history,
          ...(basis.context.recalled ? { recalled: basis.context.recalled } : {}),
          ...(run.submission.call ? { call: run.submission.call } : {}),
        },
        replay,
        unavailable !== undefined ? () => roster.awaitAgents() : undefined,
      );
      span.setAttribute(
        'switchboard.decision',
        'outcome' in result ? result.outcome.status : result.decision.kind,
      );
      return result;
    });
  }

  /** The request may ask for fewer steps than DEFAULT_MAX_STEPS, never for more. */
  private maxSteps(requested: number | undefined): { limit: number; setting: string } {
    return requested !== undefined && requested < this.limits.DEFAULT_MAX_STEPS
      ? { limit: requested, setting: 'max_steps' }
      : { limit: this.limits.DEFAULT_MAX_STEPS, setting: 'DEFAULT_MAX_STEPS' };
  }

  /** The failure a round's plan would exceed a limit with (tokens used, steps), if any. */
  private overBudget(
    run: TaskRun,
    steps: number,
    maxSteps: { limit: number; setting: string },
  ): Outcome | undefined {
    if (run.meter.exceeded)
      return failed(
        'BUDGET_EXCEEDED',
        `the task used ${run.meter.used} tokens; its budget is ${run.meter.budget} (TASK_TOKEN_BUDGET)`,
      );
    if (steps > maxSteps.limit)
      return failed(
        'BUDGET_EXCEEDED',
        `the plan needs ${steps} steps; the limit is ${maxSteps.limit} (${maxSteps.setting})`,
      );
    return undefined;
  }
}
