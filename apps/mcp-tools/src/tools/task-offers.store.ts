import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';
import { RedisService } from '../cache/redis.service.js';

/**
 * The tools each task was offered (the manifest the orchestrator asked for with that task id), so a
 * call made for the task can be refused when the model names a tool it was not offered, even one the
 * user could otherwise use (a tool added to the registry mid-task, a constraint the caller dropped).
 */
@Injectable()
export class TaskOffers {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: McpToolsEnv,
  ) {}

  async record(userId: string, taskId: string, tools: readonly string[]): Promise<void> {
    await this.redis.set(
      key(userId, taskId),
      JSON.stringify(tools),
      'EX',
      this.config.TASK_OFFER_TTL_SECONDS,
    );
  }

  /** The names offered to the task, or undefined when no manifest was requested for it. */
  async offered(userId: string, taskId: string): Promise<ReadonlySet<string> | undefined> {
    const raw = await this.redis.get(key(userId, taskId));
    if (!raw) return undefined;
    const names: unknown = JSON.parse(raw);
    return new Set(
      Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [],
    );
  }
}

const key = (userId: string, taskId: string) => `offer:${taskId}:${userId}`;
