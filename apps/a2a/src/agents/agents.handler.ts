import { Controller } from '@nestjs/common';
import { A2a, DomainError } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { AgentRegistry } from './agent-registry.service.js';

@Controller()
export class AgentsHandler {
  constructor(private readonly registry: AgentRegistry) {}

  /** The agents the acting user may delegate to; the per-role policy is applied here, server-side. */
  @HandleCommand(A2a.AgentsList)
  async list(
    _input: Record<string, never>,
    meta: MessageMeta,
  ): Promise<{ agents: A2a.AgentSummary[] }> {
    if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'listing agents needs an acting user');
    return { agents: await this.registry.list(meta.actor) };
  }
}
