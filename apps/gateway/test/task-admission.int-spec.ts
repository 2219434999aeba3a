import { type Actor, isDomainError, type Tenancy } from '@switchboard/contracts';
import { createLogger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import { OptionalRedis, TenantQuotasService } from '@switchboard/runtime';
import { type PrivateRedis, startPrivateRedis, testRedisPrefix } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../src/config/gateway.env.js';
import { GatewayMetrics } from '../src/limits/gateway.metrics.js';
import { QuotaMetrics } from '../src/limits/quota.metrics.js';
import { gatewayQuotaSettings } from '../src/limits/quota.settings.js';
import { RequestRateLimiter } from '../src/limits/rate-limiter.js';
import { GATEWAY_REDIS } from '../src/limits/redis.settings.js';
import { StreamSlots } from '../src/limits/stream-slots.js';
import { TaskAdmission } from '../src/limits/task-admission.js';
import { TaskOwners } from '../src/tasks/task-owners.js';

const logger = createLogger({ service: 'gateway', instance: 't', level: 'silent', pretty: false });

/** One gateway replica's admission on its own Redis connection. */
async function replica(url: string, prefix: string, limits: Partial<GatewayEnv> = {}) {
  const config = {
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    QUOTA_RETRY_AFTER_SECONDS: 7,
    QUOTA_TASK_LEASE_MS: 600_000,
    TASK_OWNER_TTL_MS: 7 * 86_400_000,
    QUOTA_METRICS_MAX_TENANTS: 10,
    RATE_LIMIT_PER_MINUTE: 600,
    RATE_LIMIT_WINDOW_SECONDS: 60,
    MAX_STREAMS_PER_USER: 20,
    STREAM_LEASE_MS: 60_000,
    ...limits,
  } as GatewayEnv;
  const redis = new OptionalRedis(config, GATEWAY_REDIS, new ReadinessRegistry(), logger);
  await redis.connect();
  const quotas = new TenantQuotasService(redis, gatewayQuotaSettings(config), logger);
  const metrics = new Metrics('gateway', randomUUID());
  const gatewayMetrics = new GatewayMetrics(metrics);
  const limiter = new RequestRateLimiter(redis, config, gatewayMetrics, logger);
  const slots = new StreamSlots(redis, config, gatewayMetrics, logger);
  const admission = new TaskAdmission(
    quotas,
    redis,
    limiter,
    slots,
    new QuotaMetrics(metrics, quotas, config, logger),
    gatewayMetrics,
    config,
    logger,
  );
  return { redis, quotas, admission, limiter, slots, owners: new TaskOwners(redis) };
}

// The gateway's admission of a task on a private redis-server (its own, so the server's counters are
// this test's alone): what a task's request takes — its rate window, the session's stream slot, the
// tenant's quotas and the owner record — reaches Redis in one read, and replicas admitting at once
// take exactly each limit.
describe("a task's admission in one round trip (real Redis, two replicas)", () => {
  let server: PrivateRedis;
  let probe: Redis;
  let prefix: string;
  let gateways: Awaited<ReturnType<typeof replica>>[];

  beforeAll(async () => {
    server = await startPrivateRedis();
    probe = new Redis(server.url);
    prefix = testRedisPrefix('admission');
    gateways = [await replica(server.url, prefix), await replica(server.url, prefix)];
  });

  afterAll(async () => {
    for (const g of gateways ?? []) {
      g.slots.onModuleDestroy();
      g.redis.disconnect();
    }
    probe?.disconnect();
    await server?.stop();
  });

  /**
   * What the server has processed: reads from clients (a pipelined batch of commands is one read), and
   * the calls of the scripts sent. The probe's own INFO is one read.
   */
  const stats = async () => {
    const info = await probe.info('all');
    const n = (pattern: string) => Number(new RegExp(pattern).exec(info)?.[1] ?? 0);
    return {
      reads: n('total_reads_processed:(\\d+)'),
      sent: ['evalsha', 'eval'].map((c) => n(`cmdstat_${c}:calls=(\\d+)`)),
    };
  };
  const actor = (tenantId: string, userId = 'ann'): Actor => ({ userId, role: 'user', tenantId });
  const settled = (p: Promise<unknown>) =>
    p.then(
      () => 'admitted',
      (e: unknown) => (isDomainError(e) ? ((e.details as { limit?: string }).limit ?? e.code) : e),
    );

  it.each([
    ['without a quota', false],
    ['under a quota', true],
  ])(
    'admits a task with its rate charge, stream slot and owner record in one round trip (%s)',
    async (_, quota) => {
      const tenant = `t${randomUUID().slice(0, 8)}`;
      const [g] = gateways;
      const ann = actor(tenant, `ann-${tenant}`);
      if (quota) await g!.quotas.setQuota(tenant, { concurrentTasks: 5, tasksPerMinute: 50 });
      // The first task of the connection sends the script's text (EVAL); from then on its hash.
      await g!.admission.admit(ann, randomUUID());
      const before = await stats();
      const taskId = randomUUID();
      const slot = await g!.admission.admit(ann, taskId, {
        rate: g!.limiter.defer(ann),
        slot: 'sse',
      });
      const after = await stats();
      // One read, of the script by its hash, besides the probe's second INFO.
      expect(after.reads - before.reads - 1).toBe(1);
      expect(after.sent.map((calls, i) => calls - before.sent[i]!)).toEqual([1, 0]);
      expect(await g!.owners.ownerOf(taskId)).toEqual({ tenantId: tenant, userId: ann.userId });
      expect((await g!.quotas.usage(tenant)).usage.runningTasks).toBe(quota ? 2 : 0);
      expect(await probe.zrange(`${prefix}streams:${ann.userId}`, '0', '-1')).toEqual([taskId]);
      expect(await probe.get(`${prefix}rl:req:${ann.userId}`)).toBe('1');
      await slot?.taskEnded();
    },
  );

  it("counts the rate window with the guard's limiter exactly, across replicas: the limit, not one more", async () => {
    const limited = [
      await replica(server.url, prefix, { RATE_LIMIT_PER_MINUTE: 7 }),
      await replica(server.url, prefix, { RATE_LIMIT_PER_MINUTE: 7 }),
    ];
    try {
      const ann = actor(`t${randomUUID().slice(0, 8)}`);
      // Each connection's first use of a script sends its text (EVAL), alone, before the burst.
      for (const g of limited) {
        const warm = actor(`t${randomUUID().slice(0, 8)}`, 'warm');
        await g.limiter.admit(warm);
        await g.admission.admit(warm, randomUUID(), { rate: g.limiter.defer(warm) });
      }
      // Half of the requests are charged by the guard alone, half by their task's admission.
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const g = limited[i % 2]!;
          return settled(
            i % 3 === 0
              ? g.limiter.admit(ann)
              : g.admission.admit(ann, randomUUID(), { rate: g.limiter.defer(ann) }),
          );
        }),
      );
      expect(answers.filter((a) => a === 'admitted')).toHaveLength(7);
      expect(answers.filter((a) => a === 'rate')).toHaveLength(23);
      expect(await probe.get(`${prefix}rl:req:${ann.userId}`)).toBe('30');
    } finally {
      for (const g of limited) g.redis.disconnect();
    }
  });

  it("holds a user to the streams cap across replicas; a refused slot takes no quota slot; the task's end frees it", async () => {
    const capped = [
      await replica(server.url, prefix, { MAX_STREAMS_PER_USER: 3 }),
      await replica(server.url, prefix, { MAX_STREAMS_PER_USER: 3 }),
    ];
    try {
      const tenant = `t${randomUUID().slice(0, 8)}`;
      await capped[0]!.quotas.setQuota(tenant, { concurrentTasks: 10 });
      // Each connection's first use of the script sends its text (EVAL), alone, before the burst.
      for (const g of capped) await g.admission.admit(actor('warm', 'warm'), randomUUID());
      const ann = actor(tenant);
      const ids = Array.from({ length: 12 }, () => randomUUID());
      const answers = await Promise.all(
        ids.map((id, i) => settled(capped[i % 2]!.admission.admit(ann, id, { slot: 'sse' }))),
      );
      expect(answers.filter((a) => a === 'admitted')).toHaveLength(3);
      expect(answers.filter((a) => a === 'streams')).toHaveLength(9);
      expect((await capped[0]!.quotas.usage(tenant)).usage.runningTasks).toBe(3);
      // The orchestrator ends one of them: its running slot and its stream slot go together.
      const ended = ids[answers.indexOf('admitted')]!;
      await capped[1]!.quotas.releaseTask({ tenantId: tenant, userId: ann.userId, taskId: ended });
      expect(await probe.zscore(`${prefix}streams:${ann.userId}`, ended)).toBeNull();
      await expect(
        capped[0]!.admission.admit(ann, randomUUID(), { slot: 'sse' }),
      ).resolves.toBeDefined();
    } finally {
      for (const g of capped) {
        g.slots.onModuleDestroy();
        g.redis.disconnect();
      }
    }
  });

  it('two replicas admitting at once take exactly the limit; the others are refused naming the quota', async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    await gateways[0]!.quotas.setQuota(tenant, { concurrentTasks: 6 });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        gateways[i % 2]!.admission.admit(actor(tenant, `u${i % 4}`), randomUUID()).then(
          () => 'admitted',
          (e: unknown) => e,
        ),
      ),
    );
    expect(answers.filter((a) => a === 'admitted')).toHaveLength(6);
    const refusals = answers.filter((a) => a !== 'admitted');
    expect(refusals).toHaveLength(34);
    for (const e of refusals) {
      expect(isDomainError(e) && e.code).toBe('RATE_LIMITED');
      expect((e as { details: Tenancy.QuotaExceeded }).details).toMatchObject({
        quota: 'concurrentTasks',
        scope: 'tenant',
        tenantId: tenant,
        limit: 6,
        used: 6,
        retryAfterSeconds: 7,
      });
    }
    expect((await gateways[1]!.quotas.usage(tenant)).usage.runningTasks).toBe(6);
  });
});
