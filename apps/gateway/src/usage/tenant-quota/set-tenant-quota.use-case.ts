import { Injectable } from '@nestjs/common';
import {
  type Actor,
  DomainError,
  parseOrThrow,
  spansTenants,
  Tenancy,
} from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { TenantQuotasService } from '@switchboard/runtime';
import { refuseAudited } from '../../auth/audited-refusal.js';
import { QuotaMetrics } from '../../limits/quota.metrics.js';
import { quotaStore } from '../quota-store.js';

/**
 * Sets a tenant's quota (or `*`, the platform default), or with null removes it: the platform
 * operator's alone. Every replica of every service reads it at its next check, so it applies at once,
 * without a restart. Audited (`admin`, `quota.set` / `quota.remove`) with the quota before and after,
 * on the tenant's own trail so its admins see who changed their limits.
 */
@Injectable()
export class SetTenantQuotaUseCase {
  constructor(
    private readonly quotas: TenantQuotasService,
    private readonly metrics: QuotaMetrics,
    private readonly audit: AuditTrail,
  ) {}

  async execute(
    actor: Actor,
    tenantId: string,
    change: { body: unknown } | { remove: true },
  ): Promise<Tenancy.TenantQuotaView> {
    const resource = `tenants/${tenantId}/quotas`;
    if (!spansTenants(actor))
      refuseAudited(
        this.audit,
        { action: 'authorization.denied', resource, details: { what: 'set tenant quotas' } },
        'only the platform operator (platform-admin) may set quotas',
      );
    const quota = 'body' in change ? quotaOf(change.body) : null;
    const before = await quotaStore(tenantId, () => this.quotas.ownQuota(tenantId));
    await quotaStore(tenantId, () => this.quotas.setQuota(tenantId, quota));
    await this.metrics.refreshNames();
    void this.audit.record({
      category: 'admin',
      action: quota ? 'quota.set' : 'quota.remove',
      outcome: 'success',
      resource,
      ...(tenantId === Tenancy.PLATFORM_QUOTA ? {} : { tenantId }),
      details: { tenant: tenantId, before, after: quota },
    });
    return quotaStore(tenantId, () => this.quotas.effectiveQuota(tenantId));
  }
}

/** The body of a PUT as a quota; a rejection names the field (unknown fields too). */
function quotaOf(body: unknown): Tenancy.TenantQuota {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new DomainError(
      'VALIDATION',
      'request body must be a JSON object of limits, e.g. {"concurrentTasks": 10}',
    );
  return parseOrThrow(Tenancy.TenantQuota, body, 'request body');
}
