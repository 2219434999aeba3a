import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type PrivateNats,
  type ServiceHandle,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { auditRecords, ensureStreams, failure, writeToolsFile } from './support.js';

const redisPrefix = testRedisPrefix('tools-memory-retention-t');
const run = randomUUID().slice(0, 8);
const acme = `acme-${run}`;
const globex = `globex-${run}`;
const initech = `initech-${run}`;
const ada: Actor = { userId: `ada-${run}`, role: 'user', tenantId: acme };
const ann: Actor = { userId: `ann-${run}`, role: 'admin', tenantId: acme };
const gus: Actor = { userId: `gus-${run}`, role: 'user', tenantId: globex };
const ian: Actor = { userId: `ian-${run}`, role: 'user', tenantId: initech };
const operator: Actor = { userId: `ops-${run}`, role: 'platform-admin', tenantId: `ops-${run}` };

// The real mcp-tools process with the platform's 30 days and tenants' own retention in the tenants
// file (docs/memory.md, "Retention"), swept every second.
describe('memory retention per tenant and namespace (real process, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_memory_retention_t', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    const tenantsFile = writeToolsFile(
      'tenants.json',
      JSON.stringify({
        tenants: {
          [acme]: {
            memory: { retentionDays: 10, namespaces: { thread: 2, 'tenant:handbook': 0 } },
          },
          [initech]: { memory: { retentionDays: 0 } },
        },
      }),
    );
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      TENANTS_FILE: tenantsFile,
      MEMORY_RETENTION_DAYS: '30',
      MEMORY_RETENTION_SWEEP_MS: '1000',
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  /** Stores an item through the tools and makes it `days` old; returns its id. */
  const stored = async (
    actor: Actor,
    tool: string,
    content: string,
    days: number,
    namespace?: Tools.MemoryNamespace,
  ): Promise<string> => {
    const input = { content, ...(namespace ? { namespace } : {}) };
    const { output } = await client.bus.request(Tools.ToolsCall, { tool, input }, { actor });
    const { id } = output as Tools.MemoryItem;
    await db.query(
      `UPDATE "MemoryItem" SET "createdAt" = now() - make_interval(days => $2::int),
         "updatedAt" = now() - make_interval(days => $2::int) WHERE id = $1`,
      [id, days],
    );
    return id;
  };

  it('deletes by the most specific rule what is due, and nothing else', async () => {
    const thread = { kind: 'thread' as const, key: `t-${run}` };
    const due = [
      await stored(ada, 'memory.remember', 'acme user, 11 days (tenant: 10)', 11),
      await stored(ada, 'memory.remember', 'acme thread, 3 days (thread: 2)', 3, thread),
      await stored(ann, 'memory.share', 'acme shared, 11 days (tenant: 10)', 11, {
        kind: 'tenant',
        key: 'rules',
      }),
      await stored(gus, 'memory.remember', 'globex user, 31 days (platform: 30)', 31),
    ];
    const kept = [
      await stored(ada, 'memory.remember', 'acme user, 9 days (tenant: 10)', 9),
      await stored(ada, 'memory.remember', 'acme thread, 1 day (thread: 2)', 1, thread),
      await stored(ann, 'memory.share', 'acme handbook, 400 days (handbook: 0)', 400, {
        kind: 'tenant',
        key: 'handbook',
      }),
      await stored(gus, 'memory.remember', 'globex user, 11 days (platform: 30)', 11),
      await stored(ian, 'memory.remember', 'initech user, 400 days (tenant: 0)', 400),
    ];

    // Swept every second: once what is due is gone, what is left must be exactly the rest.
    const left = await waitFor(async () => {
      const rows = await db.query<{ id: string }>('SELECT id FROM "MemoryItem"');
      return rows.length <= kept.length ? rows.map((r) => r.id) : undefined;
    });
    expect(left.sort()).toEqual([...kept].sort());
    expect(due.some((id) => left.includes(id))).toBe(false);
  });

  it("removes all of a tenant's items with the tenant: the operator or its admin, nobody else", async () => {
    const globexItems = [
      await stored(gus, 'memory.remember', 'globex: my locker is 12', 0),
      await stored(gus, 'memory.remember', 'globex: my badge is blue', 0),
    ];
    const acmeBefore = await db.query(
      'SELECT id FROM "MemoryItem" WHERE "tenantId" = $1 ORDER BY id',
      [acme],
    );
    const forget = (actor: Actor, tenantId: string) =>
      client.bus.request(Tools.MemoryForgetTenant, { tenantId }, { actor });

    for (const who of [gus, ann]) {
      expect(await failure(forget(who, globex))).toMatchObject({ code: 'FORBIDDEN' });
    }
    const audited = await waitFor(async () =>
      (await auditRecords(client)).find(
        (r) => r.action === 'memory.forget-tenant' && r.actor.userId === ann.userId,
      ),
    );
    expect(audited).toMatchObject({
      outcome: 'denied',
      tenantId: acme,
      resource: `memory/tenant:${globex}`,
    });

    const forgot = await forget(operator, globex);
    expect(forgot).toEqual({ tenantId: globex, deleted: globexItems.length + 1, verified: true });
    expect(await db.query('SELECT id FROM "MemoryItem" WHERE "tenantId" = $1', [globex])).toEqual(
      [],
    );
    expect(
      await db.query('SELECT id FROM "MemoryItem" WHERE "tenantId" = $1 ORDER BY id', [acme]),
    ).toEqual(acmeBefore);
    const record = await waitFor(async () =>
      (await auditRecords(client)).find(
        (r) => r.action === 'memory.forget-tenant' && r.outcome === 'success',
      ),
    );
    expect(record.details).toMatchObject({ tenantId: globex, deleted: 3, remaining: 0 });
    expect(record.details['contentSha256']).toHaveLength(3);
    expect(JSON.stringify(record)).not.toContain('locker');
  });
});
