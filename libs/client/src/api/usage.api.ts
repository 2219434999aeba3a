import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type { TenantQuota, TenantQuotaView, TenantUsage } from '../wire.js';

/** Usage and quotas per tenant and user (docs/quotas.md). `*` names the platform default quota. */
export class UsageApi {
  constructor(private readonly transport: Transport) {}

  /** Today's counters of the caller's tenant and its quota; `tenant`: another's (the platform operator). */
  get(tenant?: string, options: CallOptions = {}): Promise<TenantUsage> {
    return this.transport.send('GET', 'usage', options, { query: { tenant } });
  }

  /** The quota that applies to a tenant, and its source (an admin: their own tenant's). */
  quota(tenant: string, options: CallOptions = {}): Promise<TenantQuotaView> {
    return this.transport.send('GET', pathOf`tenants/${tenant}/quotas`, options);
  }

  /** Replaces a tenant's own quota as a whole (the platform operator). Harmless to repeat. */
  setQuota(
    tenant: string,
    quota: TenantQuota,
    options: CallOptions = {},
  ): Promise<TenantQuotaView> {
    return this.transport.send('PUT', pathOf`tenants/${tenant}/quotas`, options, { body: quota });
  }

  /** Removes a tenant's own quota: it falls back to the platform default (the platform operator). */
  removeQuota(tenant: string, options: CallOptions = {}): Promise<TenantQuotaView> {
    return this.transport.send('DELETE', pathOf`tenants/${tenant}/quotas`, options);
  }
}
