// Config for the Prisma 6.19.3 CLI (alias "prisma-migrate-js"), used only for migrate/db commands through
// tools/prisma/migrate.mjs: its `engine: "js"` runs the schema engine as WebAssembly over a driver adapter,
// so no native schema-engine binary (which cannot be downloaded offline) is needed. Paths come from the
// wrapper, one service at a time.
import { defineConfig } from 'prisma-migrate-js/config';
import { migrateAdapter } from './migrate-adapter.mjs';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: process.env.SB_PRISMA_SCHEMA!,
  migrations: { path: process.env.SB_PRISMA_MIGRATIONS! },
  adapter: async () => migrateAdapter(process.env.DATABASE_URL!) as any,
});
