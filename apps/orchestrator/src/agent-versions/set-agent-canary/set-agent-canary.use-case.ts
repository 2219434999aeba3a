import { Injectable } from '@nestjs/common';
import { type Actor, type Agents, DomainError } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { auditAgentChange, requireAuthor, versionNotFound } from '../agent-access.js';
import { AgentLookup } from '../agent-lookup.js';
import { AgentRoutingRepository } from '../agent-routing.repository.js';
import { AgentRepository } from '../agent.repository.js';

/**
 * Splits a label's traffic between its version and a canary (docs/agents.md): the canary's version
 * takes `weight` percent of the tasks that resolve the label, by their thread's bucket (sticky per
 * thread); null removes the split. The label keeps pointing where it points: promoting the canary
 * is a label move. Audited (`agent.label.canary`).
 */
@Injectable()
export class SetAgentCanaryUseCase {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
    private readonly routing: AgentRoutingRepository,
    private readonly audit: AuditTrail,
  ) {}

  async execute(req: Agents.AgentCanarySetRequest, actor: Actor): Promise<Agents.AgentLabelView> {
    requireAuthor(actor);
    const agent = await this.lookup.find(req.agent, actor);
    const labelled = await this.repository.labelled(agent.id, req.label);
    if (!labelled)
      throw issue('NOT_FOUND', 'label', `agent ${req.agent} has no label ${req.label}`);
    const canary = req.canary;
    const target = canary ? await this.repository.version(agent.id, canary.version) : undefined;
    if (canary && !target) throw versionNotFound(req.agent, canary.version, 'canary.version');
    if (target && target.versionId === labelled.versionId)
      throw issue(
        'VALIDATION',
        'canary.version',
        `label ${req.label} points at version ${target.version} already: a canary is another version`,
      );
    const split =
      target && canary ? { versionId: target.versionId, weight: canary.weight } : undefined;
    await this.routing.setCanary(agent.id, req.label, split);
    auditAgentChange(this.audit, actor, {
      action: 'agent.label.canary',
      resource: `agent:${req.agent}`,
      details: {
        label: req.label,
        version: labelled.version,
        ...(canary ? { canary: canary.version, weight: canary.weight } : {}),
      },
    });
    const view = (await this.lookup.find(req.agent, actor)).view.labels.find(
      (l) => l.label === req.label,
    );
    if (!view) throw issue('NOT_FOUND', 'label', `agent ${req.agent} has no label ${req.label}`);
    return view;
  }
}

function issue(code: 'NOT_FOUND' | 'VALIDATION', path: string, message: string): DomainError {
  return new DomainError(code, `${path}: ${message}`, { details: { issues: [{ path, message }] } });
}
