import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { AuditTrail } from '@switchboard/messaging';
import { PeriodicSweep } from '@switchboard/runtime';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import { TaskCore } from '../../tasks/index.js';
import { ApprovalMetrics } from '../approval.metrics.js';
import { ApprovalRepository } from '../approval.repository.js';
import { TaskResumer } from '../task-resumer.js';

/** How long a waiting task may have nothing pending before its lost resume is sent again. */
const STALLED_AFTER_MS = 60_000;

/**
 * Expires approvals on time with no request in flight: every APPROVAL_SWEEP_MS each replica claims the
 * pending approvals past their expiry in one statement (SKIP LOCKED: each is expired by one replica),
 * records it, and resubmits the tasks that have nothing pending left — their run rejects the call or
 * fails the task, as the policy says. The due list is the table itself, so a restart loses no timer.
 * The same sweep resubmits a waiting task whose resume was lost (its decider died between the decision
 * and the resubmit).
 */
@Injectable()
export class ExpireApprovalsUseCase extends PeriodicSweep {
  private lastStalledCheck = 0;

  constructor(
    private readonly approvals: ApprovalRepository,
    private readonly tasks: TaskCore,
    private readonly resumer: TaskResumer,
    private readonly audit: AuditTrail,
    private readonly metrics: ApprovalMetrics,
    @Inject(APP_CONFIG) config: Pick<OrchestratorEnv, 'APPROVAL_SWEEP_MS'>,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(config.APPROVAL_SWEEP_MS, logger, 'approval sweep failed; next one retries');
  }

  /** One sweep: expire what is due, resume the tasks it leaves with nothing pending. */
  override async sweep(now = Date.now()): Promise<void> {
    const expired = await this.approvals.expireDue();
    const tasks = new Set<string>();
    for (const { view, tenantId } of expired) {
      tasks.add(view.taskId);
      this.metrics.decided.inc({ target: view.target, status: 'expired' });
      this.metrics.secondsToDecision.observe(
        { status: 'expired' },
        (Date.parse(view.expiresAt) - Date.parse(view.requestedAt)) / 1000,
      );
      void this.audit.record({
        category: 'approval',
        action: 'approval.expired',
        outcome: 'success',
        resource: view.approvalId,
        taskId: view.taskId,
        actor: { userId: view.requestedBy },
        // No request in flight names a tenant: the approval's is the record's.
        tenantId,
        onceKey: `approval:${view.approvalId}:decided`,
        details: {
          approvalId: view.approvalId,
          target: view.target,
          argsHash: view.argsHash,
          expiresAt: view.expiresAt,
          onExpiry: view.policy.onExpiry,
        },
      });
    }
    if (now - this.lastStalledCheck >= STALLED_AFTER_MS) {
      this.lastStalledCheck = now;
      for (const taskId of await this.tasks.stalledWaiting(STALLED_AFTER_MS)) tasks.add(taskId);
    }
    for (const taskId of tasks) await this.resumer.resumeIfDecided(taskId);
  }
}
