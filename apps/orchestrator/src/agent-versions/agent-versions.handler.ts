import { Controller } from '@nestjs/common';
import { Agents, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { AgentLookup } from './agent-lookup.js';
import { AgentRepository } from './agent.repository.js';
import { AgentVersionReader } from './agent-version.reader.js';

/**
 * The agents' NATS reads (docs/agents.md; the writes: AgentVersionsRelay), in the acting user's
 * tenant only.
 */
@Controller()
export class AgentVersionsHandler {
  constructor(
    private readonly reader: AgentVersionReader,
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
  ) {}

  @HandleCommand(Agents.AgentList)
  async list(_req: unknown, meta: MessageMeta): Promise<{ agents: Agents.AgentView[] }> {
    return { agents: await this.repository.list(tenantOf(requireActor(meta.actor))) };
  }

  @HandleCommand(Agents.AgentGet)
  async get(req: { agent: string }, meta: MessageMeta): Promise<Agents.AgentView> {
    return (await this.lookup.find(req.agent, requireActor(meta.actor))).view;
  }

  @HandleCommand(Agents.AgentVersionList)
  async versions(
    req: { agent: string },
    meta: MessageMeta,
  ): Promise<{ versions: Agents.AgentVersionView[] }> {
    return { versions: await this.reader.list(req.agent, requireActor(meta.actor)) };
  }

  @HandleCommand(Agents.AgentVersionGet)
  one(
    req: { agent: string; version: number },
    meta: MessageMeta,
  ): Promise<Agents.AgentVersionView> {
    return this.reader.get(req.agent, req.version, requireActor(meta.actor));
  }

  @HandleCommand(Agents.AgentVersionCompare)
  diff(
    req: { agent: string; from: number; to: number },
    meta: MessageMeta,
  ): Promise<Agents.AgentVersionDiff> {
    return this.reader.diff(req.agent, req.from, req.to, requireActor(meta.actor));
  }
}
