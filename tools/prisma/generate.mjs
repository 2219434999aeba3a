#!/usr/bin/env node
// Generates the Prisma 7 client of one service (or all): `node tools/prisma/generate.mjs [project] [--force]`.
// Works offline: PRISMA_SCHEMA_ENGINE_BINARY points at a stub so the CLI skips its engine download.
// A client is generated again only when its schema or Prisma's version changed since it was last
// (a stamp beside the client records both), so `npm run up` and `npm test` run twice cost nothing here;
// --force generates anyway.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PRISMA_PROJECTS, prismaPaths, root } from './projects.mjs';

const require = createRequire(join(root, 'package.json'));
const cli = require.resolve('prisma/build/index.js');
const args = process.argv.slice(2);
const force = args.includes('--force');
const named = args.filter((a) => a !== '--force');
const projects = named.length ? named : PRISMA_PROJECTS;
const prismaVersion = JSON.parse(
  readFileSync(require.resolve('prisma/package.json'), 'utf8'),
).version;

for (const project of projects) {
  const { schema } = prismaPaths(project);
  const stampFile = join(root, 'apps', project, 'src/generated/.schema-stamp');
  const stamp = createHash('sha256')
    .update(prismaVersion)
    .update(readFileSync(schema))
    .digest('hex');
  const client = join(root, 'apps', project, 'src/generated/prisma/client.ts');
  if (
    !force &&
    existsSync(client) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp
  ) {
    console.log(`prisma client for ${project} is current`);
    continue;
  }
  const r = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: join(root, 'tools/prisma/no-schema-engine'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused',
    },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, stamp);
  console.log(`prisma client generated for ${project}`);
}
