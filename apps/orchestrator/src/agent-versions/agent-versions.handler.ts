import { Controller } from '@nestjs/common';
import { Agents, tenantOf } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { AgentLookup } from './agent-lookup.js';
import { AgentRepository } from './agent.repository.js';
import { AgentVersionReader } from './agent-version.reader.js';
import { CreateAgentUseCase } from './create-agent/create-agent.use-case.js';
import { CreateAgentVersionUseCase } from './create-agent-version/create-agent-version.use-case.js';
import { MoveAgentLabelUseCase } from './move-agent-label/move-agent-label.use-case.js';
import { SetAgentCanaryUseCase } from './set-agent-canary/set-agent-canary.use-case.js';
import { SetDefaultAgentUseCase } from './set-default-agent/set-default-agent.use-case.js';

/**
 * The agents' NATS commands (docs/agents.md). Everything reads and writes in the acting user's
 * tenant only; writes are its admins' (the use cases check).
 */
@Controller()
export class AgentVersionsHandler {
  constructor(
    private readonly creating: CreateAgentUseCase,
    private readonly versioning: CreateAgentVersionUseCase,
    private readonly labelling: MoveAgentLabelUseCase,
    private readonly reader: AgentVersionReader,
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
    private readonly defaults: SetDefaultAgentUseCase,
    private readonly canaries: SetAgentCanaryUseCase,
  ) {}

  @HandleCommand(Agents.AgentCreate)
  create(req: Agents.AgentCreateRequest, meta: MessageMeta): Promise<Agents.AgentView> {
    return this.creating.execute(req, requireActor(meta.actor));
  }

  @HandleCommand(Agents.AgentList)
  async list(_req: unknown, meta: MessageMeta): Promise<{ agents: Agents.AgentView[] }> {
    return { agents: await this.repository.list(tenantOf(requireActor(meta.actor))) };
  }

  @HandleCommand(Agents.AgentGet)
  async get(req: { agent: string }, meta: MessageMeta): Promise<Agents.AgentView> {
    return (await this.lookup.find(req.agent, requireActor(meta.actor))).view;
  }

  @HandleCommand(Agents.AgentVersionCreate)
  version(
    req: Agents.AgentVersionCreateRequest,
    meta: MessageMeta,
  ): Promise<Agents.AgentVersionView> {
    return this.versioning.execute(req, requireActor(meta.actor));
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

  @HandleCommand(Agents.AgentLabelMove)
  move(req: Agents.AgentLabelMoveRequest, meta: MessageMeta): Promise<Agents.AgentLabelMoved> {
    return this.labelling.execute(req, requireActor(meta.actor));
  }

  @HandleCommand(Agents.AgentDefaultSet)
  setDefault(
    req: Agents.AgentDefaultSetRequest,
    meta: MessageMeta,
  ): Promise<Agents.AgentDefaultView> {
    return this.defaults.execute(req, requireActor(meta.actor));
  }

  @HandleCommand(Agents.AgentCanarySet)
  setCanary(req: Agents.AgentCanarySetRequest, meta: MessageMeta): Promise<Agents.AgentLabelView> {
    return this.canaries.execute(req, requireActor(meta.actor));
  }
}
