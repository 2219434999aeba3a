import type { Agents, Tasks } from '@switchboard/contracts';
import type { AgentPlanning } from '../../planning/planner.js';

/** The agent version a task runs: its stamp, and the tools the version lets it use. */
export interface ResolvedAgent {
  stamp: Agents.AgentStamp;
  /**
   * The names of the tools it may be offered and call: its manifest's (under its own constraints)
   * that the version allows. The run takes them as its tool constraints, so mcp-tools offers and
   * runs no other (an explicit call of another is refused there, as any tool a task may not use).
   */
  tools: readonly string[];
  /** The most steps the version lets a task take (its planner limit); absent: the task's own. */
  maxSteps?: number | undefined;
  /** How it plans: the version's instructions and model (an LLM planner takes them; docs/agents.md). */
  planning: AgentPlanning;
}

/**
 * A port of the task core: which agent version a task runs (docs/agents.md; the agent-versions
 * feature plugs in). Asked once as the task starts, before its claim: the version a task names by
 * label is the label's at that moment, stored with the task, and a later run of it (a redelivery, a
 * resume, a replay) takes the stored one. Undefined: the task names no agent and runs as ever. A
 * name, version or label it cannot find throws the DomainError that ends the task at once; a store
 * that cannot be read throws anything else (the submission is delivered again).
 */
export interface AgentVersions {
  resolve(submission: Tasks.TaskSubmission): Promise<ResolvedAgent | undefined>;
}

export const AGENT_VERSIONS = Symbol('AGENT_VERSIONS');
