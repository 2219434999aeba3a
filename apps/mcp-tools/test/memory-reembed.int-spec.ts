import { type Actor, Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type EmbeddingsStub,
  type PrivateNats,
  type ServiceHandle,
  startEmbeddingsStub,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
  waitFor,
} from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { ensureStreams } from './support.js';

const redisPrefix = testRedisPrefix('tools-memory-reembed');
const run = randomUUID().slice(0, 8);
const alice: Actor = { userId: `alice-${run}`, role: 'user', tenantId: `acme-${run}` };
const MODEL = 'stub-embed@64';

type Recalled = { items: Tools.RecalledMemory[] };

// The real mcp-tools process re-embedding what lacks a vector of its model (docs/memory.md): its
// sweep period comes from MEMORY_EMBEDDINGS_REEMBED_MS, so the test waits for the sweep's effect.
describe('memory re-embedding (real process, embeddings stub, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let stub: EmbeddingsStub;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_memory_reembed', 'mcp-tools');
    stub = await startEmbeddingsStub();
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      MEMORY_EMBEDDINGS_BASE_URL: stub.baseUrl,
      MEMORY_EMBEDDINGS_MODEL: 'stub-embed',
      MEMORY_EMBEDDINGS_DIMENSIONS: '64',
      MEMORY_EMBEDDINGS_REEMBED_MS: '1000',
    });
  });

  afterAll(async () => {
    await client?.close();
    await service?.stop();
    await stub?.stop();
    await nats?.stop();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  });

  const call = (tool: string, input: Record<string, unknown>) =>
    client.bus.request(Tools.ToolsCall, { tool, input }, { actor: alice });
  const stored = (id: string) =>
    db.query<{ model: string | null; vector: string | null }>(
      `SELECT "embeddingModel" AS model, translate(encode("embedding", 'base64'), E'\n', '') AS vector
       FROM "MemoryItem" WHERE id = $1`,
      [id],
    );
  /** The stub's vector of `text` as stored (float32 little-endian, base64). */
  const vectorOf = (text: string) =>
    Buffer.from(new Float32Array(stub.embed(text, 64)).buffer).toString('base64');

  it('gives an item stored while the endpoint was down its vector, and finds it by meaning then', async () => {
    stub.failNext(1, 503);
    const item = (await call('memory.remember', { content: 'my favourite number is 7' }))
      .output as Tools.MemoryItem;
    // The put's own request failed; the vector comes from a later one, the sweep's.
    const failed = stub.requests.length;
    const [row] = await waitFor(
      async () => {
        const rows = await stored(item.id);
        return rows[0]?.model === MODEL ? rows : undefined;
      },
      { what: 'the vector of the item stored while the endpoint was down' },
    );
    expect(row?.vector).toBe(vectorOf('my favourite number is 7'));
    expect(
      stub.requests.slice(failed).some((r) => JSON.stringify(r.body.input).includes('favourite')),
    ).toBe(true);

    const found = (await call('memory.recall', { query: 'which figure do I like best' }))
      .output as Recalled;
    expect(found.items.map((i) => [i.id, i.matchedBy])).toEqual([[item.id, 'meaning']]);
  });

  it("embeds again what another model embedded, with this one's vector", async () => {
    const item = (await call('memory.remember', { content: 'my cat is called Tom' }))
      .output as Tools.MemoryItem;
    await db.query(
      `UPDATE "MemoryItem" SET "embeddingModel" = 'old-model@3', "embedding" = '\\x00000000'
       WHERE id = $1`,
      [item.id],
    );
    const [row] = await waitFor(
      async () => {
        const rows = await stored(item.id);
        return rows[0]?.model === MODEL ? rows : undefined;
      },
      { what: "the current model's vector" },
    );
    expect(row?.vector).toBe(vectorOf('my cat is called Tom'));
  });
});
