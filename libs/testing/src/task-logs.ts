import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { waitFor } from './wait-for.js';

/** What the audit service's metadata.json of a task says (the fields tests wait on). */
export interface TaskLogMetadata {
  taskId: string;
  status: string;
  lastSeq: number;
  [key: string]: unknown;
}

/**
 * Waits until the audit service has written a task's log folder (`{ISO}_{hash}` under `dir`) up to its
 * terminal event, `lastSeq` (the seq of that event), and returns the folder's absolute path.
 */
export async function waitForTaskLog(
  dir: string,
  taskId: string,
  lastSeq: number,
  opts: { timeoutMs?: number } = {},
): Promise<string> {
  const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 8);
  return waitFor(
    () => {
      const name = readdirSync(dir).find((n) => n.endsWith(`_${hash}`));
      if (!name || !existsSync(join(dir, name, 'metadata.json'))) return undefined;
      const meta = JSON.parse(
        readFileSync(join(dir, name, 'metadata.json'), 'utf8'),
      ) as TaskLogMetadata;
      return meta.status !== 'running' && meta.lastSeq >= lastSeq ? join(dir, name) : undefined;
    },
    { what: `the task log of ${taskId} up to seq ${lastSeq}`, timeoutMs: opts.timeoutMs ?? 30_000 },
  );
}

/** Every file under `root`, by path relative to it, read as text. */
export function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(root, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(root);
  return out;
}
