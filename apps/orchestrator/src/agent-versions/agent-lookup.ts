import { Injectable } from '@nestjs/common';
import { type Actor, tenantOf } from '@switchboard/contracts';
import { agentNotFound } from './agent-access.js';
import { AgentRepository, type FoundAgent } from './agent.repository.js';

/**
 * Finds an agent by name in the acting user's tenant. Names are per tenant: another tenant's agent
 * of the same name is simply another agent, so nothing of it can be reached from here.
 */
@Injectable()
export class AgentLookup {
  constructor(private readonly repository: AgentRepository) {}

  async find(name: string, actor: Actor): Promise<FoundAgent> {
    const found = await this.repository.find(tenantOf(actor), name);
    if (!found) throw agentNotFound(name);
    return found;
  }
}
