import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, DomainError, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { randomUUID } from 'node:crypto';
import { auditAgentChange, requireAuthor } from '../agent-access.js';
import { sha256 } from '../agent-config.js';
import { AgentRepository } from '../agent.repository.js';

/**
 * Creates an agent in the acting admin's tenant (docs/agents.md): its version 1, and `production`
 * pointing at it, so a task naming the agent runs at once. A name taken in the tenant is CONFLICT.
 * Audited (`agent.create`).
 */
@Injectable()
export class CreateAgentUseCase {
  constructor(
    private readonly repository: AgentRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(req: Agents.AgentCreateRequest, actor: Actor): Promise<Agents.AgentView> {
    requireAuthor(actor);
    const tenantId = tenantOf(actor);
    const first = {
      id: randomUUID(),
      config: req.config,
      instructionsSha256: sha256(req.config.instructions),
      note: req.note,
      createdBy: actor.userId,
    };
    const created = await this.repository.create(
      { id: randomUUID(), tenantId, name: req.name, description: req.description },
      first,
    );
    if (!created)
      throw new DomainError('CONFLICT', `name: an agent named ${req.name} exists in this tenant`, {
        details: { issues: [{ path: 'name', message: 'is taken in this tenant' }] },
      });
    auditAgentChange(this.audit, actor, {
      action: 'agent.create',
      resource: `agent:${req.name}`,
      details: {
        version: 1,
        versionId: first.id,
        label: 'production',
        model: req.config.model.name,
      },
    });
    return created.view;
  }
}
