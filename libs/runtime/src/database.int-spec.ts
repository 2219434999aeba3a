import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { prismaAdapter } from './database.js';

// The services' pg adapter against the machine's PostgreSQL: a statement sent twice is prepared once
// on its connection, under its name, and the second time only bound and executed.
// The machine's PostgreSQL, as the other tests reach it (TEST_PG_URL; no table is touched).
const TEST_PG_URL = process.env['TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe("the services' database adapter (real PostgreSQL)", () => {
  let adapter: Awaited<ReturnType<ReturnType<typeof prismaAdapter>['connect']>>;
  const query = (sql: string, args: unknown[] = []) =>
    adapter.queryRaw({
      sql,
      args,
      argTypes: args.map(() => ({ scalarType: 'int', arity: 'scalar' }) as never),
    });

  beforeAll(async () => {
    adapter = await prismaAdapter(TEST_PG_URL, 1).connect(); // one connection: the one asked below
  });
  afterAll(async () => {
    await adapter.dispose();
  });

  it('prepares a statement once per connection and reuses it', async () => {
    const sql = 'SELECT $1::int + 41 AS "answer" /* database.int-spec */';
    const first = await query(sql, [1]);
    const second = await query(sql, [2]);
    expect(first.rows).toEqual([[42]]);
    expect(second.rows).toEqual([[43]]);
    const prepared = await query(
      `SELECT "name", "statement" FROM pg_prepared_statements WHERE "statement" LIKE '%database.int-spec%' AND "statement" NOT LIKE '%pg_prepared_statements%'`,
    );
    expect(prepared.rows).toEqual([[expect.stringMatching(/^sb_[0-9a-f]{32}$/), sql]]);
  });
});
