import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { auditAgentChange, requireAuthor } from '../agent-access.js';
import { sha256 } from '../agent-config.js';
import { AgentLookup } from '../agent-lookup.js';
import { AgentRepository } from '../agent.repository.js';

/**
 * Stores a new version of an agent: the whole configuration, immutable, numbered one after the
 * latest. No label moves (a release is a label move). Audited (`agent.version.create`).
 */
@Injectable()
export class CreateAgentVersionUseCase {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    req: Agents.AgentVersionCreateRequest,
    actor: Actor,
  ): Promise<Agents.AgentVersionView> {
    requireAuthor(actor);
    const agent = await this.lookup.find(req.agent, actor);
    const view = await this.repository.addVersion(agent.id, tenantOf(actor), {
      id: randomUUID(),
      config: req.config,
      instructionsSha256: sha256(req.config.instructions),
      note: req.note,
      createdBy: actor.userId,
    });
    auditAgentChange(this.audit, actor, {
      action: 'agent.version.create',
      resource: `agent:${req.agent}`,
      tenantId: view.tenantId,
      details: { version: view.version, versionId: view.versionId, model: req.config.model.name },
    });
    return view;
  }
}
