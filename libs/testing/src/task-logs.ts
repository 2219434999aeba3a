import { DEFAULT_TENANT } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { waitFor } from './wait-for.js';

/** What the audit service's metadata.json of a task says (the fields tests wait on). */
export interface TaskLogMetadata {
  taskId: string;
  /** The task's tenant (written since tenants; older folders have none: the default tenant). */
  tenantId?: string;
  status: string;
  lastSeq: number;
  [key: string]: unknown;
}

/**
 * Where a tenant's task folders are under the log directory `dir`: the default tenant's at its top,
 * any other tenant's in `<dir>/<tenant>` (as the audit service lays them out, docs/task-logs.md).
 */
export function taskLogTenantDir(dir: string, tenantId: string = DEFAULT_TENANT): string {
  return tenantId === DEFAULT_TENANT ? dir : join(dir, tenantId);
}

/**
 * Waits until the audit service has written a task's log folder (`{ISO}_{hash}` under `dir`, or under
 * `dir/<tenantId>` for a task of a tenant other than the default one) up to its terminal event,
 * `lastSeq` (the seq of that event), and returns the folder's absolute path.
 */
export async function waitForTaskLog(
  dir: string,
  taskId: string,
  lastSeq: number,
  opts: { timeoutMs?: number; tenantId?: string } = {},
): Promise<string> {
  const hash = createHash('sha256').update(taskId).digest('hex').slice(0, 8);
  const tenantDir = taskLogTenantDir(dir, opts.tenantId);
  return waitFor(
    () => {
      // A tenant's folder appears with its first task's log.
      if (!existsSync(tenantDir)) return undefined;
      const name = readdirSync(tenantDir).find((n) => n.endsWith(`_${hash}`));
      if (!name || !existsSync(join(tenantDir, name, 'metadata.json'))) return undefined;
      const meta = JSON.parse(
        readFileSync(join(tenantDir, name, 'metadata.json'), 'utf8'),
      ) as TaskLogMetadata;
      return meta.status !== 'running' && meta.lastSeq >= lastSeq
        ? join(tenantDir, name)
        : undefined;
    },
    {
      what: `the task log of ${taskId}${opts.tenantId ? ` (tenant ${opts.tenantId})` : ''} up to seq ${lastSeq}`,
      timeoutMs: opts.timeoutMs ?? 30_000,
    },
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
