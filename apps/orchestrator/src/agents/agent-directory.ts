import type { Actor } from '@switchboard/contracts';
import type { KnownAgent } from '../planning/planner.js';

/** The remote agents a user may delegate to, and how to reach them. Provided by the a2a integration. */
export interface AgentDirectory {
  list(actor: Actor): Promise<KnownAgent[]>;
}

export const AGENT_DIRECTORY = Symbol.for('switchboard.agent-directory');

/** Until remote agents are configured, there are none to delegate to. */
export class NoAgents implements AgentDirectory {
  async list(): Promise<KnownAgent[]> {
    return [];
  }
}
