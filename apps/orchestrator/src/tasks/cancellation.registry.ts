import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { decodeJson, NATS_CONNECTION, unwrapEnvelope } from '@switchboard/messaging';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/**
 * Abort signals of the tasks running in this replica. Every replica listens to the cancel broadcast
 * (no queue group): the one running the task aborts it; the others ignore it.
 */
@Injectable()
export class CancellationRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly running = new Map<string, AbortController>();
  private subscription: Subscription | undefined;

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(Tasks.TaskCancelRequested.pattern, {
      callback: (err, msg) => {
        if (err) return;
        const parsed = Tasks.TaskCancelRequested.payload.safeParse(
          unwrapEnvelope(decodeJson(msg.data)),
        );
        if (parsed.success)
          this.running.get(parsed.data.taskId)?.abort(new CancelledBy(parsed.data.reason));
      },
    });
  }

  register(taskId: string): AbortController {
    const controller = new AbortController();
    this.running.set(taskId, controller);
    return controller;
  }

  unregister(taskId: string): void {
    this.running.delete(taskId);
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
