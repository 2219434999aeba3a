import { Tenancy } from '@switchboard/contracts';
import type { Redis } from 'ioredis';
import { type TenantQuotaKeys, utcDay } from './tenant-quota.keys.js';

/** What reading a tenant's usage needs of TenantQuotas. */
export interface UsageSource {
  redis: Redis;
  keys: TenantQuotaKeys;
  now: number;
  maxUsers: number;
  /** The quota that applies to the tenant (its own, else the platform's). */
  quota: () => Promise<Tenancy.TenantQuotaView>;
}

/**
 * A tenant's quota and counters now (TenantQuotas.usage): its totals and, as asked, its users'
 * (`all`: every user counted today, at most `maxUsers`). Refused with UPSTREAM_UNAVAILABLE while
 * Redis is unreachable.
 */
export async function readUsage(
  src: UsageSource,
  tenantId: string,
  opts: { users?: 'all' | string[] },
): Promise<Tenancy.TenantUsage> {
  const { redis, keys, now } = src;
  const day = utcDay(now);
  try {
    const [view, totals, counted] = await Promise.all([
      src.quota(),
      readCounters(redis, keys, { now, day: day.key, tenantId }),
      opts.users === 'all'
        ? redis.smembers(keys.users(day.key, tenantId))
        : Promise.resolve(opts.users ?? []),
    ]);
    const listed = [...new Set(counted)].sort().slice(0, src.maxUsers);
    const users = await Promise.all(
      listed.map(async (userId) => ({
        userId,
        usage: await readCounters(redis, keys, { now, day: day.key, tenantId, userId }),
      })),
    );
    return {
      tenantId,
      day: day.iso,
      resetsAt: day.resetsAt.toISOString(),
      metered: view.source !== 'none',
      quota: view.quota,
      source: view.source,
      usage: totals,
      ...(opts.users ? { users } : {}),
      ...(counted.length > src.maxUsers ? { usersTruncated: true } : {}),
    };
  } catch (e) {
    throw Tenancy.quotaUnavailableError(tenantId, e);
  }
}

/**
 * One scope's counters now (the tenant's, or a user's with `userId`): its three reads are sent
 * together, with the other scopes' of the same tick.
 */
export async function readCounters(
  redis: Redis,
  keys: TenantQuotaKeys,
  at: { now: number; day: string; tenantId: string; userId?: string },
): Promise<Tenancy.UsageCounters> {
  const { now, day, tenantId, userId } = at;
  const [running, started, daily] = await Promise.all([
    redis.zcount(keys.running(tenantId, userId), `(${now}`, '+inf'),
    redis.zcount(keys.started(tenantId, userId), `(${now - 60_000}`, '+inf'),
    redis.hgetall(keys.day(day, tenantId, userId)),
  ]);
  const n = (field: string) => Number(daily[field] ?? 0);
  return {
    runningTasks: running,
    tasksLastMinute: started,
    tokens: n('tokens'),
    costUsd: n('costMicroUsd') / 1_000_000,
    toolCalls: n('toolCalls'),
    delegations: n('delegations'),
  };
}
