import { type Agents, DomainError, type Tasks, type Tools } from '@switchboard/contracts';

/** A step as the planner sees it after dispatch. */
export interface ObservedStep {
  action: Tasks.PlanAction;
  status: 'completed' | 'failed';
  output?: unknown;
  error?: { code: string; message: string; retryable?: boolean };
}

/** A remote agent the planner may delegate to (from the a2a service's registry). */
export interface KnownAgent {
  name: string;
  description: string;
}

/** An earlier turn of the task's thread (the user's text, or the answer it got). */
export interface ThreadTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** A decision taken in an earlier round of this task, as stored (see PlanningRoundRepository). */
export interface PastRound {
  iteration: number;
  decision: PlanDecision;
}

export interface PlanningState {
  /** For traces only. */
  taskId?: string;
  task: string;
  tools: Tools.ManifestTool[];
  agents: KnownAgent[];
  /**
   * Why `agents` is empty although agents may exist: the a2a service could not be asked, or
   * AGENTS_NOT_LISTED (a planner that needs them says so with AgentsUnavailable: they are read then).
   */
  agentsUnavailable?: string;
  steps: ObservedStep[];
  iteration: number;
  signal: AbortSignal;
  /** The rounds before this one, oldest first (an LLM planner rebuilds its conversation from them). */
  rounds: readonly PastRound[];
  /**
   * What the task core's planning context providers recalled from long-term memory for this task
   * (docs/memory.md), best match first; absent when nothing was recalled.
   */
  recalled?: readonly Tools.RecalledMemory[];
  /** Earlier turns of the thread, oldest first, already cut to the history budget. */
  history: readonly ThreadTurn[];
  /** Most completion tokens this round may use (what is left of the task's token budget). */
  maxOutputTokens?: number;
  /**
   * The task is this one tool call (a call through the MCP endpoint that needs approval): planned by
   * the DirectCallPlanner, never by a model. Absent on a resume: the stored first round says it then.
   */
  call?: DirectCall;
}

/** One tool call, with exactly the input it runs with (Tasks.TaskSubmission's `call`). */
export type DirectCall = NonNullable<Tasks.TaskSubmission['call']>;

/** What every decision may carry besides its content (all of it is persisted with the round). */
export interface RoundInfo {
  usage?: Tasks.TokenUsage;
  model?: string;
  durationMs?: number;
  /** Planner-specific record of the round, persisted and handed back in `rounds` (JSON only). */
  memo?: unknown;
  /** What the planner asked (the LLM: the request it sent), recorded with the round for replay. */
  request?: unknown;
  /**
   * Everything the planner generated this round that may reach the user or a tool (model text, tool
   * arguments), for the output guardrail. Absent: the guardrail checks the answer and action inputs.
   */
  generatedText?: string;
}

export interface RejectedCall {
  tool: string;
  reason: string;
  /**
   * The tool it named was not among those offered for this task (role, admin-only, authorization or
   * the task's constraints keep it out, or it does not exist): a refused privileged call, audited.
   */
  notOffered?: string;
}

export type PlanDecision =
  | ({
      kind: 'actions';
      actions: Tasks.PlanAction[];
      /**
       * Group key of each action (same order). A failed action skips the rest of its group only;
       * without groups a failure skips every later action of the round.
       */
      groups?: string[];
      /** Calls refused before dispatch (shown in events; the planner feeds the reasons back itself). */
      rejected?: RejectedCall[];
    } & RoundInfo)
  | ({ kind: 'final'; answer: string; output?: unknown } & RoundInfo)
  | ({ kind: 'fail'; error: DomainError } & RoundInfo);

/** Decides the next actions from the task and what happened so far. */
export interface Planner {
  readonly kind: Tasks.PlannerKind;
  /** The model, for an LLM planner (shown in events). */
  readonly model?: string;
  next(state: PlanningState): Promise<PlanDecision>;
  /** Rough prompt size of the next round, so a token budget can stop a call it cannot afford. */
  estimatePromptTokens?(state: Omit<PlanningState, 'signal'>): number;
  /**
   * Whether the next round calls a model (spends tokens), so the tenant's daily budget is checked
   * before it. Absent: never (the built-in planner).
   */
  asksModel?(state: Omit<PlanningState, 'signal'>): boolean;
  /**
   * This planner as an agent version plans (docs/agents.md): with its instructions and its model
   * and parameters. Absent: the version changes nothing of how it plans (the built-in planner,
   * which plans only by the tools the version lets the task use — its constraints).
   */
  forAgent?(agent: AgentPlanning): Planner;
}

/** What an agent version tells a planner: its instructions, its model and that model's parameters. */
export interface AgentPlanning {
  instructions: string;
  model: Agents.AgentModel;
}

export const PLANNER = Symbol.for('switchboard.planner');

/**
 * The task names an agent while the list of agents could not be read (the a2a service is away): a
 * temporary condition, not an unknown agent. The loop waits for the service and plans again once.
 */
/**
 * `agentsUnavailable` when the agent list was not read before planning: the built-in planner needs it
 * only for a task that names an agent (or that it cannot read at all, to list them in its help), so
 * most tasks never ask the a2a service for it.
 */
export const AGENTS_NOT_LISTED = 'the agent list is read only when a task needs it';

export class AgentsUnavailable extends DomainError {
  constructor(agent: string, reason: string) {
    super('UPSTREAM_UNAVAILABLE', `agent "${agent}" cannot be reached now: ${reason}`, {
      details: { agent },
      retryable: true,
    });
    this.name = 'AgentsUnavailable';
  }
}
