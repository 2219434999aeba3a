import pg from 'pg';
import { createTestDatabase, TEST_PG_URL } from '../src/postgres.js';
import { waitFor } from '../src/wait-for.js';

// A test database's drop on the real PostgreSQL: it lets the sessions still connected finish leaving
// (a pool's end() resolves before its idle connections have closed) instead of killing them.
describe('test databases (real PostgreSQL)', () => {
  it('drops a database once its last session has left, without terminating it', async () => {
    const db = await createTestDatabase('drop_waits');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    const dropped = db.drop();
    // The drop is waiting for this session: it asks the server who is still connected.
    const observer = new pg.Client({ connectionString: TEST_PG_URL });
    await observer.connect();
    try {
      await waitFor(
        async () =>
          (
            await observer.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE query LIKE '%pg_stat_activity%' AND query LIKE '%datname = $1%'
                  AND pid <> pg_backend_pid()`,
            )
          ).rowCount,
        { what: 'the drop to wait for the open session' },
      );
      // Still connected and usable: nothing was terminated.
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await client.end();
      await dropped;
      const left = await observer.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      expect(left.rowCount).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await observer.end();
    }
  });
});
