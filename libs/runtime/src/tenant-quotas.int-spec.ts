import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError, Tenancy } from '@switchboard/contracts';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas, type QuotaVerdict } from './tenant-quotas.js';

// Against the machine's real Redis, under a key prefix of its own (deleted afterwards, SCAN + UNLINK).
const URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `sbt:tq:${randomBytes(4).toString('hex')}:`;
/** Like the services' clients: the service prefix on the client, the adapter's prefix inside it. */
const client = () => new Redis(URL, { keyPrefix: PREFIX, lazyConnect: true });

const tenant = () => `t-${randomUUID().slice(0, 8)}`;
const task = (tenantId: string, userId = 'ada') => ({
  tenantId,
  userId,
  taskId: randomUUID(),
  leaseMs: 60_000,
});
const okCount = (verdicts: QuotaVerdict[]) => verdicts.filter((v) => v.ok).length;

/** Polls `check` every 20 ms until it holds; fails naming `what` after 10 s. */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TenantQuotas (real Redis)', () => {
  /** Eight connections, as eight replicas: each its own adapter on its own client. */
  const replicas: { redis: Redis; quotas: TenantQuotas }[] = [];
  let sut: TenantQuotas;
  let redis: Redis;
  /** Without the prefix: for full key names (SCAN answers them). */
  const raw = new Redis(URL, { lazyConnect: true });

  beforeAll(async () => {
    for (let i = 0; i < 8; i++) {
      const r = client();
      await r.connect();
      replicas.push({
        redis: r,
        quotas: new TenantQuotas(r, { keyPrefix: TENANT_QUOTA_KEY_PREFIX }),
      });
    }
    ({ redis, quotas: sut } = replicas[0]!);
    await raw.connect();
  });

  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await raw.unlink(...keys);
    } while (cursor !== '0');
    await raw.quit();
    await Promise.all(replicas.map((r) => r.redis.quit()));
  });

  /** Redis's own clock (TIME), in ms: the one lease expiries are measured against. */
  const redisNow = async () => {
    const [seconds, micros] = await raw.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  };
  /** Once Redis's clock has passed `ms` after now: every lease of at most `ms` taken before has lapsed. */
  const leasesOf = async (ms: number) => {
    const end = (await redisNow()) + ms;
    return {
      lapsed: () => until(async () => (await redisNow()) > end, `${ms} ms on Redis's clock`),
    };
  };

  /** `n` admissions of new tasks spread over the replicas, all sent at once. */
  const admitMany = (n: number, tenantId: string, user = (_i: number) => 'ada') =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        replicas[i % replicas.length]!.quotas.admitTask(task(tenantId, user(i))),
      ),
    );

  const keysOf = async (tenantId: string) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${PREFIX}*${tenantId}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  };

  it('costs a tenant without any quota one round trip that writes nothing', async () => {
    const t = tenant();
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command) => (sent.push(command.name), send(command));
    try {
      await expect(sut.admitTask(task(t))).resolves.toEqual({ ok: true, metered: false });
      await expect(
        sut.chargeDaily({ tenantId: t, userId: 'ada', kind: 'tokens', amount: 500 }),
      ).resolves.toEqual({ ok: true, metered: false });
    } finally {
      redis.sendCommand = send;
    }
    expect(sent).toEqual(['evalsha', 'evalsha']);
    expect(await keysOf(t)).toEqual([]);
  });

  it('admits exactly 10 of 64 concurrent tasks against concurrentTasks=10 (8 connections)', async () => {
    const t = tenant();
    await sut.setQuota(t, { concurrentTasks: 10 });
    const verdicts = await admitMany(64, t);
    expect(okCount(verdicts)).toBe(10);
    const refusal = verdicts.find((v) => !v.ok);
    expect(refusal).toEqual({
      ok: false,
      refusal: {
        quota: 'concurrentTasks',
        scope: 'tenant',
        tenantId: t,
        limit: 10,
        used: 10,
        retryAfterSeconds: 5,
      },
    });
    expect((await sut.usage(t)).usage).toMatchObject({ runningTasks: 10, tasksLastMinute: 10 });
  });

  it('admits exactly 10 of 64 concurrent tasks against tasksPerMinute=10, with a Retry-After within the minute', async () => {
    const t = tenant();
    await sut.setQuota(t, { tasksPerMinute: 10 });
    const verdicts = await admitMany(64, t);
    expect(okCount(verdicts)).toBe(10);
    for (const v of verdicts.filter((v) => !v.ok))
      expect(v).toMatchObject({
        refusal: { quota: 'tasksPerMinute', scope: 'tenant', limit: 10, used: 10 },
      });
    const retry = verdicts.flatMap((v) => (v.ok ? [] : [v.refusal.retryAfterSeconds]));
    expect(Math.min(...retry)).toBeGreaterThanOrEqual(59);
    expect(Math.max(...retry)).toBeLessThanOrEqual(60);
  });

  it("frees a slot on release (idempotent), counts a retried admission once, and lets a lapsed lease's slot go", async () => {
    const t = tenant();
    await sut.setQuota(t, { concurrentTasks: 2 });
    const a = task(t);
    const b = { ...task(t), leaseMs: 300 };
    expect((await sut.admitTask(a)).ok).toBe(true);
    expect((await sut.admitTask(a)).ok).toBe(true); // the same task again: still one slot
    expect((await sut.admitTask(b)).ok).toBe(true);
    const bLease = await leasesOf(b.leaseMs);
    expect((await sut.admitTask(task(t))).ok).toBe(false);
    await sut.releaseTask(a);
    await sut.releaseTask(a);
    expect((await sut.usage(t)).usage.runningTasks).toBe(1);
    expect((await sut.admitTask(task(t))).ok).toBe(true);
    expect((await sut.admitTask(task(t))).ok).toBe(false);
    await bLease.lapsed(); // b's lease lapses: a crashed task
    expect((await sut.admitTask(task(t))).ok).toBe(true);
  });

  it('renews the lease of a running task, and not of one whose slot is gone', async () => {
    const t = tenant();
    await sut.setQuota(t, { concurrentTasks: 1 });
    const a = { ...task(t), leaseMs: 300 };
    expect((await sut.admitTask(a)).ok).toBe(true);
    const firstLease = await leasesOf(a.leaseMs);
    expect(await sut.renewTask({ ...a, leaseMs: 60_000 })).toBe(true);
    await firstLease.lapsed(); // the lease it was admitted with is over
    expect((await sut.admitTask(task(t))).ok).toBe(false); // still running: renewed
    await sut.releaseTask(a);
    expect(await sut.renewTask(a)).toBe(false);
  });

  it("holds each user to perUser limits inside the tenant's, naming the user", async () => {
    const t = tenant();
    await sut.setQuota(t, { concurrentTasks: 10, perUser: { concurrentTasks: 2 } });
    // Four users, three tasks each: two each are admitted, the third is the user's limit.
    const verdicts = await admitMany(12, t, (i) => `u${i % 4}`);
    expect(okCount(verdicts)).toBe(8);
    for (const v of verdicts.filter((v) => !v.ok))
      expect(v).toMatchObject({
        refusal: {
          quota: 'concurrentTasks',
          scope: 'user',
          userId: expect.stringMatching(/^u\d$/),
          limit: 2,
          used: 2,
        },
      });
    const usage = await sut.usage(t, { users: 'all' });
    expect(usage.users?.map((u) => [u.userId, u.usage.runningTasks])).toEqual([
      ['u0', 2],
      ['u1', 2],
      ['u2', 2],
      ['u3', 2],
    ]);
    // Then the tenant's own limit: 10 in all, whoever asks.
    const more = await admitMany(4, t, (i) => `v${i}`);
    expect(okCount(more)).toBe(2);
    expect(more.find((v) => !v.ok)).toMatchObject({
      refusal: { quota: 'concurrentTasks', scope: 'tenant', limit: 10, used: 10 },
    });
  });

  it("applies the platform default to tenants without their own, a tenant's own instead, and a change to the next check", async () => {
    const [t, u] = [tenant(), tenant()];
    await sut.setQuota(Tenancy.PLATFORM_QUOTA, { concurrentTasks: 1 });
    try {
      expect(await sut.effectiveQuota(t)).toEqual({
        tenantId: t,
        quota: { concurrentTasks: 1 },
        source: 'platform',
      });
      expect((await sut.admitTask(task(t))).ok).toBe(true);
      expect((await sut.admitTask(task(t))).ok).toBe(false);
      await sut.setQuota(u, {}); // its own: unlimited, counted
      expect((await admitMany(3, u)).every((v) => v.ok && v.metered)).toBe(true);
      // A change is read by the next check of every replica: no restart, no cache.
      await replicas[3]!.quotas.setQuota(t, { concurrentTasks: 2 });
      expect((await replicas[5]!.quotas.admitTask(task(t))).ok).toBe(true);
      await sut.setQuota(u, null);
      expect(await sut.effectiveQuota(u)).toMatchObject({ source: 'platform' });
      expect(await sut.tenantsWithQuota()).toContain(t);
      expect(await sut.tenantsWithQuota()).not.toContain(u);
    } finally {
      await sut.setQuota(Tenancy.PLATFORM_QUOTA, null);
    }
  });

  it('consumes exactly the tool calls left today of 64 concurrent ones', async () => {
    const t = tenant();
    await sut.setQuota(t, { toolCallsPerDay: 3, perUser: { delegationsPerDay: 1 } });
    const verdicts = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        replicas[i % 8]!.quotas.consumeDaily({
          tenantId: t,
          userId: 'ada',
          kind: 'toolCalls',
          amount: 1,
        }),
      ),
    );
    expect(okCount(verdicts)).toBe(3);
    const refused = verdicts.find((v) => !v.ok);
    expect(refused).toMatchObject({ refusal: { quota: 'toolCallsPerDay', limit: 3, used: 3 } });
    const untilMidnight = refused && !refused.ok ? refused.refusal.retryAfterSeconds : 0;
    expect(untilMidnight).toBeGreaterThan(0);
    expect(untilMidnight).toBeLessThanOrEqual(86_400);
    const delegate = () =>
      sut.consumeDaily({ tenantId: t, userId: 'bob', kind: 'delegations', amount: 1 });
    expect((await delegate()).ok).toBe(true);
    expect(await delegate()).toMatchObject({
      ok: false,
      refusal: { quota: 'delegationsPerDay', scope: 'user', userId: 'bob', limit: 1, used: 1 },
    });
  });

  it('charges tokens and cost spent anyway, refusing once the day is used up (micro-dollar exact)', async () => {
    const t = tenant();
    await sut.setQuota(t, { tokensPerDay: 100, costPerDayUsd: 0.5 });
    const charge = (kind: Tenancy.DailyKind, amount: number) =>
      sut.chargeDaily({ tenantId: t, userId: 'ada', kind, amount });
    expect(await charge('tokens', 60)).toEqual({ ok: true, metered: true });
    expect(await charge('tokens', 60)).toMatchObject({
      ok: false,
      refusal: { quota: 'tokensPerDay', limit: 100, used: 120 },
    });
    expect((await sut.checkDaily({ tenantId: t, userId: 'ada', kind: 'tokens' })).ok).toBe(false);
    for (let i = 0; i < 2; i++) expect((await charge('costUsd', 0.2)).ok).toBe(true);
    expect(await charge('costUsd', 0.1)).toMatchObject({
      ok: false,
      refusal: { quota: 'costPerDayUsd', limit: 0.5, used: 0.5 },
    });
    const usage = await sut.usage(t, { users: ['ada'] });
    expect(usage.usage).toMatchObject({ tokens: 120, costUsd: 0.5 });
    expect(usage.users).toEqual([
      { userId: 'ada', usage: expect.objectContaining({ tokens: 120, costUsd: 0.5 }) },
    ]);
    const dayKeys = (await keysOf(t)).filter((k) => k.includes(':day:'));
    expect(dayKeys).toHaveLength(2);
    for (const key of dayKeys) expect(await raw.pttl(key)).toBeGreaterThan(86_400_000);
  });

  it('checks and charges tokens and cost in one round trip, naming the kind used up (micro-dollar exact)', async () => {
    const t = tenant();
    await sut.setQuota(t, { tokensPerDay: 100, perUser: { costPerDayUsd: 0.3 } });
    const who = { tenantId: t, userId: 'ada' };
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command) => (sent.push(command.name), send(command));
    try {
      expect(await sut.checkDailyAll(who, ['tokens', 'costUsd'])).toEqual({
        ok: true,
        metered: true,
      });
      expect(await sut.chargeDailyAll(who, { tokens: 40, costUsd: 0.1 })).toEqual({
        ok: true,
        metered: true,
      });
      expect(await sut.chargeDailyAll(who, { tokens: 40, costUsd: 0.2 })).toMatchObject({
        ok: false,
        refusal: { quota: 'costPerDayUsd', scope: 'user', userId: 'ada', limit: 0.3, used: 0.3 },
      });
    } finally {
      redis.sendCommand = send;
    }
    expect(sent).toEqual(['evalsha', 'evalsha', 'evalsha']);
    expect(await sut.checkDailyAll(who, ['tokens', 'costUsd'])).toMatchObject({
      ok: false,
      refusal: { quota: 'costPerDayUsd', scope: 'user', limit: 0.3, used: 0.3 },
    });
    // Tokens are left (80 of 100): consuming 30 more of them is refused, naming the tenant's limit.
    expect(await sut.consumeDaily({ ...who, kind: 'tokens', amount: 30 })).toMatchObject({
      ok: false,
      refusal: { quota: 'tokensPerDay', scope: 'tenant', limit: 100, used: 80 },
    });
    expect((await sut.usage(t)).usage).toMatchObject({ tokens: 80, costUsd: 0.3 });
  });

  it('refuses a tenant under a quota while Redis is unreachable, and lets one without through', async () => {
    const r = client();
    await r.connect();
    const quotas = new TenantQuotas(r, { keyPrefix: TENANT_QUOTA_KEY_PREFIX });
    const [limited, free] = [tenant(), tenant()];
    await quotas.setQuota(limited, { concurrentTasks: 5 });
    expect((await quotas.admitTask(task(free))).ok).toBe(true); // learns it has none
    r.disconnect();
    await expect(quotas.admitTask(task(limited))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { tenantId: limited, retryAfterSeconds: 5 },
    });
    await expect(quotas.admitTask(task(free))).resolves.toEqual({ ok: true, metered: false });
    await expect(quotas.usage(limited)).rejects.toBeInstanceOf(DomainError);
    await expect(quotas.releaseTask(task(limited))).resolves.toBeUndefined();
  });

  it('learns the index of quotas when it connects (a fresh process during a later outage)', async () => {
    const limited = tenant();
    await sut.setQuota(limited, { tasksPerMinute: 1 });
    const r = client();
    const quotas = new TenantQuotas(r, { keyPrefix: TENANT_QUOTA_KEY_PREFIX });
    await r.connect();
    // It reads the index once connected, in the background: wait for it to know the limited tenant.
    await until(() => quotas.underQuota(limited), 'the quota index to be loaded');
    expect(quotas.underQuota(limited)).toBe(true);
    expect(quotas.underQuota(tenant())).toBe(false);
    r.disconnect();
  });
});
