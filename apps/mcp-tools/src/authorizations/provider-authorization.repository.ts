import { Injectable } from '@nestjs/common';
import type { Tools } from '@switchboard/contracts';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import type { TenantUser } from '../tenancy/tenant-scope.js';

type GrantRow = { provider: string; grantedBy: string; grantedAt: Date };

const toGrant = (row: GrantRow): Tools.ProviderGrant => ({
  provider: row.provider,
  grantedBy: row.grantedBy,
  grantedAt: row.grantedAt.toISOString(),
});

/**
 * Per-user provider authorizations (whether a user has authorized a provider's OAuth access), each
 * made in one tenant and holding there only. `tenants` is a read's scope: `{ tenantId }`, or `{}` for
 * the platform operator's reads of every tenant.
 */
@Injectable()
export class ProviderAuthorizationRepository {
  constructor(private readonly prisma: PrismaService) {}

  async providersOf(tenantId: string, userId: string): Promise<Set<string>> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: { tenantId, userId },
      select: { provider: true },
    });
    return new Set(rows.map((r) => r.provider));
  }

  async grantsOf(userId: string, tenants: { tenantId?: string }): Promise<Tools.ProviderGrant[]> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: { userId, ...tenants },
      orderBy: [{ provider: 'asc' }, { tenantId: 'asc' }],
    });
    return rows.map(toGrant);
  }

  /** Idempotent: granting again keeps the first grant (who and when). */
  async grant(
    { tenantId, userId }: TenantUser,
    provider: string,
    grantedBy: string,
  ): Promise<Tools.ProviderGrant> {
    const row = await this.prisma.providerAuthorization.upsert({
      where: { tenantId_userId_provider: { tenantId, userId, provider } },
      create: { tenantId, userId, provider, grantedBy },
      update: {},
    });
    return toGrant(row);
  }

  /** Removes the grant within `tenants`; answers the tenants it was removed from (none: there was none). */
  async revoke(
    userId: string,
    provider: string,
    tenants: { tenantId?: string },
  ): Promise<string[]> {
    const inTenant =
      tenants.tenantId === undefined
        ? Prisma.empty
        : Prisma.sql`AND "tenantId" = ${tenants.tenantId}`;
    const rows = await this.prisma.$queryRaw<{ tenantId: string }[]>`
      DELETE FROM "ProviderAuthorization"
      WHERE "userId" = ${userId} AND "provider" = ${provider} ${inTenant}
      RETURNING "tenantId"`;
    return rows.map((r) => r.tenantId);
  }

  /** Whether the user holds the grant in a tenant other than `tenantId`. */
  async heldElsewhere(userId: string, provider: string, tenantId: string): Promise<boolean> {
    const row = await this.prisma.providerAuthorization.findFirst({
      where: { userId, provider, tenantId: { not: tenantId } },
      select: { tenantId: true },
    });
    return row !== null;
  }
}
