import { DomainError } from '../errors.js';
import type { QuotaExceeded, QuotaName } from './quota.schemas.js';

/** Budgets (what a task spends) end a task; the other limits ask the caller to come back later. */
const BUDGETS: readonly QuotaName[] = ['tokensPerDay', 'costPerDayUsd'];

const WHAT: Record<QuotaName, string> = {
  tasksPerMinute: 'tasks per minute',
  concurrentTasks: 'concurrent tasks',
  tokensPerDay: 'tokens per day',
  costPerDayUsd: 'cost per day (USD)',
  toolCallsPerDay: 'tool calls per day',
  delegationsPerDay: 'delegations per day',
};

/**
 * The platform's error for a refusal by a quota, the same from every service: RATE_LIMITED (429,
 * Retry-After) for rates, concurrency and per-day call counts, BUDGET_EXCEEDED for tokens and cost.
 * `details` is the QuotaExceeded record, so a client can tell which limit of whom was reached.
 */
export function quotaExceededError(x: QuotaExceeded): DomainError {
  const budget = BUDGETS.includes(x.quota);
  const whose =
    x.scope === 'user' ? `user ${x.userId ?? '?'} in tenant ${x.tenantId}` : `tenant ${x.tenantId}`;
  const message = `quota ${x.quota} of ${whose} reached: ${x.used} used of ${x.limit} ${WHAT[x.quota]}; retry in ${x.retryAfterSeconds} s`;
  return new DomainError(budget ? 'BUDGET_EXCEEDED' : 'RATE_LIMITED', message, {
    details: { ...x },
    retryable: !budget,
  });
}

/**
 * The error while the quota counters cannot be reached for a tenant under a quota: a quota is a cost
 * control, so the request is refused (503, retryable) rather than let through uncounted.
 */
export function quotaUnavailableError(tenantId: string, cause?: unknown): DomainError {
  return new DomainError(
    'UPSTREAM_UNAVAILABLE',
    `the quota counters of tenant ${tenantId} cannot be reached; retry shortly`,
    { details: { tenantId, retryAfterSeconds: 5 }, retryable: true, cause },
  );
}
