import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Actor, sameTenant, spansTenants, Tasks, tenantOf } from '@switchboard/contracts';
import { AuditTrail, type BusSubscription, NatsBus, readMeta } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import { auditOtherTenant } from '../tenancy/tenant-scope.js';

type CancelListener = (reason: string) => void;

/** A tool call waiting to hear its task's cancel: its tenant's cancels only stop it. */
interface Watcher {
  tenantId: string;
  onCancel: CancelListener;
}

/** How many cancelled task ids are remembered, so a call that arrives after the broadcast is refused. */
const REMEMBERED = 1_000;
/** Where the platform operator's cancels are remembered: they stop a task of any tenant. */
const ANY_TENANT = '*';

/**
 * Aborts the tool calls of a cancelled task. Every replica subscribes to the cancel broadcast without
 * a queue group: whichever replica runs a call of that task hears it. A cancel stops the calls of the
 * canceller's own tenant (any, for the platform operator); the calls of another tenant's task with
 * that id run on, as if the cancel named nothing here, and the attempt is audited.
 */
@Injectable()
export class TaskCancellations implements OnModuleInit, OnApplicationShutdown {
  private readonly listeners = new Map<string, Set<Watcher>>();
  /** Remembered cancels, by `tenant/taskId` of the canceller (ANY_TENANT for the operator's). */
  private readonly cancelled = new Map<string, string>();
  private subscription: BusSubscription | undefined;

  constructor(
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(Tasks.TaskCancelRequested, ({ taskId, reason }, m) =>
      this.cancel(taskId, reason, readMeta(m.subject, m.headers).actor),
    );
  }

  /**
   * Calls `onCancel` when the task is cancelled in `tenantId` (at once if it already was). Returns the
   * unsubscribe.
   */
  watch(taskId: string, tenantId: string, onCancel: CancelListener): () => void {
    const already =
      this.cancelled.get(`${tenantId}/${taskId}`) ?? this.cancelled.get(`${ANY_TENANT}/${taskId}`);
    if (already !== undefined) {
      onCancel(already);
      return () => undefined;
    }
    const watcher: Watcher = { tenantId, onCancel };
    const set = this.listeners.get(taskId) ?? new Set<Watcher>();
    set.add(watcher);
    this.listeners.set(taskId, set);
    return () => {
      set.delete(watcher);
      if (set.size === 0) this.listeners.delete(taskId);
    };
  }

  /** The task's cancel, sent by `by` (no actor: the default tenant's). */
  cancel(taskId: string, reason: string, by?: Actor): void {
    this.remember(`${spansTenants(by) ? ANY_TENANT : tenantOf(by)}/${taskId}`, reason);
    const watching = [...(this.listeners.get(taskId) ?? [])];
    const running = watching.filter((w) => sameTenant(by, w.tenantId));
    // Not filed under the task (another tenant's): only named, as the canceller sent it.
    if (running.length < watching.length)
      auditOtherTenant(
        this.audit,
        {
          category: 'tool',
          action: 'tool.call',
          resource: taskId,
          details: { taskId, operation: 'task-cancel' },
        },
        { actor: by },
      );
    for (const w of running) this.listeners.get(taskId)?.delete(w);
    if (this.listeners.get(taskId)?.size === 0) this.listeners.delete(taskId);
    if (running.length)
      this.logger.info(
        { taskId, calls: running.length },
        'aborting tool calls of a cancelled task',
      );
    for (const w of running) w.onCancel(reason);
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private remember(key: string, reason: string): void {
    this.cancelled.set(key, reason);
    if (this.cancelled.size > REMEMBERED)
      this.cancelled.delete(this.cancelled.keys().next().value as string);
  }
}
