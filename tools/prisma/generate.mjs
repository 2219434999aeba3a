#!/usr/bin/env node
// Generates the Prisma 7 client of one service (or all): `node tools/prisma/generate.mjs [project]`.
// Works offline: PRISMA_SCHEMA_ENGINE_BINARY points at a stub so the CLI skips its engine download.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PRISMA_PROJECTS, prismaPaths, root } from './projects.mjs';

const require = createRequire(join(root, 'package.json'));
const cli = require.resolve('prisma/build/index.js');
const projects = process.argv[2] ? [process.argv[2]] : PRISMA_PROJECTS;
for (const project of projects) {
  const { schema } = prismaPaths(project);
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
  console.log(`prisma client generated for ${project}`);
}
