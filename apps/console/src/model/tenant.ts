import type { Credentials, Me } from '../api/session';

/** The tenant of everyone while tenancy is off (and of a dev sign-in that names none). */
export const DEFAULT_TENANT = 'default';

/** The `{tenant}` of /tenants/{tenant}/quotas that names the platform-wide default. */
export const PLATFORM_QUOTA = '*';

/** A tenant id as the gateway accepts it (libs/contracts identity.schemas.ts TenantId). */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const isTenantId = (text: string): boolean => TENANT_ID.test(text);

/**
 * What is wrong with a tenant typed into a form, if anything: the gateway refuses any other
 * (`tenant_invalid`), so the console says so before sending it. Empty is fine (optional fields).
 */
export function tenantProblem(text: string): string | undefined {
  const t = text.trim();
  if (!t || isTenantId(t)) return undefined;
  return `"${t}" is not a tenant id: 1-64 letters, digits, "_" or "-", starting with a letter or digit`;
}

/**
 * What the top bar says of the user besides their id and role: the tenant when the gateway keeps
 * tenants apart, and "platform operator" for the role that spans them.
 */
export function identityWords(me: Pick<Me, 'tenancy' | 'tenantId' | 'platformAdmin'>): string[] {
  return [
    ...(me.tenancy ? [`tenant ${me.tenantId}`] : []),
    ...(me.platformAdmin ? ['platform operator'] : []),
  ];
}

/**
 * The notice for a tenant given at sign-in that the gateway does not use (tenancy off: everyone is in
 * `default`), so nobody believes they act in a tenant they do not.
 */
export function ignoredTenantNotice(
  credentials: Pick<Credentials, 'tenant'> | undefined,
  me: Pick<Me, 'tenancy'>,
): string | undefined {
  const tenant = credentials?.tenant?.trim();
  if (!tenant || me.tenancy || tenant === DEFAULT_TENANT) return undefined;
  return `This gateway does not keep tenants apart (TENANCY is off): the tenant "${tenant}" you gave is ignored, and everyone is in "${DEFAULT_TENANT}".`;
}
