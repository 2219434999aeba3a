import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { A2a, Tasks } from '@switchboard/contracts';
import { decodeJson, NATS_CONNECTION, unwrapEnvelope } from '@switchboard/messaging';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { cancelledBy, DelegationRun } from './delegation-run.js';

/**
 * The delegations running in this replica. Every replica hears every cancel (no queue group): a
 * delegation's own cancel subject, and the task-wide cancel broadcast; the one running it acts.
 */
@Injectable()
export class RunningDelegations implements OnModuleInit, OnApplicationShutdown {
  private readonly runs = new Map<string, DelegationRun>();
  private readonly subscriptions: Subscription[] = [];

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  onModuleInit(): void {
    this.subscriptions.push(
      this.nc.subscribe(A2a.DelegationCancel.pattern, {
        callback: (err, msg) => {
          if (err) return;
          const parsed = A2a.DelegationCancel.payload.safeParse(safeDecode(msg.data));
          if (parsed.success)
            this.runs.get(parsed.data.delegationId)?.cancel(cancelledBy(parsed.data.reason));
        },
      }),
      this.nc.subscribe(Tasks.TaskCancelRequested.pattern, {
        callback: (err, msg) => {
          if (err) return;
          const parsed = Tasks.TaskCancelRequested.payload.safeParse(safeDecode(msg.data));
          if (!parsed.success) return;
          for (const run of this.runs.values()) {
            if (run.taskId === parsed.data.taskId) run.cancel(cancelledBy(parsed.data.reason));
          }
        },
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

function safeDecode(data: Uint8Array): unknown {
  try {
    return unwrapEnvelope(decodeJson(data));
  } catch {
    return undefined;
  }
}
