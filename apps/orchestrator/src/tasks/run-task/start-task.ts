import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Agents, type DomainError, isDomainError, Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { UsageMeter } from './usage-meter.js';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { PLANNER, type Planner } from '../../planning/planner.js';
import { CancellationRegistry } from '../cancellation.registry.js';
import {
  BLOCKED_PLACEHOLDER,
  CONTENT_SCREEN,
  type ContentScreen,
} from '../ports/content-screen.port.js';
import { TASK_STATE } from '../state/task-state.machine.js';
import { RUN_SOURCES, type RunSource, type RunSources } from '../ports/run-source.port.js';
import {
  AGENT_VERSIONS,
  type AgentVersions,
  type ResolvedAgent,
} from '../ports/agent-version.port.js';
import { TaskEventLog } from '../task-event.log.js';
import type { TaskEventSequence } from '../task-event.stream.js';
import { type StoredStep, TaskRepository } from '../task.repository.js';
import { LIVE_RUN } from './live-run.source.js';
import { submissionRecord } from './submission-record.js';
import type { TaskRun } from './task-run.js';
import type { Outcome } from '../ports/task-run.view.js';

type Settings = Pick<
  OrchestratorEnv,
  | 'TASK_TIMEOUT_MS'
  | 'TASK_TOKEN_BUDGET'
  | 'LLM_PRICES'
  | 'TASK_OUTAGE_WAIT_MS'
  | 'TASK_OUTAGE_RETRY_INITIAL_MS'
  | 'TASK_OUTAGE_RETRY_MAX_DELAY_MS'
>;

/** A task claimed and ready for its loop, with what the claim found. */
export interface StartedTask {
  run: TaskRun;
  /** Steps a replica that died had stored (reused, never run again). */
  storedSteps: StoredStep[];
  /** Decided before the loop: a cancellation that came while it was queued, or blocked input. */
  early?: Outcome;
}

/**
 * The start of a delivered task's run: the input guardrail (before anything is stored: blocked text never
 * reaches a row, an event or a turn), the claim (the row is created, or found on a redelivery), the
 * event sequence continuing after what is stored, and `orchestrator.task.started` and the
 * submission's audit record for a new task, journaled by the claim's statement. A
 * task delivered again after it ended gets its terminal event back if it was lost, and no run.
 */
@Injectable()
export class StartTask {
  constructor(
    private readonly repository: TaskRepository,
    private readonly eventLog: TaskEventLog,
    @Inject(RUN_SOURCES) private readonly sources: RunSources,
    @Inject(CONTENT_SCREEN) private readonly screen: ContentScreen,
    private readonly cancellations: CancellationRegistry,
    @Inject(APP_CONFIG) private readonly config: Settings,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
    @Inject(PLANNER) private readonly planner: Planner,
    @Optional() @Inject(AGENT_VERSIONS) private readonly agentVersions?: AgentVersions,
  ) {}

  async start(received: Tasks.TaskSubmission): Promise<StartedTask | undefined> {
    // A replay or fork whose record cannot be run ends at once, saying why (as a blocked input does);
    // a store that cannot be read now throws, and the submission is delivered again.
    const planning = await this.sources.resolve(received).catch((e: unknown) => {
      if (isDomainError(e)) return { refused: e };
      throw e;
    });
    const source = 'refused' in planning ? LIVE_RUN : planning.source;
    // A replay or fork runs its record's request (with a fork's changes), as its agent version.
    const { submission, stamp, refused, agent } =
      'refused' in planning
        ? { submission: received, refused: planning.refused, stamp: undefined, agent: undefined }
        : await this.asAgent(planning.submission);
    const agentPlanner = this.asVersion(source, agent);
    const planner = agentPlanner ?? source.planner ?? this.planner;
    const { taskId, request } = submission;
    const inputHit = this.screen.checkInput(submission, source);
    const text = inputHit ? BLOCKED_PLACEHOLDER : request.task;
    // A new task's `orchestrator.task.started` rides with its claim: journaled (and published) only
    // if the claim makes the task new; a resumed task's events continue after its journal's.
    const events = await this.eventLog.open(taskId, false, request.webhook);
    const model = planner.kind === 'llm' ? planner.model : undefined;
    events.runsAs(stamp);
    announce(events, submission, text, planner.kind, model, stamp);
    // So does its audit record (`task.submit`): a redelivery's claim (the first one journaled it)
    // makes nothing new, and `restart` below drops it; a task cancelled while queued ends with it.
    const record = submissionRecord(received, this.logger);
    if (record) events.owe(record);
    const claim = await events.commit((journal) =>
      this.repository.claim(submission, planner.kind, text, journal),
    );
    if (claim.resumed && TASK_STATE.isFinal(claim.status)) {
      events.restart(0);
      await this.eventLog.ensureTerminalEvent(taskId, planner.kind);
      return undefined;
    }
    if (claim.resumed) await this.eventLog.continueAfterJournal(events);
    const deadline = claim.startedAt.getTime() + this.config.TASK_TIMEOUT_MS;
    const signal = this.cancellations.register(taskId, deadline);
    const run: TaskRun = {
      submission,
      text,
      events,
      signal,
      deadline,
      startedAt: claim.startedAt,
      planner: planner.kind,
      ...(model ? { model } : {}),
      source,
      ...(agentPlanner ? { agentPlanner } : {}),
      retry: {
        deadline,
        maxOutageMs: this.config.TASK_OUTAGE_WAIT_MS,
        signal,
        backoff: {
          initialDelayMs: this.config.TASK_OUTAGE_RETRY_INITIAL_MS,
          maxDelayMs: this.config.TASK_OUTAGE_RETRY_MAX_DELAY_MS,
        },
      },
      meter: new UsageMeter(this.config.TASK_TOKEN_BUDGET, this.config.LLM_PRICES),
      plan: [],
      resumed: claim.resumed,
      stepsStored: new Set(claim.steps.map((st) => st.index)),
    };
    const early: Outcome | undefined =
      claim.cancelReason !== undefined
        ? { status: 'cancelled', reason: claim.cancelReason }
        : refused
          ? { status: 'failed', error: refused.toBody() }
          : inputHit
            ? {
                status: 'failed',
                error: this.screen.block(run, inputHit, request.task.length).toBody(),
              }
            : undefined;
    return { run, storedSteps: claim.steps, ...(early ? { early } : {}) };
  }

  /** The run's planner as its agent version plans, if it names one (versionPlanner). */
  private asVersion(source: RunSource, agent: ResolvedAgent | undefined): Planner | undefined {
    return agent && versionPlanner(source.planner ?? this.planner, agent, source.edits);
  }

  /**
   * The submission as the agent version it names runs it (docs/agents.md): resolved once (a later
   * run of it takes the stored stamp), the version's tools as its tool constraints. A name, version
   * or label its tenant does not have is why it ends at once.
   */
  private async asAgent(submission: Tasks.TaskSubmission): Promise<{
    submission: Tasks.TaskSubmission;
    stamp?: Agents.AgentStamp | undefined;
    refused?: DomainError | undefined;
    agent?: ResolvedAgent | undefined;
  }> {
    if (!this.agentVersions) return { submission };
    try {
      const agent = await this.agentVersions.resolve(submission);
      if (!agent) return { submission };
      return { submission: withAgentTools(submission, agent), stamp: agent.stamp, agent };
    } catch (e) {
      if (isDomainError(e)) return { submission, refused: e };
      throw e;
    }
  }
}

/**
 * The submission as its agent version runs it: only the tools the version allows, and at most as
 * many steps as the version's limit (the task's own max_steps when lower).
 */
function withAgentTools(s: Tasks.TaskSubmission, agent: ResolvedAgent): Tasks.TaskSubmission {
  const tool_constraints: Tasks.ToolConstraints = { mode: 'custom', tools: [...agent.tools] };
  const own = s.request.max_steps;
  const limit = agent.maxSteps;
  const max_steps = limit === undefined ? own : Math.min(own ?? limit, limit);
  return {
    ...s,
    request: { ...s.request, tool_constraints, ...(max_steps !== undefined ? { max_steps } : {}) },
  };
}

/**
 * The planner as the agent version plans (its instructions, model and parameters), when it plans
 * differently by them (an LLM planner; the built-in one plans by the tools alone). A fork that edits
 * the model keeps its edit (its edited system prompt, too: the planner's own wins over instructions).
 */
function versionPlanner(
  base: Planner,
  agent: ResolvedAgent,
  edits: Tasks.ForkEdits | undefined,
): Planner | undefined {
  const { instructions, model } = agent.planning;
  return base.forAgent?.({
    instructions,
    model: edits?.model ? { ...model, name: edits.model } : model,
  });
}

/** A new task's first event (its planner, its model, a replay's or fork's origin). */
function announce(
  events: TaskEventSequence,
  submission: Tasks.TaskSubmission,
  text: string,
  planner: Tasks.PlannerKind,
  model: string | undefined,
  agent: Agents.AgentStamp | undefined,
): void {
  const { actor, request } = submission;
  const llm = planner === 'llm';
  const origin = submission.run;
  events.emit(
    'orchestrator.task.started',
    {
      task: text,
      userId: actor.userId,
      planner,
      ...(request.thread_id ? { threadId: request.thread_id } : {}),
      ...(llm && model ? { model } : {}),
      ...(agent ? { agent } : {}),
      ...(origin
        ? {
            run: {
              kind: origin.kind,
              of: origin.of,
              ...(origin.from ? { from: origin.from } : {}),
            },
          }
        : {}),
    },
    `${origin ? `${origin.kind} of ${origin.of} ` : 'task '}started (${llm ? `LLM planner, model ${model ?? 'unknown'}` : 'built-in planner, no LLM'})`,
  );
}
