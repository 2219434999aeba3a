import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tenancy, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { TENANT_QUOTA_KEY_PREFIX, TenantQuotas } from '@switchboard/runtime';
import { RedisService } from '../cache/redis.service.js';

/**
 * The tenant quotas (docs/quotas.md) on mcp-tools' Redis connection: the counters every service
 * enforcing a quota shares (REDIS_KEY_PREFIX + `quota:`, the gateway's prefix).
 */
@Injectable()
export class McpToolsQuotas extends TenantQuotas {
  constructor(redis: RedisService, @Inject(LOGGER) logger: Logger) {
    super(redis, { keyPrefix: TENANT_QUOTA_KEY_PREFIX, logger });
  }
}

/**
 * `toolCallsPerDay` (the tenant's, and each user's): every tool call takes one before it runs — a
 * task's step and a direct call through the MCP endpoint alike — atomically across every replica, so
 * N parallel calls against a limit of N all run and the next is refused. A repeat answered from the
 * idempotency store takes none (CallToolUseCase asks only for a call that runs). Over the limit:
 * RATE_LIMITED naming the quota, retryable at the next UTC midnight; while Redis is unreachable a
 * tenant under a quota is refused (UPSTREAM_UNAVAILABLE), any other let through uncounted.
 */
@Injectable()
export class ToolCallQuota {
  constructor(
    @Inject(McpToolsQuotas)
    private readonly quotas: Pick<TenantQuotas, 'consumeDaily' | 'knownUnlimited'>,
  ) {}

  /**
   * Whether a quota may count the actor's calls, as far as this replica knows without a round trip:
   * true unless Redis last said that none applies to the tenant (a tenant not heard of yet may be
   * limited). A quota set since then is learned from the next call's admission, which counts.
   */
  limits(actor: Pick<Actor, 'tenantId'>): boolean {
    return !this.quotas.knownUnlimited(tenantOf(actor));
  }

  async take(actor: Pick<Actor, 'userId' | 'tenantId'>): Promise<void> {
    const verdict = await this.quotas.consumeDaily({
      tenantId: tenantOf(actor),
      userId: actor.userId,
      kind: 'toolCalls',
      amount: 1,
    });
    if (!verdict.ok) throw Tenancy.quotaExceededError(verdict.refusal);
  }
}
