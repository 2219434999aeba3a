// The memory bench's data: sentences of 6 words drawn from WORDS (so searches match thousands of rows,
// the hard case for ranking) and a number, 1,000 users a tenant, two tenants; one user with 2,000
// items of their own (a search by meaning compares MEMORY_EMBEDDINGS_CANDIDATES of them at most);
// the demo's fact for user u7. Each row with the vector the embeddings stub gives its text, stored as
// mcp-tools stores it (unit length, float32 little-endian), so one seeding serves both searches.
import type { TestDatabase } from '@switchboard/testing';

export const WORDS = [
  'meeting',
  'project',
  'coffee',
  'holiday',
  'invoice',
  'client',
  'deadline',
  'garden',
  'train',
  'office',
  'budget',
  'report',
  'birthday',
  'doctor',
  'password',
  'recipe',
  'colour',
  'city',
  'language',
  'team',
  'number',
  'favourite',
  'book',
  'film',
  'song',
  'car',
  'dog',
  'cat',
];

export const HEAVY_USER = 'heavy';
const HEAVY_ITEMS = 2_000;
const BATCH = 2_000;

export interface SeedOptions {
  items: number;
  tenants: readonly string[];
  /** The model name mcp-tools records with each vector (MEMORY_EMBEDDINGS_MODEL@DIMENSIONS). */
  model: string;
  embed: (text: string) => number[];
}

const sentence = (i: number): string =>
  [1, 2, 3, 4, 5, 6].map((k) => WORDS[(i * 7919 + k * 104729) % WORDS.length]).join(' ') + ` ${i}`;

function vectorBytes(values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

async function insert(
  db: TestDatabase,
  tenant: string,
  rows: { user: string; content: string }[],
  opts: SeedOptions,
): Promise<void> {
  await db.query(
    `INSERT INTO "MemoryItem" ("id", "tenantId", "namespaceKind", "namespaceKey", "ownerId",
       "content", "writerUserId", "embedding", "embeddingModel")
     SELECT gen_random_uuid(), $1, 'user', u, u, c, u, e, $5
     FROM unnest($2::text[], $3::text[], $4::bytea[]) AS r(u, c, e)`,
    [
      tenant,
      rows.map((r) => r.user),
      rows.map((r) => r.content),
      rows.map((r) => vectorBytes(opts.embed(r.content))),
      opts.model,
    ],
  );
}

export async function seed(db: TestDatabase, opts: SeedOptions): Promise<void> {
  for (const tenant of opts.tenants) {
    for (let from = 1; from <= opts.items; from += BATCH) {
      const rows = [];
      for (let i = from; i < Math.min(from + BATCH, opts.items + 1); i++)
        rows.push({ user: `u${i % 1000}`, content: sentence(i) });
      await insert(db, tenant, rows, opts);
    }
  }
  const heavy = Array.from({ length: HEAVY_ITEMS }, (_, i) => ({
    user: HEAVY_USER,
    content: sentence(opts.items + i),
  }));
  const [first] = opts.tenants;
  if (!first) return;
  await insert(db, first, heavy, opts);
  await insert(db, first, [{ user: 'u7', content: 'my favourite number is 7' }], opts);
  await insert(db, first, [{ user: HEAVY_USER, content: 'my favourite number is 7' }], opts);
  await db.query('ANALYZE "MemoryItem"');
}
