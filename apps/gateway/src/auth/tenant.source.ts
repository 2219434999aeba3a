import { DEFAULT_TENANT, PLATFORM_ADMIN_ROLE, TenantId } from '@switchboard/contracts';
import { forbidden } from './auth.errors.js';

/**
 * Where the gateway reads a user's tenant (TENANCY=on): a token claim (jwt), a header the proxy sets
 * (trusted-headers) or X-Tenant-Id (dev). With tenancy off every user is in the default tenant and
 * nothing is read, so a deployment without tenants behaves as one implicit tenant.
 */
export interface TenantSettings {
  enabled: boolean;
  /** jwt mode: the dotted claim path, e.g. app_metadata.tenant_id. */
  jwtClaim: string;
  /** trusted-headers mode: the header the proxy sets, lower case. */
  trustedHeader: string;
}

export const TENANCY_OFF: TenantSettings = {
  enabled: false,
  jwtClaim: 'tenant_id',
  trustedHeader: 'x-supabase-tenant-id',
};

/**
 * The tenant named by `raw` (read from `where`, e.g. "the token's tenant_id claim"), or undefined with
 * tenancy off. A user without one is refused (403) — except the platform operator, who belongs to no
 * tenant and acts in the default one — rather than being put in some tenant nobody chose.
 */
export function tenantFrom(
  settings: TenantSettings,
  raw: unknown,
  where: string,
  role: string,
): TenantId | undefined {
  if (!settings.enabled) return undefined;
  if (raw === undefined || raw === null || raw === '') {
    if (role === PLATFORM_ADMIN_ROLE) return DEFAULT_TENANT;
    throw forbidden('tenant_missing', `${where} is missing, so the user is in no tenant`);
  }
  const tenant = TenantId.safeParse(raw);
  if (!tenant.success)
    throw forbidden(
      'tenant_invalid',
      `${where} ${tenant.error.issues[0]?.message ?? 'is not a valid tenant id'}`,
    );
  return tenant.data;
}
