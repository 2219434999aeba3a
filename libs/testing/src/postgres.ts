import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot } from './repo.js';

/** Server the tests create their own databases on (never the stack's databases). */
export const TEST_PG_URL =
  process.env['TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  query<T extends pg.QueryResultRow = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database with a unique name; `migrate` applies a service's committed migrations. */
export async function createTestDatabase(label: string, migrate?: string): Promise<TestDatabase> {
  const name = `sbt_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  const db: TestDatabase = {
    name,
    url: url.toString(),
    query: async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        return (await c.query<T>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    drop: () =>
      admin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
  if (migrate) migrateDatabase(migrate, db.url);
  return db;
}

/** Applies the committed Prisma migrations of `project` (offline, via tools/prisma/migrate.mjs). */
export function migrateDatabase(project: string, url: string): void {
  execFileSync(process.execPath, [join(repoRoot, 'tools/prisma/migrate.mjs'), project, 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
}
