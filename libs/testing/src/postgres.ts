import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot } from './repo.js';
import { waitFor } from './wait-for.js';

/** Server the tests create their own databases on (never the stack's databases). */
export const TEST_PG_URL =
  process.env['TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Every database the tests create starts with this (templates with TEMPLATE_PREFIX). */
const PREFIX = 'sbt_';
const TEMPLATE_PREFIX = `${PREFIX}tmpl_`;

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

const urlOf = (name: string): string => {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
};

/**
 * Creates a database with a unique name: empty, or — with `migrate` — with that service's committed
 * migrations applied. A migrated one is copied from a template database migrated once per migration
 * set (CREATE DATABASE … TEMPLATE, tens of milliseconds instead of a second of Prisma per database);
 * the copy is what `migrate deploy` would have left, its `_prisma_migrations` table included.
 */
export async function createTestDatabase(label: string, migrate?: string): Promise<TestDatabase> {
  const name = `${PREFIX}${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const template = migrate ? await migratedTemplate(migrate) : undefined;
  await admin((c) =>
    c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`),
  );
  return testDatabaseAt(name);
}

/** A test database that exists already (made by createTestDatabase, in this process or another). */
export function testDatabaseAt(name: string): TestDatabase {
  const url = urlOf(name);
  return {
    name,
    url,
    query: async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query<T>(sql, params)).rows;
      } finally {
        await c.end();
      }
    },
    drop: () =>
      admin(async (c) => {
        await sessionsGone(c, name);
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

/** How long a drop waits for the database's sessions to end before it ends them itself. */
const SESSIONS_GONE_MS = 5_000;

/**
 * Waits (up to SESSIONS_GONE_MS) until no session but this one is connected to `database`. A pg
 * pool's `end()` resolves while its idle connections are still closing (pg-pool ends them without
 * waiting): a drop forced at once killed one mid-close, and its FATAL reached a pool with no listener
 * left — an unhandled error failing whichever test ran then. What is still there after the wait (a
 * process that never let go) the drop forces.
 */
async function sessionsGone(c: pg.Client, database: string): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [database],
      );
      return rows[0]?.n === 0;
    },
    { timeoutMs: SESSIONS_GONE_MS, intervalMs: 20, what: `the sessions of ${database} to leave` },
  ).catch(() => undefined); // still there: the drop forces them
}

/** Applies the committed Prisma migrations of `project` (offline, via tools/prisma/migrate.mjs). */
export function migrateDatabase(project: string, url: string): void {
  execFileSync(process.execPath, [join(repoRoot, 'tools/prisma/migrate.mjs'), project, 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
}

/** A digest of what decides a migrated database's contents: the migrations and the tool applying them. */
function migrationsDigest(project: string): string {
  const hash = createHash('sha256');
  const dir = join(repoRoot, 'apps', project, 'prisma', 'migrations');
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path.slice(dir.length)).update(readFileSync(path));
    }
  };
  walk(dir);
  hash.update(readFileSync(join(repoRoot, 'tools/prisma/migrate.mjs')));
  return hash.digest('hex').slice(0, 12);
}

const templates = new Map<string, Promise<string>>();

/**
 * The template database holding `project`'s migrations, made on first use by whichever test process
 * gets there first (an advisory lock orders concurrent jest workers): migrated under a temporary name,
 * then renamed, so a half-migrated template is never copied. It stays on the server for the next run;
 * when a new one is made, the project's templates made more than a day before are dropped.
 */
function migratedTemplate(project: string): Promise<string> {
  let made = templates.get(project);
  if (!made) {
    made = makeTemplate(project);
    templates.set(project, made);
    made.catch(() => templates.delete(project));
  }
  return made;
}

async function makeTemplate(project: string): Promise<string> {
  const base = `${TEMPLATE_PREFIX}${project.replace(/[^a-z0-9]/g, '_')}_`;
  const name = `${base}${migrationsDigest(project)}`;
  return admin(async (c) => {
    const exists = async () =>
      (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (await exists()) return name;
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [base]);
    try {
      if (await exists()) return name;
      const building = `${name}_${randomBytes(3).toString('hex')}`;
      await c.query(`CREATE DATABASE "${building}"`);
      try {
        migrateDatabase(project, urlOf(building));
        await c.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
        await c.query(`COMMENT ON DATABASE "${name}" IS '${new Date().toISOString()}'`);
      } catch (e) {
        await c.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        throw e;
      }
      // Another checkout (a branch with another migration) may be copying its own template right
      // now: only templates made more than a day ago go.
      const stale = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database d
          WHERE starts_with(datname, $1) AND datname <> $2
            AND coalesce(shobj_description(d.oid, 'pg_database'), '') < $3`,
        [base, name, new Date(Date.now() - 86_400_000).toISOString()],
      );
      for (const { datname } of stale.rows)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      return name;
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [base]);
    }
  });
}
