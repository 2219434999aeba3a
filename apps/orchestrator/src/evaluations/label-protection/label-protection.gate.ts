import { Injectable } from '@nestjs/common';
import type { LabelGate } from '../../agent-versions/label-gate.port.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { ExperimentRepository } from '../experiments/experiment.repository.js';

/**
 * The agent versions' label gate (LABEL_GATE): a protected label moves only to a version with a
 * passing experiment on its dataset — no item worse than the baseline and a mean at least the
 * baseline's, or a mean at least the label's threshold when it names one.
 */
@Injectable()
export class LabelProtectionGate implements LabelGate {
  constructor(
    private readonly prisma: PrismaService,
    private readonly experiments: ExperimentRepository,
  ) {}

  async refusal(
    tenantId: string,
    agentId: string,
    label: string,
    versionId: string,
  ): Promise<string | undefined> {
    const p = await this.prisma.labelProtection.findUnique({
      where: { agentId_label: { agentId, label } },
    });
    if (!p || p.tenantId !== tenantId) return undefined;
    const threshold = p.threshold ?? undefined;
    if (await this.experiments.passing(tenantId, versionId, p.datasetId, threshold))
      return undefined;
    const dataset = await this.prisma.dataset.findUnique({
      where: { id: p.datasetId },
      select: { name: true },
    });
    return `is protected: it moves only to a version with a passing experiment on dataset ${dataset?.name ?? p.datasetId}${threshold !== undefined ? ` (a mean of at least ${threshold})` : ' (no item worse than its baseline)'}, and this version has none`;
  }
}
