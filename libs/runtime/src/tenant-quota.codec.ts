import { Tenancy } from '@switchboard/contracts';
import type { DailyAmounts } from './tenant-quota.types.js';

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

/** The day's counter field of each kind; cost is counted in whole micro-dollars (exact sums). */
const FIELD: Record<Tenancy.DailyKind, string> = {
  tokens: 'tokens',
  costUsd: 'costMicroUsd',
  toolCalls: 'toolCalls',
  delegations: 'delegations',
};
const SCALE = (kind: Tenancy.DailyKind): number => (kind === 'costUsd' ? 1_000_000 : 1);
/** The scale of a daily quota's counter, by the quota's name (what a refusal names). */
export const SCALE_OF_QUOTA: Record<string, number> = Object.fromEntries(
  Tenancy.DailyKind.options.map((kind) => [Tenancy.DAILY_QUOTA_OF[kind], SCALE(kind)]),
);

/** The DAILY script's per-kind arguments: counter field, quota name, scaled amount, scale. */
export function dailyArgs(amounts: DailyAmounts): (string | number)[] {
  return (Object.entries(amounts) as [Tenancy.DailyKind, number][]).flatMap(([kind, amount]) => {
    const scaled = Math.round(amount * SCALE(kind));
    if (!(scaled >= 0)) throw new RangeError(`amount must be 0 or more (got ${amount})`);
    return [FIELD[kind], Tenancy.DAILY_QUOTA_OF[kind], scaled, SCALE(kind)];
  });
}
