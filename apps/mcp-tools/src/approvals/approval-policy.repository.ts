import { Injectable } from '@nestjs/common';
import { Approvals } from '@switchboard/contracts';
import { PrismaService } from '../prisma/prisma.service.js';

/** An admin's override of a tool's approval policy. */
export interface ApprovalPolicyOverride {
  tool: string;
  policy: Approvals.ApprovalPolicy;
  setBy: string;
  setAt: string;
}

type OverrideRow = { tool: string; policy: unknown; setBy: string; setAt: Date };

/**
 * A stored policy is parsed again when read: a row that no longer validates (a later, stricter
 * schema) still needs an approval — the default policy's — rather than none.
 */
const toOverride = (row: OverrideRow): ApprovalPolicyOverride => {
  const parsed = Approvals.ApprovalPolicy.safeParse(row.policy);
  return {
    tool: row.tool,
    policy: parsed.success ? parsed.data : Approvals.REQUESTED_APPROVAL_POLICY,
    setBy: row.setBy,
    setAt: row.setAt.toISOString(),
  };
};

/** Admins' approval policy overrides, one per tool and tenant: each holds in its own tenant only. */
@Injectable()
export class ApprovalPolicyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async all(tenantId: string): Promise<ApprovalPolicyOverride[]> {
    const rows = await this.prisma.approvalPolicyOverride.findMany({
      where: { tenantId },
      orderBy: { tool: 'asc' },
    });
    return rows.map(toOverride);
  }

  async find(tenantId: string, tool: string): Promise<ApprovalPolicyOverride | undefined> {
    const row = await this.prisma.approvalPolicyOverride.findUnique({
      where: { tenantId_tool: { tenantId, tool } },
    });
    return row ? toOverride(row) : undefined;
  }

  async set(
    tenantId: string,
    tool: string,
    policy: Approvals.ApprovalPolicy,
    setBy: string,
  ): Promise<ApprovalPolicyOverride> {
    const setAt = new Date();
    const row = await this.prisma.approvalPolicyOverride.upsert({
      where: { tenantId_tool: { tenantId, tool } },
      create: { tenantId, tool, policy, setBy, setAt },
      update: { policy, setBy, setAt },
    });
    return toOverride(row);
  }

  /** Whether there was an override to remove. */
  async remove(tenantId: string, tool: string): Promise<boolean> {
    const { count } = await this.prisma.approvalPolicyOverride.deleteMany({
      where: { tenantId, tool },
    });
    return count > 0;
  }
}
