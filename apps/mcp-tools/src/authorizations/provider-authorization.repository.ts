import { Injectable } from '@nestjs/common';
import type { Tools } from '@switchboard/contracts';
import { PrismaService } from '../prisma/prisma.service.js';

type GrantRow = { provider: string; grantedBy: string; grantedAt: Date };

const toGrant = (row: GrantRow): Tools.ProviderGrant => ({
  provider: row.provider,
  grantedBy: row.grantedBy,
  grantedAt: row.grantedAt.toISOString(),
});

/** Per-user provider authorizations (whether a user has authorized a provider's OAuth access). */
@Injectable()
export class ProviderAuthorizationRepository {
  constructor(private readonly prisma: PrismaService) {}

  async providersOf(userId: string): Promise<Set<string>> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: { userId },
      select: { provider: true },
    });
    return new Set(rows.map((r) => r.provider));
  }

  async grantsOf(userId: string): Promise<Tools.ProviderGrant[]> {
    const rows = await this.prisma.providerAuthorization.findMany({
      where: { userId },
      orderBy: { provider: 'asc' },
    });
    return rows.map(toGrant);
  }

  /** Idempotent: granting again keeps the first grant (who and when). */
  async grant(userId: string, provider: string, grantedBy: string): Promise<Tools.ProviderGrant> {
    const row = await this.prisma.providerAuthorization.upsert({
      where: { userId_provider: { userId, provider } },
      create: { userId, provider, grantedBy },
      update: {},
    });
    return toGrant(row);
  }

  /** Whether there was a grant to revoke. */
  async revoke(userId: string, provider: string): Promise<boolean> {
    const { count } = await this.prisma.providerAuthorization.deleteMany({
      where: { userId, provider },
    });
    return count > 0;
  }
}
