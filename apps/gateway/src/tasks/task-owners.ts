import { Injectable } from '@nestjs/common';
import { type Actor, DEFAULT_TENANT, TaskEventStream, tenantOf } from '@switchboard/contracts';
import { GatewayRedis } from '../limits/redis.service.js';

/**
 * Who submitted each task through this gateway, kept in Redis as long as the task's events are kept.
 * The orchestrator is the authority on ownership once it has claimed a task; this record covers the
 * moment before (a queued task) and the time the orchestrator is unreachable, so a client can attach
 * to its own task's events at once. Only a convenience: while Redis is unreachable nothing is recorded
 * or found, and the orchestrator's answer stands.
 */
@Injectable()
export class TaskOwners {
  constructor(private readonly redis: GatewayRedis) {}

  async remember(taskId: string, actor: Pick<Actor, 'userId' | 'tenantId'>): Promise<void> {
    if (!this.redis.available) return;
    const owner = `${tenantOf(actor)}/${actor.userId}`;
    await this.redis.set(`owner:${taskId}`, owner, 'PX', TaskEventStream.maxAgeMs);
  }

  async ownerOf(taskId: string): Promise<TaskOwner | undefined> {
    if (!this.redis.available) return undefined;
    const stored = await this.redis.get(`owner:${taskId}`);
    return stored === null ? undefined : parseOwner(stored);
  }
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
