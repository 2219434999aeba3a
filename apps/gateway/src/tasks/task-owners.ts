import { Injectable } from '@nestjs/common';
import { type Actor, DEFAULT_TENANT, tenantOf } from '@switchboard/contracts';
import { OptionalRedis } from '@switchboard/runtime';

/**
 * Who submitted each task through this gateway, kept in Redis for TASK_OWNER_TTL_MS: written by the
 * task's admission (TaskAdmission, in its script), read here.
 * The orchestrator is the authority on ownership once it has claimed a task; this record covers the
 * moment before (a queued task) and the time the orchestrator is unreachable, so a client can attach
 * to its own task's events at once. Only a convenience: while Redis is unreachable nothing is recorded
 * or found, and the orchestrator's answer stands.
 */
@Injectable()
export class TaskOwners {
  constructor(private readonly redis: OptionalRedis) {}

  async ownerOf(taskId: string): Promise<TaskOwner | undefined> {
    if (!this.redis.available) return undefined;
    const stored = await this.redis.get(`owner:${taskId}`);
    return stored === null ? undefined : parseOwner(stored);
  }
}

/** The owner record of a task: its key, `<tenant>/<user>`, and how long it is kept (TASK_OWNER_TTL_MS). */
export function ownerRecord(
  taskId: string,
  actor: Pick<Actor, 'userId' | 'tenantId'>,
  ttlMs: number,
): { key: string; value: string; ttlMs: number } {
  return { key: `owner:${taskId}`, value: `${tenantOf(actor)}/${actor.userId}`, ttlMs };
}

/** Who submitted a task: a user of a tenant (the same user id in two tenants is two people). */
export interface TaskOwner {
  tenantId: string;
  userId: string;
}

/**
 * `<tenant>/<user>`; a record written before tenants (a bare user id) belongs to the default
 * tenant. A tenant id holds no "/", so the first one separates them.
 */
export function parseOwner(stored: string): TaskOwner {
  const slash = stored.indexOf('/');
  return slash < 0
    ? { tenantId: DEFAULT_TENANT, userId: stored }
    : { tenantId: stored.slice(0, slash), userId: stored.slice(slash + 1) };
}
