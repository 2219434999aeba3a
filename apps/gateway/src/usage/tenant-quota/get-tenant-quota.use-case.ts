import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, sameTenant, spansTenants, Tenancy } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { TenantQuotasService } from '@switchboard/runtime';
import { requireAdmin } from '../../auth/audited-refusal.js';
import { quotaStore } from '../quota-store.js';

/**
 * A tenant's effective quota, for admins: the platform operator any tenant's (and `*`, the platform
 * default), a tenant's admin their own tenant's — another tenant does not exist for them (404).
 */
@Injectable()
export class GetTenantQuotaUseCase {
  constructor(
    private readonly quotas: TenantQuotasService,
    private readonly audit: AuditTrail,
  ) {}

  async execute(actor: Actor, tenantId: string): Promise<Tenancy.TenantQuotaView> {
    requireAdmin(this.audit, actor, `tenants/${tenantId}/quotas`, 'read tenant quotas');
    const visible =
      tenantId === Tenancy.PLATFORM_QUOTA ? spansTenants(actor) : sameTenant(actor, tenantId);
    if (!visible) throw new DomainError('NOT_FOUND', `no tenant ${tenantId} among yours`);
    return quotaStore(tenantId, () => this.quotas.effectiveQuota(tenantId));
  }
}
