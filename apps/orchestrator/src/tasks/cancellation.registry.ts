import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';

/** A task running here: what aborts it, and its deadline's timer. */
interface Running {
  controller: AbortController;
  /** Set once the task is claimed (its deadline counts from its first start). */
  deadline?: NodeJS.Timeout;
}

/**
 * Abort signals of the tasks running in this replica: a user's cancellation (CancelledBy) or the
 * task's deadline (a TimeoutError). Every replica listens to the cancel broadcast (no queue group):
 * the one running the task aborts it; the others ignore it.
 */
@Injectable()
export class CancellationRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly running = new Map<string, Running>();
  private subscription: BusSubscription | undefined;

  constructor(private readonly bus: NatsBus) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }) =>
      this.running.get(taskId)?.controller.abort(new CancelledBy(reason)),
    );
  }

  /**
   * Hears the task's cancellation from now on, before its claim: a cancel is stored on the task's
   * row, which the claim makes, and published at once — a thread's interrupt can do both between the
   * claim's commit and `register`, and would be heard only at the task's next safe point (after a
   * model call that may take minutes). False when the task was heard already (it runs here).
   */
  listen(taskId: string): boolean {
    if (this.running.has(taskId)) return false;
    this.running.set(taskId, { controller: new AbortController() });
    return true;
  }

  /**
   * The task's signal, aborted by its cancellation (heard since `listen`, if it was called) or at
   * `deadline` (epoch ms).
   */
  register(taskId: string, deadline: number): AbortSignal {
    const controller = this.running.get(taskId)?.controller ?? new AbortController();
    clearTimeout(this.running.get(taskId)?.deadline);
    // A timer of its own, cleared when the task ends: AbortSignal.timeout's lived out the whole
    // budget after every task that ended sooner, holding the task's async context (its span, its
    // request context) — 2 KB a task, 100 MB at 160 tasks/s with the default 5 minutes.
    const timer = setTimeout(
      () => controller.abort(new DOMException('the task ran out of time', 'TimeoutError')),
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    this.running.set(taskId, { controller, deadline: timer });
    return controller.signal;
  }

  unregister(taskId: string): void {
    clearTimeout(this.running.get(taskId)?.deadline);
    this.running.delete(taskId);
  }

  /** Deadlines still counting (one per task running here). */
  get pendingDeadlines(): number {
    return this.running.size;
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
