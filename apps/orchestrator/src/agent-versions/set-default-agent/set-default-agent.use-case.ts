import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { auditAgentChange, requireAuthor } from '../agent-access.js';
import { AgentLookup } from '../agent-lookup.js';
import { AgentRoutingRepository } from '../agent-routing.repository.js';
import { DefaultAgentCopies } from '../default-agent.copies.js';

/**
 * Makes an agent its tenant's default, or not (the tenant then has none): from then on a task of the tenant that names no
 * agent runs the default's `production` label, its stamp marked `byDefault` (docs/agents.md). Tasks
 * already started keep what they resolved. Audited (`agent.default.set`) when it changes.
 */
@Injectable()
export class SetDefaultAgentUseCase {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly routing: AgentRoutingRepository,
    private readonly audit: AuditTrail,
    private readonly defaults: DefaultAgentCopies,
  ) {}

  async execute(
    req: Agents.AgentDefaultSetRequest,
    actor: Actor,
  ): Promise<Agents.AgentDefaultView> {
    requireAuthor(actor);
    const tenantId = tenantOf(actor);
    const agent = await this.lookup.find(req.agent, actor);
    const { previous } = await this.routing.setDefault(
      tenantId,
      agent.id,
      req.isDefault,
      actor.userId,
    );
    const now = req.isDefault ? req.agent : previous === req.agent ? undefined : previous;
    if (previous !== now) {
      this.defaults.ruleChanged(tenantId);
      auditAgentChange(this.audit, actor, {
        action: 'agent.default.set',
        resource: `tenant:${tenantId}`,
        details: { ...(now ? { agent: now } : {}), ...(previous ? { previous } : {}) },
      });
    }
    return { ...(now ? { agent: now } : {}), ...(previous ? { previous } : {}) };
  }
}
