import { Injectable } from '@nestjs/common';
import { TaskEventStream } from '@switchboard/contracts';
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

  async remember(taskId: string, userId: string): Promise<void> {
    if (!this.redis.available) return;
    await this.redis.set(`owner:${taskId}`, userId, 'PX', TaskEventStream.maxAgeMs);
  }

  async ownerOf(taskId: string): Promise<string | undefined> {
    if (!this.redis.available) return undefined;
    return (await this.redis.get(`owner:${taskId}`)) ?? undefined;
  }
}
