import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isDomainError, Tenancy, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { GatewayQuotas } from './gateway-quotas.js';
import { QuotaMetrics } from './quota.metrics.js';

/**
 * Admits every new task against its tenant's quotas (concurrentTasks, tasksPerMinute; the tenant's
 * and the user's) before it is submitted, on every surface: SubmitTaskUseCase calls it. A refusal is
 * RATE_LIMITED (429 with Retry-After; details name the quota), UPSTREAM_UNAVAILABLE (503) while Redis
 * is unreachable for a tenant under a quota. The slot is freed by the orchestrator when the task ends
 * (releaseTask), by `release` when the submission fails, or by its lease (QUOTA_TASK_LEASE_MS).
 */
@Injectable()
export class TaskAdmission {
  constructor(
    private readonly quotas: GatewayQuotas,
    private readonly metrics: QuotaMetrics,
    private readonly gatewayMetrics: GatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayEnv, 'QUOTA_TASK_LEASE_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async admit(actor: Actor, taskId: string): Promise<void> {
    const tenantId = tenantOf(actor);
    const tenant = this.metrics.tenantLabel(tenantId);
    let verdict: Awaited<ReturnType<GatewayQuotas['admitTask']>>;
    try {
      verdict = await this.quotas.admitTask({
        tenantId,
        userId: actor.userId,
        taskId,
        leaseMs: this.config.QUOTA_TASK_LEASE_MS,
      });
    } catch (e) {
      if (isDomainError(e))
        this.metrics.refused.inc({ tenant, quota: 'unavailable', scope: 'tenant' });
      throw e;
    }
    if (verdict.ok) {
      this.metrics.admitted.inc({ tenant });
      return;
    }
    const { refusal } = verdict;
    this.metrics.refused.inc({ tenant, quota: refusal.quota, scope: refusal.scope });
    this.gatewayMetrics.limited.inc({ limit: 'quota' });
    this.logger.info({ taskId, ...refusal }, 'task refused by a tenant quota');
    throw Tenancy.quotaExceededError(refusal);
  }

  /** Gives the slot back (a submission that failed after it was admitted); never throws. */
  release(actor: Actor, taskId: string): Promise<void> {
    return this.quotas.releaseTask({ tenantId: tenantOf(actor), userId: actor.userId, taskId });
  }
}
