import { Injectable } from '@nestjs/common';
import { type Actor, type Evaluations, tenantOf } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { auditAgentChange, requireAuthor } from '../../../agent-versions/agent-access.js';
import { AgentLookup } from '../../../agent-versions/agent-lookup.js';
import { PrismaService } from '../../../prisma/prisma.service.js';
import { DatasetRepository } from '../../datasets/dataset.repository.js';
import { datasetNotFound } from '../../evaluation-errors.js';

/** Protects a label of an agent with a dataset (and a threshold): its admins' only; audited. */
@Injectable()
export class ProtectLabelUseCase {
  constructor(
    private readonly lookup: AgentLookup,
    private readonly datasets: DatasetRepository,
    private readonly prisma: PrismaService,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    req: Evaluations.LabelProtectionBody & { agent: string; label: string },
    actor: Actor,
  ): Promise<Evaluations.LabelProtectionView> {
    requireAuthor(actor);
    const tenantId = tenantOf(actor);
    const agent = await this.lookup.find(req.agent, actor);
    const dataset = await this.datasets.get(tenantId, req.dataset);
    if (!dataset) throw datasetNotFound(req.dataset);
    const data = {
      tenantId,
      datasetId: dataset.id,
      threshold: req.threshold ?? null,
      setBy: actor.userId,
      setAt: new Date(),
    };
    const row = await this.prisma.labelProtection.upsert({
      where: { agentId_label: { agentId: agent.id, label: req.label } },
      create: { agentId: agent.id, label: req.label, ...data },
      update: data,
    });
    auditAgentChange(this.audit, actor, {
      action: 'agent.label.protect',
      resource: `agent:${req.agent}`,
      details: {
        label: req.label,
        dataset: req.dataset,
        ...(req.threshold !== undefined ? { threshold: req.threshold } : {}),
      },
    });
    return {
      agent: req.agent,
      label: req.label,
      dataset: req.dataset,
      ...(row.threshold !== null ? { threshold: row.threshold } : {}),
      setBy: row.setBy,
      setAt: row.setAt.toISOString(),
    };
  }
}
