import { join } from 'node:path';
import { spawnManaged } from './processes.js';
import { repoRoot } from './repo.js';

/** The built `switchboard` CLI (npm run build). */
export const CLI_ENTRY = join(repoRoot, 'dist/apps/cli/src/main.js');

/**
 * Runs the built `switchboard` CLI to its end with `env` (a NATS identity's, say): its exit status
 * and its output (stdout and stderr), read after the process's streams have closed.
 */
export async function runSwitchboardCli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ status: number | string; output: string }> {
  const p = spawnManaged(process.execPath, [CLI_ENTRY, ...args], {
    name: `switchboard-${args.slice(0, 2).join('-')}`,
    cwd: repoRoot,
    env,
  });
  const status = await p.exited;
  await p.settled; // the output may still be on its way when the process has exited
  return { status, output: p.logs() };
}
