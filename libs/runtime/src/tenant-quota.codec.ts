import { Tenancy } from '@switchboard/contracts';

/** Marks a stored quota that limits nothing (`{}`): metered, unlimited, and not the platform's. */
const MARKER = 'v';

/** A quota as its Redis hash: flat fields, `perUser.<field>` for the per-user limits, and the marker. */
export function quotaToHash(quota: Tenancy.TenantQuota): Record<string, string> {
  const hash: Record<string, string> = { [MARKER]: '1' };
  const { perUser, ...limits } = quota;
  for (const [field, value] of Object.entries(limits))
    if (value !== undefined) hash[field] = String(value);
  for (const [field, value] of Object.entries(perUser ?? {}))
    if (value !== undefined) hash[`perUser.${field}`] = String(value);
  return hash;
}

/** The stored hash as a quota; null for no hash. Fields it does not know (a newer writer's) are skipped. */
export function quotaFromHash(hash: Record<string, string>): Tenancy.TenantQuota | null {
  if (Object.keys(hash).length === 0) return null;
  const limits: Record<string, number> = {};
  const perUser: Record<string, number> = {};
  const known = new Set<string>(Tenancy.QuotaName.options);
  for (const [field, raw] of Object.entries(hash)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (field.startsWith('perUser.')) {
      const name = field.slice('perUser.'.length);
      if (known.has(name)) perUser[name] = value;
    } else if (known.has(field)) limits[field] = value;
  }
  const quota = Object.keys(perUser).length > 0 ? { ...limits, perUser } : limits;
  return Tenancy.TenantQuota.parse(quota);
}
