import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { A2a, sameTenant, Tasks } from '@switchboard/contracts';
import {
  AuditTrail,
  type BusMessage,
  type BusSubscription,
  NatsBus,
  readMeta,
} from '@switchboard/messaging';
import { cancelledBy, DelegationRun } from './delegation-run.js';
import { auditOtherTenant, type OtherTenantAttempt } from './delegation-tenancy.js';

/**
 * The delegations running in this replica. Every replica hears every cancel (no queue group): a
 * delegation's own cancel subject, and the task-wide cancel broadcast; the one running it acts. A
 * cancel stops a delegation of the canceller's own tenant only (any, for the platform operator): one
 * of another tenant is left running, as if it were not here, and the attempt is audited.
 */
@Injectable()
export class RunningDelegations implements OnModuleInit, OnApplicationShutdown {
  private readonly runs = new Map<string, DelegationRun>();
  private readonly subscriptions: BusSubscription[] = [];

  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.bus.subscribe(A2a.DelegationCancel, ({ delegationId, reason }, message) => {
        const run = this.runs.get(delegationId);
        const attempt: OtherTenantAttempt = { operation: 'cancel', delegationId };
        for (const mine of this.stoppable(run ? [run] : [], message, attempt))
          mine.cancel(cancelledBy(reason));
      }),
      this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }, message) => {
        const runs = [...this.runs.values()].filter((run) => run.taskId === taskId);
        const attempt: OtherTenantAttempt = { operation: 'task-cancel', taskId };
        for (const mine of this.stoppable(runs, message, attempt)) mine.cancel(cancelledBy(reason));
      }),
    );
  }

  start(run: DelegationRun): void {
    this.runs.set(run.delegationId, run);
  }

  finish(run: DelegationRun): void {
    run.dispose();
    this.runs.delete(run.delegationId);
  }

  get size(): number {
    return this.runs.size;
  }

  /** The agent's task of a delegation running here, once the agent named it. */
  remoteTaskOf(delegationId: string): string | undefined {
    return this.runs.get(delegationId)?.remoteTaskId;
  }

  onApplicationShutdown(): void {
    for (const s of this.subscriptions) s.unsubscribe();
  }

  /**
   * Of the runs a cancel names, those its sender (the actor of its headers) may stop; when it names
   * another tenant's, that is audited once.
   */
  private stoppable(
    runs: DelegationRun[],
    message: BusMessage,
    attempt: OtherTenantAttempt,
  ): DelegationRun[] {
    const { actor } = readMeta(message.subject, message.headers);
    const mine = runs.filter((run) => sameTenant(actor, run.tenantId));
    if (mine.length < runs.length) auditOtherTenant(this.audit, actor, attempt);
    return mine;
  }
}
