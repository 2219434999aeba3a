import { Agents } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { CreateAgentUseCase } from './create-agent/create-agent.use-case.js';
import { CreateAgentVersionUseCase } from './create-agent-version/create-agent-version.use-case.js';
import { MoveAgentLabelUseCase } from './move-agent-label/move-agent-label.use-case.js';
import { SetAgentCanaryUseCase } from './set-agent-canary/set-agent-canary.use-case.js';
import { SetDefaultAgentUseCase } from './set-default-agent/set-default-agent.use-case.js';

/**
 * The agents' writes (docs/agents.md): each is its use case's whole work, for the acting user; they
 * are its tenant's admins' (the use cases check).
 */
export class AgentVersionsRelay extends CommandRelay(
  relay(Agents.AgentCreate, CreateAgentUseCase),
  relay(Agents.AgentVersionCreate, CreateAgentVersionUseCase),
  relay(Agents.AgentLabelMove, MoveAgentLabelUseCase),
  relay(Agents.AgentDefaultSet, SetDefaultAgentUseCase),
  relay(Agents.AgentCanarySet, SetAgentCanaryUseCase),
) {}
