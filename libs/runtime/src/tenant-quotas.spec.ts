import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { quotaFromHash, quotaToHash } from './tenant-quota.codec.js';
import { TenantQuotaKeys, utcDay } from './tenant-quota.keys.js';
import { TenantQuotas } from './tenant-quotas.js';

/** Redis as the adapter sees it when it is away: not ready, every command failing. */
function awayRedis() {
  const down = () => Promise.reject(new Error('Connection is closed.'));
  return {
    status: 'reconnecting',
    defineCommand: () => undefined,
    on: () => undefined,
    sbQuotaAdmit: down,
    sbQuotaDaily: down,
    sbQuotaRenew: down,
    pipeline: () => ({
      zrem: function () {
        return this;
      },
      exec: down,
    }),
  } as unknown as Redis;
}

const task = { tenantId: 'acme', userId: 'ada', taskId: 't-1', leaseMs: 60_000 };

describe(TenantQuotas.name, () => {
  it('lets a tenant through uncounted while Redis is away when it knows of no quota, logging the outage once', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, m: string) => warnings.push(m), info: () => undefined };
    const sut = new TenantQuotas(awayRedis(), { keyPrefix: 'quota:', logger });
    await expect(sut.admitTask(task)).resolves.toEqual({ ok: true, metered: false });
    await expect(
      sut.consumeDaily({ tenantId: 'acme', userId: 'ada', kind: 'toolCalls', amount: 1 }),
    ).resolves.toEqual({ ok: true, metered: false });
    await expect(sut.releaseTask(task)).resolves.toBeUndefined();
    await expect(sut.renewTask(task)).resolves.toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('refuses a tenant it knows to be under a quota (its own, or the platform default) with a retryable 503 code', async () => {
    const sut = new TenantQuotas(awayRedis(), { keyPrefix: 'quota:' });
    const learn = sut as unknown as { learn(tenant: string, source: number): void };
    learn.learn('acme', 1);
    await expect(sut.admitTask(task)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { tenantId: 'acme', retryAfterSeconds: 5 },
    });
    await expect(sut.admitTask({ ...task, tenantId: 'globex' })).resolves.toMatchObject({
      ok: true,
    });
    learn.learn('globex', 2); // the platform default applies to every tenant without its own
    await expect(sut.admitTask({ ...task, tenantId: 'initech' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('warns when every quota it knew of is gone after Redis came back (a restart without persistence)', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, m: string) => warnings.push(m), info: () => undefined };
    const redis = {
      ...awayRedis(),
      status: 'ready',
      smembers: async () => [],
      exists: async () => 0,
    };
    const sut = new TenantQuotas(redis as unknown as Redis, { keyPrefix: 'quota:', logger });
    await sut.loadIndex();
    expect(warnings).toEqual([]); // knew of none
    (sut as unknown as { learn(t: string, s: number): void }).learn('acme', 1);
    await sut.loadIndex();
    expect(warnings).toEqual([expect.stringContaining('every tenant quota is gone from Redis')]);
    expect(sut.underQuota('acme')).toBe(false);
  });

  it('takes no tenant for unlimited, whatever Redis said, while it does not hear quota changes', () => {
    const sut = new TenantQuotas(awayRedis(), { keyPrefix: 'quota:' });
    const learn = sut as unknown as { learn(tenant: string, source: number): void };
    learn.learn('acme', 0);
    expect(sut.underQuota('acme')).toBe(false);
    expect(sut.knownUnlimited('acme')).toBe(false);
  });

  it('refuses a negative amount before asking Redis', async () => {
    const sut = new TenantQuotas(awayRedis(), { keyPrefix: 'quota:' });
    await expect(
      sut.chargeDaily({ tenantId: 'acme', userId: 'ada', kind: 'tokens', amount: -1 }),
    ).rejects.toThrow(/amount must be 0 or more/);
  });
});

describe('the quota keys and their stored form', () => {
  it('keeps tenants and users apart whatever a user id holds', () => {
    const k = new TenantQuotaKeys('quota:');
    expect(k.running('acme')).toBe('quota:running:acme');
    expect(k.running('acme', 'a:b@c')).toBe('quota:running:acme:u:a:b@c');
    expect(k.day('20250102', 'acme', 'ada')).toBe('quota:day:20250102:acme:u:ada');
    expect(k.platform).toBe('quota:platform-quota');
  });

  it('names the UTC day and its end', () => {
    const day = utcDay(Date.parse('2025-12-31T23:59:59.500Z'));
    expect(day).toEqual({
      key: '20251231',
      iso: '2025-12-31',
      resetsAt: new Date('2026-01-01T00:00:00.000Z'),
    });
  });

  it('stores a quota as a flat hash and reads it back; an empty quota still exists', () => {
    const quota = { concurrentTasks: 10, costPerDayUsd: 2.5, perUser: { tasksPerMinute: 3 } };
    const hash = quotaToHash(quota);
    expect(hash).toEqual({
      v: '1',
      concurrentTasks: '10',
      costPerDayUsd: '2.5',
      'perUser.tasksPerMinute': '3',
    });
    expect(quotaFromHash(hash)).toEqual(quota);
    expect(quotaFromHash(quotaToHash({}))).toEqual({});
    expect(quotaFromHash({})).toBeNull();
    expect(quotaFromHash({ v: '1', laterField: '3', concurrentTasks: '2' })).toEqual({
      concurrentTasks: 2,
    });
  });
});
