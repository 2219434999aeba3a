// Config for the Prisma 6.19.3 CLI (alias "prisma-migrate-js"), used only for migrate/db commands through
// tools/prisma/migrate.mjs: its `engine: "js"` runs the schema engine as WebAssembly over a driver adapter,
// so no native schema-engine binary (which cannot be downloaded offline) is needed. Paths come from the
// wrapper, one service at a time.
import { defineConfig } from 'prisma-migrate-js/config';
import { migrateAdapter } from './migrate-adapter.mjs';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required (set by tools/prisma/migrate.mjs)`);
  return value;
};

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: required('SB_PRISMA_SCHEMA'),
  migrations: { path: required('SB_PRISMA_MIGRATIONS') },
  // Prisma 6's config types the adapter with its own driver-adapter interface, which @prisma/adapter-pg 7
  // implements structurally but not nominally; the CLI only calls it.
  adapter: () => Promise.resolve(migrateAdapter(required('DATABASE_URL')) as never),
});
