#!/usr/bin/env node
// Runs Prisma migrations for one service with Prisma 6.19.3's wasm schema engine (offline):
//   node tools/prisma/migrate.mjs <project> deploy|status|dev [--name x]|diff
// DATABASE_URL must point at that service's database (created if missing).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { prismaPaths, root } from './projects.mjs';

const [project, command, ...rest] = process.argv.slice(2);
if (!project || !command) {
  console.error('usage: migrate.mjs <project> deploy|status|dev|reset [args]');
  process.exit(2);
}
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
const paths = prismaPaths(project);

// Create the database on first use (needs CREATEDB), so `deploy` works from an empty server.
const target = new URL(url);
const dbName = decodeURIComponent(target.pathname.slice(1));
const admin = new URL(url);
admin.pathname = '/postgres';
const client = new pg.Client({ connectionString: admin.toString() });
await client.connect();
const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
await client.end();

// Prisma 6 insists on a datasource `url`, Prisma 7 forbids it: derive a copy ("<invalid>" is Prisma's
// own placeholder; the adapter is what connects).
const work = join(root, '.prisma-migrate', project);
mkdirSync(work, { recursive: true });
const schema = readFileSync(paths.schema, 'utf8').replace(
  /(datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"[^"]+")/,
  '$1\n  url = "<invalid>"',
);
writeFileSync(
  join(work, 'schema.prisma'),
  '// GENERATED from ' + paths.schema + ', do not edit\n' + schema,
);

const require = createRequire(join(root, 'package.json'));
const cli = require.resolve('prisma-migrate-js/build/index.js');
const args = ['migrate', command, ...rest];
if (['dev', 'reset'].includes(command)) args.push('--skip-generate');
const stub = join(root, 'tools/prisma/no-schema-engine');
const r = spawnSync(
  process.execPath,
  [
    '--require',
    join(root, 'tools/prisma/unref-engine-timers.cjs'),
    cli,
    ...args,
    '--config',
    join(root, 'tools/prisma/migrate.config.ts'),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      SB_PRISMA_SCHEMA: join(work, 'schema.prisma'),
      SB_PRISMA_MIGRATIONS: paths.migrations,
      PRISMA_SCHEMA_ENGINE_BINARY: stub,
      PRISMA_QUERY_ENGINE_LIBRARY: stub,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  },
);
process.exit(r.status ?? 1);
