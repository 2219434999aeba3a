import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { tenantOf } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { type QuotaTask, type TenantQuotas, TenantQuotasService } from '@switchboard/runtime';
import type { OrchestratorEnv } from '../config/orchestrator.env.js';
import type { RunSlot, SlotHolder } from '../tasks/index.js';

export type SlotQuotas = Pick<TenantQuotas, 'releaseTask' | 'renewTask'>;

/**
 * The `concurrentTasks` slot the gateway admitted a task with (docs/quotas.md): renewed while a
 * replica runs the task, freed when it ends — with the stream slot of the gateway session that
 * submitted it (named by the task id: the session leaves it to the task's end), in one round trip. Freeing is idempotent (the slot is the task id in the
 * tenant's and the user's running sets), so the mend after a crash — a task delivered again after it
 * ended frees it once more — changes nothing when the first one got through. Nothing here throws into
 * a task: a release or a renewal lost to a Redis outage is mended by the lease. The task core's run
 * slot (tasks/ports/run-slot.port.ts).
 */
@Injectable()
export class TaskSlots implements RunSlot {
  constructor(
    @Inject(TenantQuotasService) private readonly quotas: SlotQuotas,
    @Inject(APP_CONFIG) private readonly config: Pick<OrchestratorEnv, 'QUOTA_TASK_LEASE_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Frees the task's slot and its submitter's stream slot (completed, failed, cancelled, abandoned):
   * at once, never throws.
   */
  async release(task: SlotHolder): Promise<void> {
    try {
      await this.quotas.releaseTask(slotOf(task));
    } catch (e) {
      this.logger.warn(
        { err: e, taskId: task.taskId },
        "could not free the task's concurrentTasks slot; its lease frees it",
      );
    }
  }

  /**
   * Keeps the slot while this replica runs the task: renewed at once for a resumed task (its lease
   * ran on while it waited for a decision or for a replica after a crash) and every half lease, so a
   * task longer than the lease keeps it. A slot that lapsed meanwhile is not taken back (TenantQuotas
   * .renewTask): the task runs on without one. Returns what stops the renewals.
   */
  hold(task: SlotHolder, resumed: boolean): () => void {
    const leaseMs = this.config.QUOTA_TASK_LEASE_MS;
    const renew = () => void this.quotas.renewTask({ ...slotOf(task), leaseMs }).catch(() => false);
    if (resumed) renew();
    const timer = setInterval(renew, leaseMs / 2);
    timer.unref();
    return () => clearInterval(timer);
  }
}

function slotOf(task: SlotHolder): QuotaTask {
  return {
    tenantId: tenantOf(task.actor),
    userId: task.actor?.userId ?? '',
    taskId: task.taskId,
  };
}
