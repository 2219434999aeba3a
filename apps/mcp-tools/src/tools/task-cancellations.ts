import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { Tasks } from '@switchboard/contracts';
import { decodeJson, NATS_CONNECTION, unwrapEnvelope } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

type CancelListener = (reason: string) => void;

/** How many cancelled task ids are remembered, so a call that arrives after the broadcast is refused. */
const REMEMBERED = 1_000;

/**
 * Aborts the tool calls of a cancelled task. Every replica subscribes to the cancel broadcast on the
 * raw connection, without a queue group: whichever replica runs a call of that task hears it.
 */
@Injectable()
export class TaskCancellations implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Map<string, Set<CancelListener>>();
  private readonly cancelled = new Map<string, string>();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.nc.subscribe(Tasks.TaskCancelRequested.pattern, {
      callback: (err, msg) => {
        if (err) return;
        let payload: unknown;
        try {
          payload = unwrapEnvelope(decodeJson(msg.data));
        } catch {
          return;
        }
        const parsed = Tasks.TaskCancelRequested.payload.safeParse(payload);
        if (!parsed.success) {
          this.logger.warn({ subject: msg.subject }, 'ignored an invalid task cancellation');
          return;
        }
        this.cancel(parsed.data.taskId, parsed.data.reason);
      },
    });
  }

  /** Calls `onCancel` when the task is cancelled (at once if it already was). Returns the unsubscribe. */
  watch(taskId: string, onCancel: CancelListener): () => void {
    const already = this.cancelled.get(taskId);
    if (already !== undefined) {
      onCancel(already);
      return () => undefined;
    }
    const set = this.listeners.get(taskId) ?? new Set<CancelListener>();
    set.add(onCancel);
    this.listeners.set(taskId, set);
    return () => {
      set.delete(onCancel);
      if (set.size === 0) this.listeners.delete(taskId);
    };
  }

  cancel(taskId: string, reason: string): void {
    this.cancelled.set(taskId, reason);
    if (this.cancelled.size > REMEMBERED)
      this.cancelled.delete(this.cancelled.keys().next().value as string);
    const running = this.listeners.get(taskId);
    this.listeners.delete(taskId);
    if (running?.size)
      this.logger.info({ taskId, calls: running.size }, 'aborting tool calls of a cancelled task');
    for (const listener of running ?? []) listener(reason);
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }
}
