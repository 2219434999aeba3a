import type { Actor, Approvals, DomainError } from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import type { KnownAgent } from '../planning/planner.js';

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

/** The remote agents a user may delegate to, and how to reach them. Provided by the a2a integration. */
export interface AgentDirectory {
  /**
   * The user's agents. Without `wait` a service that is away is not waited for (tasks that need no
   * agent go on); with it, the listing is retried within that budget.
   */
  list(actor: Actor, wait?: RetryBudget): Promise<AgentList>;
}

export const AGENT_DIRECTORY = Symbol.for('switchboard.agent-directory');

/** Until remote agents are configured, there are none to delegate to. */
export class NoAgents implements AgentDirectory {
  async list(): Promise<AgentList> {
    return { agents: [] };
  }
}
