import type { Actor, Approvals, DomainError } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { KnownAgent } from '../../planning/planner.js';

/** An agent as the directory lists it: what planners see, and its approval policy, if any. */
export interface DirectoryAgent extends KnownAgent {
  /** A person decides each delegation to it first (the orchestrator's ApprovalGate asks). */
  approval?: Approvals.ApprovalPolicy;
}

/** The agents a user may delegate to; `unavailable` says why the list is empty when it could not be read. */
export interface AgentList {
  agents: DirectoryAgent[];
  unavailable?: DomainError;
}

/**
 * A port of the task core: the remote agents a user may delegate to, offered to the planner. Unlike
 * the planning context (read once), the list is read again during a task — when the planner turns
 * out to need an agent it could not list — so it is a port of its own. The a2a integration plugs in
 * (agents/a2a-agent-directory.ts, bound in app.module); the core imports no feature for it.
 *
 * A plug-in never throws for a service that is away: it answers an empty list with `unavailable`
 * saying why (the planner then fails the task as temporarily unavailable, not as an unknown agent).
 */
export interface AgentDirectory {
  /**
   * The user's agents. Without `wait` a service that is away is not waited for (tasks that need no
   * agent go on); with it, the listing is retried within that budget.
   */
  list(actor: Actor, wait?: RetryBudget): Promise<AgentList>;
}

export const AGENT_DIRECTORY = Symbol.for('switchboard.agent-directory');
