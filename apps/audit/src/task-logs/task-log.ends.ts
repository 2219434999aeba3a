import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import {
  type Actor,
  type Audit,
  DEFAULT_TENANT,
  isDomainError,
  Tasks,
} from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { AuditEnv } from '../config/audit.env.js';
import type { ChainWatcher } from '../trail/chain-watcher.js';
import { TaskLogBuffer } from './task-log.buffer.js';
import { TaskLogMetrics } from './task-log.metrics.js';
import { TaskLogWriter } from './task-log.writer.js';

const END_ACTIONS = new Set(Tasks.TERMINAL_TASK_STATUSES.map((s) => `task.${s}`));

/**
 * A task's end record (the orchestrator's FinishTaskUseCase `endRecord`, or its `recordEndAgain`
 * after a crash): category `task`, action `task.<completed|failed|cancelled>`, with its task.
 */
export function isTaskEnd(r: Audit.AuditRecord): r is Audit.AuditRecord & { taskId: string } {
  return r.category === 'task' && END_ACTIONS.has(r.action) && r.taskId !== undefined;
}

/**
 * Writes a task's log when its end record is chained (the relayed append or SB_AUDIT), before the
 * append is answered: from the live events this replica holds when they are all there, from the
 * orchestrator's journal (TaskEvents, as the task's owner) otherwise. A write that fails fails the
 * append: the record comes again (the relay's sweep, a redelivery) and the log is written again —
 * the writer rewrites nothing already on disk. An end record that was in the trail already (sent
 * again) writes the log only if it is not complete on disk.
 */
@Injectable()
export class TaskLogEnds implements ChainWatcher {
  /** Per task, the write under way: one at a time, so two never append the same lines. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly buffer: TaskLogBuffer,
    private readonly writer: TaskLogWriter,
    private readonly bus: NatsBus,
    private readonly metrics: TaskLogMetrics,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AuditEnv, 'TASK_LOGS_ENABLED' | 'TASK_LOG_LINGER_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async chained(
    offered: readonly Audit.AuditRecord[],
    chainedNow: readonly Audit.AuditRecord[],
  ): Promise<void> {
    if (!this.config.TASK_LOGS_ENABLED) return;
    const fresh = new Set(chainedNow.map((r) => r.id));
    const ends = new Map<string, { record: Audit.AuditRecord; now: boolean }>();
    for (const r of offered) {
      if (!isTaskEnd(r)) continue;
      const now = fresh.has(r.id) || ends.get(r.taskId)?.now === true;
      ends.set(r.taskId, { record: r, now });
    }
    await Promise.all(
      [...ends.entries()].map(([taskId, { record, now }]) =>
        this.serially(taskId, () => this.write(taskId, record, now)),
      ),
    );
  }

  private async serially(taskId: string, work: () => Promise<void>): Promise<void> {
    const before = this.writing.get(taskId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(work);
    this.writing.set(taskId, mine);
    try {
      await mine;
    } finally {
      if (this.writing.get(taskId) === mine) this.writing.delete(taskId);
    }
  }

  private async write(
    taskId: string,
    record: Audit.AuditRecord,
    chainedNow: boolean,
  ): Promise<void> {
    if (!chainedNow && (await this.writer.ended(taskId))) {
      this.buffer.take(taskId);
      return;
    }
    // The terminal event is published once the task's slot is free, so it may trail the end record.
    const complete =
      this.buffer.holds(taskId) &&
      (await this.buffer.whenComplete(taskId, this.config.TASK_LOG_LINGER_MS));
    let events = this.buffer.take(taskId);
    if (!complete) {
      this.metrics.journalReads.inc();
      events = await this.fromJournal(taskId, record, events);
    }
    if (!events.length) return;
    await this.writer.write(events, new Map([[taskId, record.tenantId ?? DEFAULT_TENANT]]));
    this.metrics.writes.inc();
    this.logger.debug(
      { taskId, events: events.length, fromJournal: !complete },
      'task log written at its end',
    );
  }

  /**
   * The task's events from its journal, page after page, after the first gap in `held`. Read as the
   * task's owner (the end record's actor): TaskEvents answers its owner only. Without an owner, or
   * for a task the journal does not know (NOT_FOUND: deleted since), what is held is all there is.
   */
  private async fromJournal(
    taskId: string,
    record: Audit.AuditRecord,
    held: Tasks.TaskEvent[],
  ): Promise<Tasks.TaskEvent[]> {
    const { userId, role } = record.actor;
    if (!userId || !role) {
      this.logger.warn({ taskId }, 'task end without an owner: its log holds only what was heard');
      return held;
    }
    const actor: Actor = {
      userId,
      role,
      ...(record.tenantId ? { tenantId: record.tenantId } : {}),
    };
    const events = new Map(held.map((e) => [e.seq, e]));
    let after = 0;
    while (events.has(after + 1)) after++;
    for (;;) {
      const page = await this.bus
        .request(
          Tasks.TaskEvents,
          { taskId, afterSeq: after, limit: Tasks.TASK_EVENTS_PAGE_MAX },
          { actor },
        )
        .catch((e: unknown) => {
          if (isDomainError(e) && e.code === 'NOT_FOUND') return undefined;
          throw e;
        });
      if (!page) break;
      for (const e of page.events) events.set(e.seq, e);
      const last = page.events.at(-1)?.seq;
      if (last === undefined || last >= page.lastSeq) break;
      after = last;
    }
    return [...events.values()].sort((a, b) => a.seq - b.seq);
  }
}
