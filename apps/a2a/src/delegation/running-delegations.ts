import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { A2a, Tasks } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { cancelledBy, DelegationRun } from './delegation-run.js';

/**
 * The delegations running in this replica. Every replica hears every cancel (no queue group): a
 * delegation's own cancel subject, and the task-wide cancel broadcast; the one running it acts.
 */
@Injectable()
export class RunningDelegations implements OnModuleInit, OnApplicationShutdown {
  private readonly runs = new Map<string, DelegationRun>();
  private readonly subscriptions: BusSubscription[] = [];

  constructor(private readonly bus: NatsBus) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.bus.subscribe(A2a.DelegationCancel, ({ delegationId, reason }) =>
        this.runs.get(delegationId)?.cancel(cancelledBy(reason)),
      ),
      this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }) => {
        for (const run of this.runs.values()) {
          if (run.taskId === taskId) run.cancel(cancelledBy(reason));
        }
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
}
