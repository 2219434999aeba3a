import type { AgentDirectory, AgentList } from '../tasks/ports/agent-directory.port.js';

// The directory is a port of the task core (tasks/ports/agent-directory.port.ts); named here too for
// the features that already read it from here (the approval gate).
export {
  AGENT_DIRECTORY,
  type AgentDirectory,
  type AgentList,
  type DirectoryAgent,
} from '../tasks/ports/agent-directory.port.js';

/** Until remote agents are configured, there are none to delegate to. */
export class NoAgents implements AgentDirectory {
  async list(): Promise<AgentList> {
    return { agents: [] };
  }
}
