import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';

/**
 * Abort signals of the tasks running in this replica. Every replica listens to the cancel broadcast
 * (no queue group): the one running the task aborts it; the others ignore it.
 */
@Injectable()
export class CancellationRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly running = new Map<string, AbortController>();
  private subscription: BusSubscription | undefined;

  constructor(private readonly bus: NatsBus) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }) =>
      this.running.get(taskId)?.abort(new CancelledBy(reason)),
    );
  }

  register(taskId: string): AbortController {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return controller;
  }

  unregister(taskId: string): void {
    this.running.delete(taskId);
  }

  /**
   * Tells every replica of every service to stop the task's remote work (its tool calls and
   * delegations): what a user's cancellation sends, for a task stopped here (its time budget).
   */
  broadcast(taskId: string, reason: string): void {
    this.bus.publish(Tasks.TaskCancelRequested, [taskId], { taskId, reason });
  }

  isRunningHere(taskId: string): boolean {
    return this.running.has(taskId);
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}

/** The abort reason of a user's cancellation (as opposed to a timeout). */
export class CancelledBy extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}
