import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Actor, type Agents, DomainError, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { auditAgentChange, requireAuthor, versionNotFound } from '../agent-access.js';
import { AGENT_LABEL, labelMove } from '../agent-label.machine.js';
import { AgentLookup } from '../agent-lookup.js';
import { AgentRepository } from '../agent.repository.js';
import { LABEL_GATE, type LabelGate } from '../label-gate.port.js';

/**
 * Points a label of an agent at one of its versions (agent-label.machine.ts): the release, and the
 * rollback when it points back. The label's row is read and written under the agent's lock, so the
 * audit record's `from` is the version it really left. Audited (`agent.label.move`) unless it
 * pointed there already. Tasks already started keep the version they resolved.
 */
@Injectable()
export class MoveAgentLabelUseCase {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly repository: AgentRepository,
    private readonly audit: AuditTrail,
    @Optional() @Inject(LABEL_GATE) private readonly gate?: LabelGate,
  ) {}

  async execute(req: Agents.AgentLabelMoveRequest, actor: Actor): Promise<Agents.AgentLabelMoved> {
    requireAuthor(actor);
    const agent = await this.lookup.find(req.agent, actor);
    const target = await this.repository.version(agent.id, req.version);
    if (!target) throw versionNotFound(req.agent, req.version);
    const to = { version: target.version, versionId: target.versionId };
    // a protected label moves only to a version that passed its experiment (docs/evaluations.md)
    const refusal = await this.gate?.refusal(tenantOf(actor), agent.id, req.label, to.versionId);
    if (refusal)
      throw new DomainError('CONFLICT', `label ${req.label}: ${refusal}`, {
        details: { issues: [{ path: 'version', message: refusal }] },
      });
    const write = await this.repository.moveLabel(
      agent.id,
      tenantOf(actor),
      req.label,
      to,
      actor.userId,
      (from) => labelMove(from, to.version) !== 'kept',
    );
    const from = write.from?.version;
    const move = labelMove(from, to.version);
    // The machine's table is the rule: a move its state does not take is a bug, not a user's error.
    AGENT_LABEL.next(from === undefined ? 'unset' : 'pointing', move);
    if (write.written)
      auditAgentChange(this.audit, actor, {
        action: 'agent.label.move',
        resource: `agent:${req.agent}`,
        details: {
          label: req.label,
          ...(from !== undefined ? { from } : {}),
          to: to.version,
          versionId: to.versionId,
          rollback: move === 'rolled-back',
        },
      });
    return {
      agent: req.agent,
      label: req.label,
      ...(from !== undefined ? { from } : {}),
      to: to.version,
      versionId: to.versionId,
      moved: write.written,
    };
  }
}
