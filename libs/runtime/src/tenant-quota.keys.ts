/**
 * The Redis keys of the tenant quotas, after the client's own keyPrefix (REDIS_KEY_PREFIX) and the
 * adapter's `prefix` (TENANT_QUOTA_KEY_PREFIX). A tenant id holds no ":" (TenantId), so
 * `<tenant>:u:<user>` cannot be mistaken for another tenant's key whatever the user id holds.
 * Every service that enforces a quota must use the same full prefix to share the counters.
 */
export class TenantQuotaKeys {
  constructor(private readonly prefix: string) {}

  /** Hash: the tenant's own quota (flattened fields, `perUser.<field>`, and `v`). */
  quota(tenantId: string): string {
    return `${this.prefix}quota:${tenantId}`;
  }

  /** Hash: the platform-wide default quota (every tenant without its own). */
  get platform(): string {
    return `${this.prefix}platform-quota`;
  }

  /** Set: the tenants with a quota of their own. */
  get tenants(): string {
    return `${this.prefix}quota-tenants`;
  }

  /** Sorted set: running task ids scored with their lease expiry (ms). */
  running(tenantId: string, userId?: string): string {
    return `${this.prefix}running:${scope(tenantId, userId)}`;
  }

  /** Sorted set: task ids started in the last 60 s scored with their start (ms). */
  started(tenantId: string, userId?: string): string {
    return `${this.prefix}started:${scope(tenantId, userId)}`;
  }

  /** Hash: the day's counters (tokens, costMicroUsd, toolCalls, delegations). */
  day(day: string, tenantId: string, userId?: string): string {
    return `${this.prefix}day:${day}:${scope(tenantId, userId)}`;
  }

  /** Set: the users counted in the tenant on that day (for the per-user breakdown). */
  users(day: string, tenantId: string): string {
    return `${this.prefix}users:${day}:${tenantId}`;
  }
}

/**
 * The gateway's stream slots of a user (a sorted set of slot ids scored with their lease expiry),
 * under the client's keyPrefix only. The slot of the session that submitted a task is named by the
 * task id, and freed with the task's running slot when it ends (TenantQuotas.releaseTask).
 */
export const STREAM_SLOTS_KEY = (userId: string): string => `streams:${userId}`;

const scope = (tenantId: string, userId?: string): string =>
  userId === undefined ? tenantId : `${tenantId}:u:${userId}`;

/** The UTC day of `ms` as the keys name it (YYYYMMDD) and as the API shows it (YYYY-MM-DD). */
export function utcDay(ms: number): { key: string; iso: string; resetsAt: Date } {
  const iso = new Date(ms).toISOString().slice(0, 10);
  const resetsAt = new Date(`${iso}T00:00:00.000Z`);
  resetsAt.setUTCDate(resetsAt.getUTCDate() + 1);
  return { key: iso.replaceAll('-', ''), iso, resetsAt };
}
