// The services that own a database, and where their Prisma schema lives.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PRISMA_PROJECTS = ['orchestrator', 'mcp-tools', 'audit'];

export function prismaPaths(project) {
  if (!PRISMA_PROJECTS.includes(project)) {
    throw new Error(`unknown Prisma project "${project}" (one of ${PRISMA_PROJECTS.join(', ')})`);
  }
  const dir = join(root, 'apps', project, 'prisma');
  return { dir, schema: join(dir, 'schema.prisma'), migrations: join(dir, 'migrations') };
}
