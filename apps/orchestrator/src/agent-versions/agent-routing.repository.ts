import { Injectable } from '@nestjs/common';
import type { Agents } from '@switchboard/contracts';
import { PrismaService } from '../prisma/prisma.service.js';
import { named, versionViewOf } from './agent.repository.js';

/** A label's canary as the resolver takes it: the version and its share of the traffic. */
export interface LabelCanary {
  version: Agents.AgentVersionView;
  weight: number;
}

/**
 * Where a tenant's tasks go beyond a label's one version (docs/agents.md): the tenant's default
 * agent (a task naming none runs it) and a label's canary (another version taking a share of the
 * label's traffic). Every read and write is in one tenant.
 */
@Injectable()
export class AgentRoutingRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The tenant's default agent's name, if it has one. */
  async defaultAgent(tenantId: string): Promise<string | undefined> {
    const row = await this.prisma.tenantDefaultAgent.findUnique({
      where: { tenantId },
      include: named,
    });
    return row?.agent.name;
  }

  /**
   * Makes an agent the tenant's default, or not (when it is, the tenant then has none), answering
   * the one before: the read and the write in one transaction, the tenant's row locked.
   */
  async setDefault(
    tenantId: string,
    agentId: string,
    isDefault: boolean,
    setBy: string,
  ): Promise<{ previous?: string | undefined }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "TenantDefaultAgent" WHERE "tenantId" = ${tenantId} FOR UPDATE`;
      const before = await tx.tenantDefaultAgent.findUnique({
        where: { tenantId },
        include: named,
      });
      if (isDefault)
        await tx.tenantDefaultAgent.upsert({
          where: { tenantId },
          create: { tenantId, agentId, setBy },
          update: { agentId, setBy, setAt: new Date() },
        });
      else await tx.tenantDefaultAgent.deleteMany({ where: { tenantId, agentId } });
      return { previous: before?.agent.name };
    });
  }

  /** The canary of an agent's label, if it has one. */
  async canary(agentId: string, label: string): Promise<LabelCanary | undefined> {
    const row = await this.prisma.agentLabel.findUnique({
      where: { agentId_label: { agentId, label } },
      include: { canary: { include: named } },
    });
    if (!row?.canary || !row.canaryWeight) return undefined;
    return { version: versionViewOf(row.canary), weight: row.canaryWeight };
  }

  /**
   * Sets a label's canary (undefined: removes it); false when the agent has no such label. The
   * label's own version is kept as it is: a canary never moves the label.
   */
  async setCanary(
    agentId: string,
    label: string,
    canary: { versionId: string; weight: number } | undefined,
  ): Promise<boolean> {
    const { count } = await this.prisma.agentLabel.updateMany({
      where: { agentId, label },
      data: { canaryVersionId: canary?.versionId ?? null, canaryWeight: canary?.weight ?? null },
    });
    return count > 0;
  }
}
