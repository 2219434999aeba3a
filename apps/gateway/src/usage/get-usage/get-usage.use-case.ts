import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  isAdmin,
  sameTenant,
  type Tenancy,
  tenantOf,
} from '@switchboard/contracts';
import { TenantQuotasService } from '@switchboard/runtime';
import { quotaStore } from '../quota-store.js';

/**
 * A tenant's usage now: its totals, its quota, and per user what the caller may see — every user
 * counted today for an admin of the tenant (or the platform operator), the caller alone for anyone
 * else. Another tenant's is the platform operator's only; for anyone else it does not exist (404).
 */
@Injectable()
export class GetUsageUseCase {
  constructor(private readonly quotas: TenantQuotasService) {}

  async execute(actor: Actor, tenant?: string): Promise<Tenancy.TenantUsage> {
    const tenantId = tenant ?? tenantOf(actor);
    if (!sameTenant(actor, tenantId))
      throw new DomainError('NOT_FOUND', `no tenant ${tenantId} among yours`);
    const users = isAdmin(actor) ? 'all' : [actor.userId];
    return quotaStore(tenantId, () => this.quotas.usage(tenantId, { users }));
  }
}
