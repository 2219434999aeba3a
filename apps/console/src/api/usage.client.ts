import type { Tenancy } from '@switchboard/contracts';
import type { TenantQuotaView } from '../model/quota-form';
import type { Api } from './http.client';

/**
 * `GET /usage`: the caller's tenant's counters today, its quota and (admins) every user's counters;
 * `tenant` another tenant's (the platform operator's only: anyone else gets 404).
 */
export function getUsage(
  api: Api,
  tenant: string | undefined,
  signal?: AbortSignal,
): Promise<Tenancy.TenantUsage> {
  return api.get<Tenancy.TenantUsage>('usage', { tenant }, signal);
}

const quotasOf = (tenant: string) => `tenants/${encodeURIComponent(tenant)}/quotas`;

/** `GET /tenants/{tenant}/quotas` (`*`: the platform default): the quota that applies, and its source. */
export function getQuota(api: Api, tenant: string, signal?: AbortSignal): Promise<TenantQuotaView> {
  return api.get<TenantQuotaView>(quotasOf(tenant), {}, signal);
}

/**
 * `PUT /tenants/{tenant}/quotas` (the platform operator's only): the tenant's own quota, or for `*`
 * the platform default; resolves with the quota that applies after it. 400 names the field.
 */
export function setQuota(
  api: Api,
  tenant: string,
  quota: Tenancy.TenantQuota,
): Promise<TenantQuotaView> {
  return api.put<TenantQuotaView>(quotasOf(tenant), quota);
}

/** `DELETE /tenants/{tenant}/quotas`: the tenant falls back to the platform default (or none). */
export function removeQuota(api: Api, tenant: string): Promise<TenantQuotaView> {
  return api.delete<TenantQuotaView>(quotasOf(tenant));
}
