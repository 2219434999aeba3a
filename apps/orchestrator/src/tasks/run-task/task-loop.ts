import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { DomainError, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { withSpan } from '@switchboard/observability';
import {
  AGENT_DIRECTORY,
  type AgentDirectory,
  type AgentList,
} from '../../agents/agent-directory.js';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { abortable } from '../../dispatch/dispatch.context.js';
import { AGENTS_NOT_LISTED, type PastRound } from '../../planning/planner.js';
import { ThreadHistoryService } from '../../threads/thread-history.service.js';
import {
  DispatchStepsUseCase,
  type StepLedger,
} from '../dispatch-steps/dispatch-steps.use-case.js';
import { PlanningRoundRepository } from '../plan-round/planning-round.repository.js';
import { PlanRoundUseCase } from '../plan-round/plan-round.use-case.js';
import type { StoredStep } from '../task.repository.js';
import { failed, type Outcome, type TaskRun } from './task-run.js';

const NOT_LISTED: AgentList = {
  agents: [],
  unavailable: new DomainError('UPSTREAM_UNAVAILABLE', AGENTS_NOT_LISTED),
};

type Limits = Pick<OrchestratorEnv, 'MAX_ITERATIONS_PER_TURN' | 'DEFAULT_MAX_STEPS'>;

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
    private readonly threads: ThreadHistoryService,
    private readonly rounds: PlanningRoundRepository,
    private readonly planning: PlanRoundUseCase,
    private readonly actions: DispatchStepsUseCase,
    @Inject(APP_CONFIG) private readonly limits: Limits,
  ) {}

  // eslint-disable-next-line max-lines-per-function -- a state machine written as one closure; to become explicit states with transition tests (docs/architecture.md, Long functions)
  async run(run: TaskRun, storedSteps: StoredStep[]): Promise<Outcome> {
    const { taskId, actor, request } = run.submission;
    // What planning needs besides the manifest is fetched alongside it, not after it.
    // The LLM is offered the agents as delegation tools; the built-in planner asks for them only
    // when the task names one (AGENTS_NOT_LISTED): most tasks never ask the a2a service.
    const llm = this.planning.kind === 'llm';
    const context = Promise.all([
      llm ? this.agents.list(actor) : Promise.resolve(NOT_LISTED),
      llm ? this.threads.load(actor.userId, request.thread_id, taskId) : Promise.resolve([]),
      // Only a resumed task has stored rounds to replay.
      run.resumed ? this.rounds.list(taskId) : Promise.resolve([]),
    ]);
    context.catch(() => undefined); // awaited below; not unhandled if the manifest fails first
    const manifest = await abortable(
      this.bus.request(
        Tools.ToolsManifest,
        { ...(request.tool_constraints ? { constraints: request.tool_constraints } : {}), taskId },
        { actor, ...run.retry },
      ),
      run.signal,
    );
    run.phase.fire('toolbox-ready');
    run.events.emit('mcp.toolbox.generated', {
      tools: manifest.tools.map((t) => ({ name: t.name, provider: t.provider })),
      count: manifest.tools.length,
      mode: manifest.mode,
      cached: manifest.cached,
    });
    const [listed, history, stored] = await context;
    let { agents } = listed;
    let agentsUnavailable = listed.unavailable?.message;
    // Only a task that turns out to need an agent waits for an a2a service that is away.
    const awaitAgents = async (): Promise<AgentList> => {
      const again = await this.agents.list(actor, run.retry);
      agents = again.agents;
      agentsUnavailable = again.unavailable?.message;
      return again;
    };
    // The request may ask for fewer steps than DEFAULT_MAX_STEPS, never for more.
    const requested = request.max_steps;
    const byRequest = requested !== undefined && requested < this.limits.DEFAULT_MAX_STEPS;
    const maxSteps = byRequest ? requested : this.limits.DEFAULT_MAX_STEPS;
    const ledger: StepLedger = {
      steps: [],
      outputs: new Map(),
      stored: new Map(storedSteps.map((s) => [s.index, s])),
    };
    const past: PastRound[] = [];
    for (let iteration = 1; ; iteration++) {
      if (iteration > this.limits.MAX_ITERATIONS_PER_TURN) {
        return this.ended(
          run,
          failed(
            'BUDGET_EXCEEDED',
            `the task needed more than ${this.limits.MAX_ITERATIONS_PER_TURN} planning rounds (MAX_ITERATIONS_PER_TURN) after ${ledger.steps.length} step(s)`,
          ),
        );
      }
      const replay = stored.find((r) => r.iteration === iteration)?.decision;
      const round = await withSpan(
        'planning round',
        {
          'switchboard.iteration': iteration,
          'switchboard.planner': this.planning.kind,
          'switchboard.replayed': replay !== undefined,
        },
        async (span) => {
          const result = await this.planning.decide(
            run,
            {
              taskId,
              task: request.task,
              tools: manifest.tools,
              agents,
              ...(agentsUnavailable !== undefined ? { agentsUnavailable } : {}),
              steps: [...ledger.steps],
              iteration,
              rounds: [...past],
              history,
            },
            replay,
            agentsUnavailable !== undefined ? awaitAgents : undefined,
          );
          span.setAttribute(
            'switchboard.decision',
            'outcome' in result ? result.outcome.status : result.decision.kind,
          );
          return result;
        },
      );
      if ('outcome' in round) return this.ended(run, round.outcome);
      const { decision } = round;
      past.push({ iteration, decision });
      switch (decision.kind) {
        case 'final':
          run.phase.fire('answered');
          return {
            status: 'completed',
            result: decision.answer,
            ...(decision.output !== undefined ? { output: decision.output } : {}),
          };
        case 'fail':
          return this.ended(run, { status: 'failed', error: decision.error.toBody() });
        case 'actions':
          break;
      }
      if (run.meter.exceeded) {
        return this.ended(
          run,
          failed(
            'BUDGET_EXCEEDED',
            `the task used ${run.meter.used} tokens; its budget is ${run.meter.budget} (TASK_TOKEN_BUDGET)`,
          ),
        );
      }
      if (ledger.steps.length + decision.actions.length > maxSteps) {
        return this.ended(
          run,
          failed(
            'BUDGET_EXCEEDED',
            `the plan needs ${ledger.steps.length + decision.actions.length} steps; the limit is ${maxSteps} (${byRequest ? 'max_steps' : 'DEFAULT_MAX_STEPS'})`,
          ),
        );
      }
      run.phase.fire('actions-decided');
      await this.actions.run(run, decision, ledger);
      run.phase.fire('steps-done');
    }
  }

  /** A failure (or a cancellation) the loop decided: the run moves on to `finishing` with it. */
  private ended(run: TaskRun, outcome: Outcome): Outcome {
    run.phase.fire(outcome.status === 'cancelled' ? 'cancelled' : 'failed');
    return outcome;
  }
}
