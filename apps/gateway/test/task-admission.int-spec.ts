import { type Actor, isDomainError, type Tenancy } from '@switchboard/contracts';
import { createLogger, Metrics, ReadinessRegistry } from '@switchboard/observability';
import { type PrivateRedis, startPrivateRedis, testRedisPrefix } from '@switchboard/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../src/config/gateway.env.js';
import { GatewayMetrics } from '../src/limits/gateway.metrics.js';
import { GatewayQuotas } from '../src/limits/gateway-quotas.js';
import { QuotaMetrics } from '../src/limits/quota.metrics.js';
import { GatewayRedis } from '../src/limits/redis.service.js';
import { TaskAdmission } from '../src/limits/task-admission.js';
import { TaskOwners } from '../src/tasks/task-owners.js';

const logger = createLogger({ service: 'gateway', instance: 't', level: 'silent', pretty: false });

/** One gateway replica's admission on its own Redis connection. */
async function replica(url: string, prefix: string) {
  const config = {
    REDIS_URL: url,
    REDIS_KEY_PREFIX: prefix,
    QUOTA_RETRY_AFTER_SECONDS: 7,
    QUOTA_TASK_LEASE_MS: 600_000,
    QUOTA_METRICS_MAX_TENANTS: 10,
  } as GatewayEnv;
  const redis = new GatewayRedis(config, new ReadinessRegistry(), logger);
  await redis.connect();
  const quotas = new GatewayQuotas(redis, config, logger);
  const metrics = new Metrics('gateway', randomUUID());
  const admission = new TaskAdmission(
    quotas,
    new QuotaMetrics(metrics, quotas, config, logger),
    new GatewayMetrics(metrics),
    config,
    logger,
  );
  return { redis, quotas, admission, owners: new TaskOwners(redis) };
}

// The gateway's admission of a task on a private redis-server (its own, so the server's counters are
// this test's alone): what SubmitTaskUseCase sends for a task — the quota admission (one script) and
// the owner record, side by side — reaches Redis in one read, and two replicas admitting at once
// take exactly the limit.
describe("a task's admission in one round trip (real Redis, two replicas)", () => {
  let server: PrivateRedis;
  let probe: Redis;
  let gateways: Awaited<ReturnType<typeof replica>>[];

  beforeAll(async () => {
    server = await startPrivateRedis();
    probe = new Redis(server.url);
    const prefix = testRedisPrefix('admission');
    gateways = [await replica(server.url, prefix), await replica(server.url, prefix)];
  });

  afterAll(async () => {
    for (const g of gateways ?? []) g.redis.disconnect();
    probe?.disconnect();
    await server?.stop();
  });

  /**
   * What the server has processed: reads from clients (a pipelined batch of commands is one read), and
   * the calls of the commands sent (a script's own calls are counted under theirs). The probe's own
   * INFO is one read.
   */
  const stats = async () => {
    const info = await probe.info('all');
    const n = (pattern: string) => Number(new RegExp(pattern).exec(info)?.[1] ?? 0);
    return {
      reads: n('total_reads_processed:(\\d+)'),
      sent: ['evalsha', 'eval', 'set'].map((c) => n(`cmdstat_${c}:calls=(\\d+)`)),
    };
  };
  const actor = (tenantId: string, userId = 'ann'): Actor => ({ userId, role: 'user', tenantId });

  it.each([
    ['without a quota', false],
    ['under a quota', true],
  ])('admits a task and records its owner in one round trip (%s)', async (_, quota) => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const [g] = gateways;
    if (quota) await g!.quotas.setQuota(tenant, { concurrentTasks: 5, tasksPerMinute: 50 });
    // The first task of the connection sends the script's text (EVAL); from then on its hash.
    await g!.admission.admit(actor(tenant), randomUUID());
    const before = await stats();
    const taskId = randomUUID();
    await Promise.all([
      g!.owners.remember(taskId, actor(tenant)),
      g!.admission.admit(actor(tenant), taskId),
    ]);
    const after = await stats();
    // One read, of the script by its hash and the SET, besides the probe's second INFO.
    expect(after.reads - before.reads - 1).toBe(1);
    expect(after.sent.map((calls, i) => calls - before.sent[i]!)).toEqual([1, 0, 1]);
    expect(await g!.owners.ownerOf(taskId)).toEqual({ tenantId: tenant, userId: 'ann' });
    expect((await g!.quotas.usage(tenant)).usage.runningTasks).toBe(quota ? 2 : 0);
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
