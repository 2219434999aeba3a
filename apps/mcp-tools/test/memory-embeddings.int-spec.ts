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

const redisPrefix = testRedisPrefix('tools-memory-emb');
const run = randomUUID().slice(0, 8);
const acme = `acme-${run}`;
const alice: Actor = { userId: `alice-${run}`, role: 'user', tenantId: acme };
const bob: Actor = { userId: `bob-${run}`, role: 'user', tenantId: acme };
const globexAlice: Actor = { ...alice, tenantId: `globex-${run}` };
const globexAdmin: Actor = { userId: `gus-${run}`, role: 'admin', tenantId: `globex-${run}` };
const operator: Actor = { userId: `ops-${run}`, role: 'platform-admin', tenantId: `globex-${run}` };
const KEY = `emb-key-${run}`;

type Recalled = { items: Tools.RecalledMemory[] };

// The real mcp-tools process with an OpenAI-compatible embeddings endpoint (a real HTTP stub that
// answers deterministic vectors, synonyms near each other): search by meaning (docs/memory.md).
describe('memory search by meaning (real process, embeddings stub, PostgreSQL)', () => {
  let nats: PrivateNats;
  let db: TestDatabase;
  let stub: EmbeddingsStub;
  let service: ServiceHandle;
  let client: BusClient;

  beforeAll(async () => {
    nats = await startPrivateNats();
    db = await createTestDatabase('tools_memory_emb', 'mcp-tools');
    stub = await startEmbeddingsStub();
    client = await createBusClient(nats.url, 'gateway');
    await ensureStreams(client);
    service = await startService('mcp-tools', {
      NATS_SERVERS: nats.url,
      DATABASE_URL: db.url,
      REDIS_KEY_PREFIX: redisPrefix,
      MEMORY_EMBEDDINGS_BASE_URL: stub.baseUrl,
      MEMORY_EMBEDDINGS_MODEL: 'stub-embed',
      MEMORY_EMBEDDINGS_DIMENSIONS: '128',
      MEMORY_EMBEDDINGS_API_KEY: KEY,
      // No re-embedding sweep here: an item stored while the endpoint is down stays without a
      // vector (memory-reembed.int-spec.ts shows the sweep).
      MEMORY_EMBEDDINGS_REEMBED_MS: '86400000',
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

  const call = (actor: Actor, tool: string, input: Record<string, unknown>) =>
    client.bus.request(Tools.ToolsCall, { tool, input }, { actor });
  const recall = async (actor: Actor, query: string) =>
    (await call(actor, 'memory.recall', { query })).output as Recalled;
  const search = (actor: Actor, query: string) =>
    client.bus.request(Tools.MemorySearch, { query, limit: 5 }, { actor });

  it('stores a vector with each item and finds it by meaning where its words do not match', async () => {
    const stored = (await call(alice, 'memory.remember', { content: 'my favourite number is 7' }))
      .output as Tools.MemoryItem;
    await call(alice, 'memory.remember', { content: 'my cat is called Tom' });
    const [row] = await db.query<{ bytes: number; model: string }>(
      'SELECT length("embedding") AS bytes, "embeddingModel" AS model FROM "MemoryItem" WHERE id = $1',
      [stored.id],
    );
    expect(row).toEqual({ bytes: 128 * 4, model: 'stub-embed@128' });

    // No word in common (full-text search finds nothing), the same meaning.
    const query = 'which figure do I like best';
    const [words] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "MemoryItem"
       WHERE "search" @@ replace(plainto_tsquery('english', $1)::text, ' & ', ' | ')::tsquery`,
      [query],
    );
    expect(words?.n).toBe(0);
    const found = await recall(alice, query);
    expect(found.items.map((i) => [i.content, i.matchedBy])).toEqual([
      ['my favourite number is 7', 'meaning'],
    ]);
    expect((await search(alice, 'what is my favourite number times 6')).items[0]).toMatchObject({
      id: stored.id,
      matchedBy: 'meaning',
      score: expect.closeTo(2 / 3, 5),
    });

    const sent = stub.requests.at(-1)!;
    expect(sent.body).toMatchObject({
      model: 'stub-embed',
      dimensions: 128,
      encoding_format: 'float',
    });
    expect(sent.headers['authorization']).toBe(`Bearer ${KEY}`);
  });

  it('lets no other user, tenant, tenant admin or operator find it by meaning', async () => {
    for (const other of [bob, globexAlice, globexAdmin, operator]) {
      expect((await recall(other, 'which figure do I like best')).items).toEqual([]);
      expect((await search(other, 'my favourite number')).items).toEqual([]);
    }
  });

  it('stores an item while the endpoint is down, found by its words; a recall then falls back to words', async () => {
    stub.failNext(1, 503);
    const stored = (await call(alice, 'memory.remember', { content: 'my dentist is Dr Hale' }))
      .output as Tools.MemoryItem;
    const [row] = await db.query<{ embedding: unknown }>(
      'SELECT "embedding" FROM "MemoryItem" WHERE id = $1',
      [stored.id],
    );
    expect(row?.embedding).toBeNull();
    expect(
      (await recall(alice, 'who is my dentist')).items.map((i) => [i.id, i.matchedBy]),
    ).toEqual([[stored.id, 'words']]);

    stub.failNext(1, 500);
    const fallback = await search(alice, 'my favourite number');
    expect(fallback.items.map((i) => [i.content, i.matchedBy])).toEqual([
      ['my favourite number is 7', 'words'],
    ]);
    await waitFor(() => service.logs().includes('request failed; words only') || undefined);
    expect(service.logs()).not.toContain(KEY);
  });

  it('edits an item with its vector: by meaning the new text is found, never the old; unembedded, by its words', async () => {
    // A tenant of its own: the last test finds acme empty.
    const cyd: Actor = { userId: `cyd-${run}`, role: 'user', tenantId: `initech-${run}` };
    const { id } = (await call(cyd, 'memory.remember', { content: 'my favourite colour is teal' }))
      .output as Tools.MemoryItem;
    const found = async (query: string) =>
      (await search(cyd, query)).items.map((i) => [i.content, i.matchedBy]);
    const edit = (content: string) =>
      client.bus.request(Tools.MemoryUpdate, { id, content }, { actor: cyd });
    const vectorOf = async () =>
      (
        await db.query<{ model: string | null }>(
          'SELECT "embeddingModel" AS model FROM "MemoryItem" WHERE id = $1',
          [id],
        )
      )[0]?.model;
    expect(await found('which shade do I like best')).toEqual([
      ['my favourite colour is teal', 'meaning'],
    ]);

    await edit('my dog is called Rex');
    expect(await found('which shade do I like best')).toEqual([]);
    expect(await found('what is my puppy called')).toEqual([['my dog is called Rex', 'meaning']]);
    expect(await vectorOf()).toBe('stub-embed@128');

    // The endpoint down during an edit: the old vector goes with the old text.
    stub.failNext(1, 503);
    await edit('my hound sleeps in the garden');
    expect(await vectorOf()).toBeNull();
    expect(await found('what is my puppy called')).toEqual([]);
    expect(await found('where does my hound sleep')).toEqual([
      ['my hound sleeps in the garden', 'words'],
    ]);
  });

  it('forgets a user with their vectors: no row, so no vector, is left', async () => {
    const forgot = await client.bus.request(
      Tools.MemoryForgetUser,
      { userId: alice.userId },
      { actor: alice },
    );
    expect(forgot).toMatchObject({ deleted: 3, verified: true });
    const left = await db.query('SELECT id FROM "MemoryItem" WHERE "tenantId" = $1', [acme]);
    expect(left).toEqual([]);
    expect((await recall(alice, 'which figure do I like best')).items).toEqual([]);
  });
});
