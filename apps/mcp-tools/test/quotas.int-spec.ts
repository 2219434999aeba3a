import { type Actor, isDomainError, Tools } from '@switchboard/contracts';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from '@switchboard/runtime';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  TEST_REDIS_URL,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { auditRecords, ensureStreams, failure } from './support.js';

const redisPrefix = testRedisPrefix('tools-quota');

// toolCallsPerDay on two real mcp-tools processes sharing one Redis prefix (as every replica does) and
// one database: the quota is set through the same adapter the gateway's PUT /tenants/{t}/quotas uses.
describe('toolCallsPerDay (two mcp-tools processes, NATS, PostgreSQL, Redis)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  const replicas: ServiceHandle[] = [];
  let client: BusClient;
  let redis: Redis;
  let quotas: TenantQuotas;
  const tenant = (name: string) => `${name}-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_quota', 'mcp-tools');
    const env = { NATS_SERVERS: nats.url, DATABASE_URL: db.url, REDIS_KEY_PREFIX: redisPrefix };
    for (const id of ['a', 'b'])
      replicas.push(await startService('mcp-tools', { ...env, INSTANCE_ID: `tools-${id}` }));
    client = await createBusClient(nats.url, 'orchestrator');
    await ensureStreams(client);
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: redisPrefix, lazyConnect: true });
    await redis.connect();
    quotas = new TenantQuotas(redis, { keyPrefix: TENANT_QUOTA_KEY_PREFIX });
  });

  afterAll(async () => {
    await client?.close();
    await Promise.allSettled(replicas.map((r) => r.stop()));
    await nats?.stop();
    await db?.drop();
    await redis?.quit();
    await deleteRedisKeys(redisPrefix);
  });

  /**
   * One calculator call, sent again while the answer is a retryable refusal, as the orchestrator
   * does: a replica whose Redis command timed out (2 s; a landing run's loaded machine starved a
   * fresh replica so) refuses a tenant under a quota as unavailable without counting the call.
   */
  const calc = async (actor: Actor, extra: Partial<Tools.ToolCallRequest> = {}) => {
    const call = () =>
      client.bus.request(
        Tools.ToolsCall,
        { tool: 'calculator', input: { expression: '6 * 7' }, ...extra },
        { actor },
      );
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (!(isDomainError(e) && e.code === 'UPSTREAM_UNAVAILABLE') || attempt === 3) throw e;
      }
    }
  };
  const notesAdd = (actor: Actor, idempotencyKey: string) =>
    client.bus.request(
      Tools.ToolsCall,
      { tool: 'notes.add', input: { content: 'quota' }, idempotencyKey },
      { actor },
    );

  it('runs exactly N of many parallel calls across both replicas; the rest are RATE_LIMITED naming the quota, audited denied', async () => {
    const t = tenant('q');
    await quotas.setQuota(t, { toolCallsPerDay: 7 });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        calc({ userId: `u${i % 4}`, role: 'user', tenantId: t }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(33);
    for (const r of refused)
      expect(r.reason).toMatchObject({
        code: 'RATE_LIMITED',
        details: { quota: 'toolCallsPerDay', scope: 'tenant', tenantId: t, limit: 7, used: 7 },
      });
    expect((await quotas.usage(t)).usage.toolCalls).toBe(7);
    // Another tenant, without a quota, is not limited (nor counted).
    const free = tenant('free');
    await Promise.all(
      Array.from({ length: 10 }, () => calc({ userId: 'u', role: 'user', tenantId: free })),
    );
    const denied = await waitFor(
      async () => {
        const mine = (await auditRecords(client)).filter(
          (r) => r.tenantId === t && r.action === 'tool.call' && r.outcome === 'denied',
        );
        return mine.length === 33 ? mine : undefined;
      },
      { what: '33 denied tool calls in the audit stream' },
    );
    expect(denied[0]?.details).toMatchObject({
      code: 'RATE_LIMITED',
      quota: { quota: 'toolCallsPerDay', limit: 7 },
    });
  });

  it('counts a keyed call once, its repeats answered from the store not at all; a refused key runs once admitted', async () => {
    const t = tenant('k');
    const ada: Actor = { userId: 'ada', role: 'user', tenantId: t };
    await quotas.setQuota(t, { perUser: { toolCallsPerDay: 1 } });
    const key = `task-${randomUUID()}:s1`;
    const first = await notesAdd(ada, key);
    expect(first).toMatchObject({ replayed: false });
    // The same call again (a lost reply, a resumed task), on either replica: replayed, not counted.
    expect(await notesAdd(ada, key)).toMatchObject({ replayed: true });
    expect((await quotas.usage(t, { users: ['ada'] })).users?.[0]?.usage.toolCalls).toBe(1);
    // A new call is over ada's own limit: refused before it runs, and not stored as its outcome...
    const second = `task-${randomUUID()}:s2`;
    expect(await failure(notesAdd(ada, second))).toMatchObject({
      code: 'RATE_LIMITED',
      details: { quota: 'toolCallsPerDay', scope: 'user', userId: 'ada' },
    });
    // ...so once admitted (the limit raised) the same key runs, once.
    await quotas.setQuota(t, { perUser: { toolCallsPerDay: 2 } });
    expect(await notesAdd(ada, second)).toMatchObject({ replayed: false });
    expect(await notesAdd(ada, second)).toMatchObject({ replayed: true });
    const notes = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM "Note" WHERE "tenantId" = $1 AND "userId" = $2',
      [t, 'ada'],
    );
    expect(notes[0]?.n).toBe(2);
  });
});
