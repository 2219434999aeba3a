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

const redisPrefix = testRedisPrefix('tools-memory-retention');
const run = randomUUID().slice(0, 8);
const alice: Actor = { userId: `alice-${run}`, role: 'user', tenantId: `acme-${run}` };

// The real mcp-tools process with a 30-day retention and a sweep every second.
describe('memory retention (real process, NATS, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_memory_retention', 'mcp-tools');
    client = await createBusClient(nats.url, 'gateway');
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
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

  const remember = async (content: string) =>
    (
      await client.bus.request(
        Tools.ToolsCall,
        { tool: 'memory.remember', input: { content } },
        { actor: alice },
      )
    ).output as Tools.MemoryItem;
  const age = (id: string, days: number) =>
    db.query(
      `UPDATE "MemoryItem" SET "createdAt" = now() - make_interval(days => $2::int),
         "updatedAt" = now() - make_interval(days => $2::int) WHERE id = $1`,
      [id, days],
    );

  it('deletes the items not written for longer than the retention, and nothing else', async () => {
    const old = await remember('my old phone number is 123');
    const due = await remember('my old address is Elm Street');
    const recent = await remember('my phone number is 456');
    const almost = await remember('my address is Oak Street');
    await age(old.id, 40);
    await age(due.id, 31);
    await age(almost.id, 29);

    const left = await waitFor(async () => {
      const rows = await db.query<{ id: string }>('SELECT id FROM "MemoryItem" ORDER BY content');
      return rows.length === 2 ? rows.map((r) => r.id) : undefined;
    });
    expect(left.sort()).toEqual([almost.id, recent.id].sort());
    const found = await client.bus.request(
      Tools.MemorySearch,
      { query: 'phone number', limit: 5 },
      { actor: alice },
    );
    expect(found.items.map((i) => i.content)).toEqual(['my phone number is 456']);
  });
});
