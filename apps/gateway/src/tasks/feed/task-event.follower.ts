import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isDomainError, Tasks } from '@switchboard/contracts';
import { type BusSubscription, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../../config/gateway.env.js';
import { type TaskEventFeed, TaskFeedSession } from './task-feed.session.js';

export { OUTCOME_GRACE_MS, type TaskEventFeed } from './task-feed.session.js';

export interface FollowOptions {
  /** Deliver events with seq > afterSeq (Last-Event-ID). */
  afterSeq: number;
  /** Read the stored history first (replay) — for tasks that may already have events. */
  replay: boolean;
  /** Who follows: the stored task is read as this user when the events stop coming. */
  actor: Actor;
  /** How long a missing seq may stay missing before it is read from the journal. */
  gapRepairMs?: number;
  /** How long the feed may wait for its next event before it reads the stored task. */
  stallCheckMs?: number;
  /**
   * What the caller has just read, used once instead of asking again: events are stored for the task
   * (so the first replay needs no lookup), and the stored task (for the first look at its outcome).
   */
  known?: { eventsStored?: true; view?: Tasks.TaskView };
}

/**
 * Follows a task's events. Live events arrive on a core subscription taken *before* anything else
 * (so none is missed); journaled events are read from the orchestrator (TaskEvents, any replica)
 * when replaying or when a gap in the per-task sequence outlives `gapRepairMs`. Each feed is a TaskFeedSession: its phases (task-feed.machine.ts)
 * say what it does when its next event does not come.
 */
@Injectable()
export class TaskEventFollower {
  /** One live subscription per task in this process, shared by all its followers (decoded once). */
  private readonly hubs = new Map<
    string,
    { sub: BusSubscription; listeners: Set<(e: Tasks.TaskEvent) => void> }
  >();

  constructor(
    private readonly bus: NatsBus,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Adds a listener to the task's shared subscription; resolves once the subscription is live. */
  private async listen(
    taskId: string,
    listener: (e: Tasks.TaskEvent) => void,
  ): Promise<() => void> {
    let hub = this.hubs.get(taskId);
    if (!hub) {
      const listeners = new Set<(e: Tasks.TaskEvent) => void>();
      const sub = this.bus.subscribe(
        Tasks.TaskEventPublished,
        (stored) => {
          for (const event of Tasks.eventsOf(stored)) {
            if (event.taskId !== taskId) {
              this.logger.warn({ taskId }, 'ignored an event of another task on its subject');
              return;
            }
            for (const l of listeners) l(event);
          }
        },
        { subject: Tasks.taskEventsFilter(taskId) },
      );
      hub = { sub, listeners };
      this.hubs.set(taskId, hub);
    }
    const h = hub;
    h.listeners.add(listener);
    try {
      await h.sub.ready;
    } catch (e) {
      h.listeners.delete(listener);
      if (this.hubs.get(taskId) === h) this.hubs.delete(taskId);
      throw e;
    }
    return () => {
      h.listeners.delete(listener);
      if (h.listeners.size === 0 && this.hubs.get(taskId) === h) {
        h.sub.unsubscribe();
        this.hubs.delete(taskId);
      }
    };
  }

  /** The stored task, or undefined when it cannot be read now (the feed then keeps waiting). */
  private async storedTask(taskId: string, actor: Actor): Promise<Tasks.TaskView | undefined> {
    try {
      return await this.bus.request(Tasks.TaskGet, { taskId }, { actor });
    } catch {
      return undefined;
    }
  }

  /** Follows a task's events: its subscription first (so none is missed), then its stored history. */
  async follow(taskId: string, opts: FollowOptions): Promise<TaskEventFeed> {
    const feed = new TaskFeedSession(
      taskId,
      {
        afterSeq: opts.afterSeq,
        gapRepairMs: opts.gapRepairMs ?? 500,
        stallCheckMs: opts.stallCheckMs ?? this.config.TASK_STALL_CHECK_MS,
        outcomeGraceMs: this.config.TASK_OUTCOME_GRACE_MS,
        ...(opts.known ? { known: opts.known } : {}),
      },
      {
        readStored: (_known, offer, afterSeq) =>
          this.readStored(taskId, opts.actor, afterSeq, offer),
        readTask: () => this.storedTask(taskId, opts.actor),
        logger: this.logger,
      },
    );
    feed.attach(await this.listen(taskId, (event) => feed.offer(event)));
    await feed.start(opts.replay);
    return feed;
  }

  /** Offers the task's journaled events after `afterSeq` to a feed, in seq order, page by page. */
  private async readStored(
    taskId: string,
    actor: Actor,
    afterSeq: number,
    offer: (event: Tasks.TaskEvent) => void,
  ): Promise<void> {
    for (let after = afterSeq; ;) {
      const page = await this.bus
        .request(Tasks.TaskEvents, { taskId, afterSeq: after, limit: JOURNAL_PAGE }, { actor })
        .catch((e: unknown) => {
          // Not claimed yet (no row, no event): nothing is journaled.
          if (isDomainError(e) && e.code === 'NOT_FOUND') return undefined;
          throw e;
        });
      if (!page) return;
      for (const e of page.events) offer(e);
      const last = page.events.at(-1)?.seq;
      // The reader is at or past the task's end: its terminal event tells the feed nothing more comes.
      if (last === undefined && page.ended && page.lastSeq > 0 && after >= page.lastSeq)
        return this.readStored(taskId, actor, page.lastSeq - 1, offer);
      if (last === undefined || last >= page.lastSeq) return;
      after = last;
    }
  }
}

/** Events per page read from the journal. */
const JOURNAL_PAGE = 100;
