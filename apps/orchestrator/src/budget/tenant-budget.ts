import { Inject, Injectable } from '@nestjs/common';
import { type Actor, isDomainError, type Tasks, Tenancy, tenantOf } from '@switchboard/contracts';
import { REQUEST_BACKOFF, retryWithBackoff, type RetryBudget } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { type DailyAmounts, type TenantQuotas, TenantQuotasService } from '@switchboard/runtime';

export type DailyQuotas = Pick<TenantQuotas, 'checkDailyAll' | 'chargeDailyAll'>;

/**
 * The tenant's daily LLM budget — `tokensPerDay` and `costPerDayUsd`, the tenant's and each user's
 * (docs/quotas.md) — on the counters every replica shares: asked before a planning round calls the
 * model, charged with what the round spent: each of the two is one script for both kinds (one round
 * trip). A tenant without a quota costs that round trip and is never refused.
 */
@Injectable()
export class TenantBudget {
  constructor(
    @Inject(TenantQuotasService) private readonly quotas: DailyQuotas,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The refusal when nothing is left today of the actor's tenant's (or their own) tokens or cost;
   * undefined when the model may be asked. While the counters cannot be reached for a tenant under a
   * quota it waits, as the task's other requests do (its RetryBudget: TASK_OUTAGE_WAIT_MS, never past
   * its deadline), then throws UPSTREAM_UNAVAILABLE.
   */
  async refusal(actor: Actor, budget: RetryBudget): Promise<Tenancy.QuotaExceeded | undefined> {
    const who = whoOf(actor);
    const verdict = await waitOut(
      () => this.quotas.checkDailyAll(who, ['tokens', 'costUsd']),
      budget,
    );
    return verdict.ok ? undefined : verdict.refusal;
  }

  /**
   * Counts what one planning round spent (its tokens, and its cost when it is priced); the refusal
   * once the tenant or the user has nothing left today, undefined otherwise. Never throws: the model
   * was paid for already, so a charge the counters cannot take (Redis unreachable) is logged, and the
   * next round's check refuses a tenant under a quota while the outage lasts.
   */
  async charge(
    actor: Actor,
    usage: Tasks.TokenUsage,
    taskId: string,
  ): Promise<Tenancy.QuotaExceeded | undefined> {
    const who = whoOf(actor);
    const amounts: DailyAmounts = {};
    if (usage.totalTokens > 0) amounts.tokens = usage.totalTokens;
    if (usage.costUsd) amounts.costUsd = usage.costUsd;
    if (Object.keys(amounts).length === 0) return undefined;
    try {
      const verdict = await this.quotas.chargeDailyAll(who, amounts);
      return verdict.ok ? undefined : verdict.refusal;
    } catch (e) {
      this.logger.warn(
        { err: e, taskId, ...who, totalTokens: usage.totalTokens, costUsd: usage.costUsd },
        "a planning round's tokens and cost could not be counted against the tenant's daily budget",
      );
      return undefined;
    }
  }
}

function whoOf(actor: Actor): { tenantId: string; userId: string } {
  return { tenantId: tenantOf(actor), userId: actor.userId };
}

/**
 * `ask` again while the counters are unreachable (UPSTREAM_UNAVAILABLE) and the budget allows: at most
 * `maxOutageMs` after the first failure, never past the deadline, stopped by the signal.
 */
function waitOut<T>(ask: () => Promise<T>, budget: RetryBudget): Promise<T> {
  let limit = budget.deadline ?? 0;
  let firstFailure: number | undefined;
  return retryWithBackoff(ask, {
    backoff: budget.backoff ?? REQUEST_BACKOFF,
    retryIf: (e) => {
      if (!isDomainError(e) || e.code !== 'UPSTREAM_UNAVAILABLE') return false;
      firstFailure ??= Date.now();
      if (budget.maxOutageMs !== undefined)
        limit = Math.min(limit, firstFailure + budget.maxOutageMs);
      return true;
    },
    until: () => limit,
    ...(budget.signal ? { signal: budget.signal } : {}),
  });
}
