import type { Tenancy } from '@switchboard/contracts';

// What TenantQuotas (tenant-quotas.ts) takes and answers, apart from the adapter itself.

/** One task of a user of a tenant. */
export interface QuotaTask {
  tenantId: string;
  userId: string;
  taskId: string;
}

/** A user of a tenant, as the quotas count them. */
export interface QuotaUser {
  tenantId: string;
  userId: string;
}

/** A per-day charge or check: `amount` in the kind's unit (tokens, US dollars, calls, delegations). */
export interface DailyUse extends QuotaUser {
  kind: Tenancy.DailyKind;
  amount: number;
}

/** Amounts of several kinds at once, each in its kind's unit. */
export type DailyAmounts = Partial<Record<Tenancy.DailyKind, number>>;

/**
 * The answer of a check. `metered` is false when no quota applies to the tenant (nothing was counted),
 * or when Redis is unreachable for a tenant known to have none (let through).
 */
export type QuotaVerdict =
  { ok: true; metered: boolean } | { ok: false; refusal: Tenancy.QuotaExceeded };

export interface TenantQuotasOptions {
  /** Prefix of the adapter's keys after the client's own keyPrefix (TENANT_QUOTA_KEY_PREFIX). */
  keyPrefix: string;
  /** Retry-After when the concurrency limit is reached: when a running task ends cannot be known. */
  concurrencyRetryAfterSeconds?: number;
  /** Most users a per-user breakdown lists (usage). */
  maxUsers?: number;
  /**
   * How long a process takes a tenant Redis said no quota applies to for unlimited, skipping its daily
   * checks, while it hears quota changes (TenantQuotas.listen): a bound on a missed announcement.
   * 0: always ask. Default 30 s.
   */
  unlimitedTtlMs?: number;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  now?: () => number;
}
