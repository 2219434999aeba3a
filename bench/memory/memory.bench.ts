// Long-term memory's recall at scale: `npm run bench -- memory [--items 100000] [--rounds 300] [--dims 256]`.
// Self-contained: a private NATS, a test database, an OpenAI-compatible embeddings stub (a real HTTP
// server on loopback, libs/testing) and the real mcp-tools process. 100,000 items are written into
// each of two tenants (memory-seed.ts), with vectors. Then the planner's recall —
// `sb.cmd.tools.memory.search` as the orchestrator sends it, with the demo's question — is timed end
// to end (NATS round trip, mcp-tools, PostgreSQL, and for search by meaning the embeddings request and
// the comparison), twice: mcp-tools without an embeddings endpoint (full-text search) and with one.
// Each for a typical user (about 100 items of their own) and for one with 2,000 (a search by meaning
// compares MEMORY_EMBEDDINGS_CANDIDATES = 1,000 of them, plus the best word matches). Beside them: the
// full-text search statement alone (EXPLAIN ANALYZE), a NATS floor (the manifest's cached answer) and
// the stub's floor (one embeddings request from this process). Prints the percentiles as JSON.
import { Tools } from '@switchboard/contracts';
import {
  type BusClient,
  createBusClient,
  createTestDatabase,
  deleteRedisKeys,
  type EmbeddingsStub,
  startEmbeddingsStub,
  startPrivateNats,
  startService,
  type TestDatabase,
  testRedisPrefix,
} from '@switchboard/testing';
import { percentile } from '../stats.js';
import { HEAVY_USER, seed } from './memory-seed.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const ITEMS = arg('items', 100_000);
const ROUNDS = arg('rounds', 300);
const DIMS = arg('dims', 256);
const TENANT = 'bench-acme';
const QUERY = 'what is my favourite number times 6';
const MODEL = 'bench-embed';

const stats = (xs: number[]) => ({
  p50: round(percentile(xs, 50)),
  p95: round(percentile(xs, 95)),
  p99: round(percentile(xs, 99)),
});
const round = (x: number): number => Math.round(x * 100) / 100;

async function timed(rounds: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Recall for a typical and a heavy user, and the NATS floor, against one mcp-tools process. */
async function measure(client: BusClient) {
  const recall = (userId: string) => () =>
    client.bus.request(
      Tools.MemorySearch,
      { query: QUERY, limit: 5 },
      { actor: { userId, role: 'user', tenantId: TENANT } },
    );
  const floor = () =>
    client.bus.request(
      Tools.ToolsManifest,
      {},
      { actor: { userId: 'u7', role: 'user', tenantId: TENANT } },
    );
  await timed(30, async () => Promise.all([recall('u7')(), recall(HEAVY_USER)(), floor()]));
  const found = await recall('u7')();
  return {
    recalled: found.items[0] ? `${found.items[0].content} (${found.items[0].matchedBy})` : '',
    recallMs: stats(await timed(ROUNDS, recall('u7'))),
    recallHeavyUserMs: stats(await timed(ROUNDS, recall(HEAVY_USER))),
    natsFloorMs: stats(await timed(ROUNDS, floor)),
  };
}

async function withService<T>(
  env: Record<string, string>,
  natsUrl: string,
  fn: (client: BusClient) => Promise<T>,
): Promise<T> {
  const service = await startService('mcp-tools', env);
  const client = await createBusClient(natsUrl, 'orchestrator');
  try {
    return await fn(client);
  } finally {
    await client.close();
    await service.stop();
  }
}

async function main(): Promise<void> {
  const redisPrefix = testRedisPrefix('bench-memory');
  const nats = await startPrivateNats();
  const db = await createTestDatabase('bench_memory', 'mcp-tools');
  const stub: EmbeddingsStub = await startEmbeddingsStub({ dimensions: DIMS });
  const env = {
    NATS_SERVERS: nats.url,
    DATABASE_URL: db.url,
    REDIS_KEY_PREFIX: redisPrefix,
    LOG_LEVEL: 'warn',
  };
  try {
    const seeded = performance.now();
    await seed(db, {
      items: ITEMS,
      tenants: [TENANT, 'bench-globex'],
      model: `${MODEL}@${DIMS}`,
      embed: (text) => stub.embed(text, DIMS),
    });
    const seedMs = performance.now() - seeded;
    const words = await withService(env, nats.url, measure);
    const meaning = await withService(
      {
        ...env,
        MEMORY_EMBEDDINGS_BASE_URL: stub.baseUrl,
        MEMORY_EMBEDDINGS_MODEL: MODEL,
        MEMORY_EMBEDDINGS_DIMENSIONS: String(DIMS),
      },
      nats.url,
      measure,
    );
    const stubFloor = await timed(ROUNDS, () =>
      fetch(`${stub.baseUrl}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: MODEL,
          input: [QUERY],
          dimensions: DIMS,
          encoding_format: 'float',
        }),
      }).then((r) => r.json()),
    );
    console.log(
      JSON.stringify(
        {
          itemsPerTenant: ITEMS,
          tenants: 2,
          dimensions: DIMS,
          seedSeconds: round(seedMs / 1000),
          fullTextSearch: {
            ...words,
            searchStatementMs: stats(await statementTimes(db, 'u7', 100)),
          },
          searchByMeaning: { ...meaning, embeddingsStubFloorMs: stats(stubFloor) },
          rounds: ROUNDS,
        },
        null,
        2,
      ),
    );
  } finally {
    await stub.stop();
    await nats.stop();
    await db.drop();
    await deleteRedisKeys(redisPrefix);
  }
}

/** The full-text search statement's execution time in PostgreSQL (the statement mcp-tools runs). */
async function statementTimes(db: TestDatabase, userId: string, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const plan = await db.query<{ 'QUERY PLAN': { 'Execution Time': number }[] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON)
       SELECT "id", ts_rank("search", q)::float8 AS "score"
       FROM "MemoryItem",
            LATERAL (SELECT NULLIF(replace(plainto_tsquery('english', $1)::text, ' & ', ' | '), '')::tsquery AS q) AS s
       WHERE "tenantId" = $2 AND "search" @@ q
         AND (("namespaceKind" = 'user' AND "namespaceKey" = $3)
              OR ("namespaceKind" = 'thread' AND "ownerId" = $3)
              OR "namespaceKind" IN ('agent', 'tenant'))
       ORDER BY "score" DESC, "createdAt" DESC LIMIT 5`,
      [QUERY, TENANT, userId],
    );
    const time = plan[0]?.['QUERY PLAN'][0]?.['Execution Time'];
    if (time === undefined) throw new Error('EXPLAIN ANALYZE gave no execution time');
    out.push(time);
  }
  return out;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
