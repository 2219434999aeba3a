import { Inject, Injectable } from '@nestjs/common';
import { type Actor, Tenancy, tenantOf } from '@switchboard/contracts';
import { type QuotaSettings, type TenantQuotas, TenantQuotasService } from '@switchboard/runtime';
import type { McpToolsEnv } from '../config/mcp-tools.env.js';

/**
 * mcp-tools' tenant quotas (TenantQuotasService, docs/quotas.md): a second connection hears quota
 * changes, so that the check of a tenant known to have no quota is skipped (QUOTA_UNLIMITED_CACHE_MS;
 * 0: no second connection, every call asks).
 */
export const mcpToolsQuotaSettings = (
  config: Pick<McpToolsEnv, 'QUOTA_UNLIMITED_CACHE_MS'>,
): QuotaSettings => ({ unlimitedTtlMs: config.QUOTA_UNLIMITED_CACHE_MS });

/**
 * `toolCallsPerDay` (the tenant's, and each user's): every tool call takes one before it runs — a
 * task's step and a direct call through the MCP endpoint alike — atomically across every replica, so
 * N parallel calls against a limit of N all run and the next is refused. A repeat answered from the
 * idempotency store takes none (CallToolUseCase asks only for a call that runs). Over the limit:
 * RATE_LIMITED naming the quota, retryable at the next UTC midnight; while Redis is unreachable a
 * tenant under a quota is refused (UPSTREAM_UNAVAILABLE), any other let through uncounted. A tenant
 * no quota applies to (neither its own nor the platform default) is asked about once per
 * QUOTA_UNLIMITED_CACHE_MS at most, and again as soon as a quota change is announced.
 */
@Injectable()
export class ToolCallQuota {
  constructor(
    @Inject(TenantQuotasService)
    private readonly quotas: Pick<TenantQuotas, 'consumeDaily' | 'knownUnlimited'>,
  ) {}

  /**
   * Whether a quota may count the actor's calls, as far as this replica knows without a round trip:
   * true unless Redis said recently that none applies to the tenant and no change was announced since
   * (TenantQuotas.knownUnlimited; a tenant not heard of yet may be limited).
   */
  limits(actor: Pick<Actor, 'tenantId'>): boolean {
    return !this.quotas.knownUnlimited(tenantOf(actor));
  }

  /** Takes one call; no round trip for a tenant known to have no quota (nothing would be counted). */
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
