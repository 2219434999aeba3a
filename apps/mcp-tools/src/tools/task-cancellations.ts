import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';

type CancelListener = (reason: string) => void;

/** How many cancelled task ids are remembered, so a call that arrives after the broadcast is refused. */
const REMEMBERED = 1_000;

/**
 * Aborts the tool calls of a cancelled task. Every replica subscribes to the cancel broadcast without
 * a queue group: whichever replica runs a call of that task hears it.
 */
@Injectable()
export class TaskCancellations implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Map<string, Set<CancelListener>>();
  private readonly cancelled = new Map<string, string>();
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }) =>
      this.cancel(taskId, reason),
    );
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
