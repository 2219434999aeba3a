import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, type Tenancy, tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { type TenantQuotas, TenantQuotasService } from '@switchboard/runtime';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';

export type AdmissionQuotas = Pick<TenantQuotas, 'admitTask' | 'releaseTask'>;

/** Who submits a task the orchestrator starts itself, and its id. */
export interface OwnSubmission {
  taskId: string;
  actor: Pick<Actor, 'userId' | 'tenantId'>;
}

/**
 * Admits the tasks the orchestrator submits itself — a schedule's firings, a replay batch's runs —
 * against their tenant's `concurrentTasks` and `tasksPerMinute` (the tenant's and the user's), on
 * the same Redis counters and the same script the gateway admits every other task with
 * (docs/quotas.md): such a task does not enter through the gateway, and its slot is freed by the
 * orchestrator at its end like any other's. Admitting the same task id again counts it once, so a
 * submission sent again (a republish, a lost start) is never counted twice.
 */
@Injectable()
export class TaskAdmission {
  constructor(
    @Inject(TenantQuotasService) private readonly quotas: AdmissionQuotas,
    @Inject(APP_CONFIG) private readonly config: Pick<OrchestratorEnv, 'QUOTA_TASK_LEASE_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Undefined when the task may start (it then holds a running slot); the refusal when a quota is
   * full. Throws UPSTREAM_UNAVAILABLE for a tenant under a quota while Redis is unreachable.
   */
  async admit(s: OwnSubmission): Promise<Tenancy.QuotaExceeded | undefined> {
    const verdict = await this.quotas.admitTask({
      tenantId: tenantOf(s.actor),
      userId: s.actor.userId,
      taskId: s.taskId,
      leaseMs: this.config.QUOTA_TASK_LEASE_MS,
    });
    if (verdict.ok) return undefined;
    this.logger.info({ taskId: s.taskId, ...verdict.refusal }, 'task refused by a tenant quota');
    return verdict.refusal;
  }

  /** Gives the slot back (a task admitted and then not submitted after all); never throws. */
  async release(s: OwnSubmission): Promise<void> {
    try {
      await this.quotas.releaseTask({
        tenantId: tenantOf(s.actor),
        userId: s.actor.userId,
        taskId: s.taskId,
      });
    } catch (e) {
      this.logger.warn({ err: e, taskId: s.taskId }, 'could not free a slot; its lease frees it');
    }
  }
}
