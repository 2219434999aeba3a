import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, TaskEventStream, Tasks } from '@switchboard/contracts';
import { type BusSubscription, JetStreamService, NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import { hasEnded, storedOutcomeEvent } from './stored-outcome.js';

export interface FollowOptions {
  /** Deliver events with seq > afterSeq (Last-Event-ID). */
  afterSeq: number;
  /** Read the stored history first (replay) — for tasks that may already have events. */
  replay: boolean;
  /** Who follows: the stored task is read as this user when the events stop coming. */
  actor: Actor;
  /** How long a missing seq may stay missing before it is fetched from the stream. */
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
 * One task's events in seq order, without gaps or duplicates, ending after the terminal event. Read it
 * once: either iterate it, or hand `forEach` a callback, which gets each event synchronously as it
 * becomes deliverable (no promise per event: what a stream with thousands of siblings wants) and
 * resolves when the feed has ended (rejects with what the callback threw).
 */
export interface TaskEventFeed extends AsyncIterable<Tasks.TaskEvent> {
  forEach(onEvent: (event: Tasks.TaskEvent) => void): Promise<void>;
  close(): void;
}

/** The reader of a feed. */
interface Sink {
  event(event: Tasks.TaskEvent): void;
  end(failure?: unknown): void;
}

/**
 * How long a task may be stored as ended while its terminal event is still missing before the feed
 * ends with a stand-in: the orchestrator stores the outcome a moment before it publishes the event.
 */
export const OUTCOME_GRACE_MS = 2_000;

/**
 * Follows a task's events. Live events arrive on a core subscription taken *before* anything else
 * (so none is missed); stored events come from JetStream when replaying or when a gap in the per-task
 * sequence outlives `gapRepairMs`. Events are released strictly in seq order.
 *
 * A feed never waits forever for a task that has ended: when its next event does not come (a gap that
 * the stream cannot fill, the first replay finding nothing, or TASK_STALL_CHECK_MS of silence) it reads
 * the stored task, and if that has ended and the missing events still cannot be fetched after
 * OUTCOME_GRACE_MS, it delivers what it holds and ends with the stored outcome (storedOutcomeEvent).
 */
@Injectable()
export class TaskEventFollower {
  /** One live subscription per task in this process, shared by all its followers (decoded once). */
  private readonly hubs = new Map<
    string,
    { sub: BusSubscription; listeners: Set<(e: Tasks.TaskEvent) => void> }
  >();

  constructor(
    private readonly jetstream: JetStreamService,
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

  // eslint-disable-next-line max-lines-per-function -- a state machine written as one closure; to become explicit states with transition tests (docs/architecture.md, Long functions)
  async follow(taskId: string, opts: FollowOptions): Promise<TaskEventFeed> {
    const filter = Tasks.taskEventsFilter(taskId);
    const gapRepairMs = opts.gapRepairMs ?? 500;
    const stallCheckMs = opts.stallCheckMs ?? this.config.TASK_STALL_CHECK_MS;
    const buffer = new Map<number, Tasks.TaskEvent>();
    let knownStored = opts.known?.eventsStored === true;
    let knownView = opts.known?.view;
    let next = opts.afterSeq + 1;
    let ended = false;
    let closed = false;
    /** Set when the feed ends without its terminal event in order: with a stand-in, or nothing more. */
    let finish: { event?: Tasks.TaskEvent } | undefined;
    /** The task has ended and its missing events are not coming: deliver what is held, holes skipped. */
    let skipGaps = false;
    /** Who reads the feed (forEach, or the async iterator on top of it); events wait in `buffer` until then. */
    let sink: Sink | undefined;
    let draining = false;
    let gapTimer: NodeJS.Timeout | undefined;
    let stallTimer: NodeJS.Timeout | undefined;
    /**
     * Silence is counted from here: the last delivered event, or the last look at the stored task. The
     * stall timer is not re-armed per event; when it fires early, it re-arms itself for the rest.
     */
    let quietSince = Date.now();
    let repairing: Promise<void> | undefined;
    let settling = false;
    let endedSince: number | undefined;

    /** Delivers what can be delivered now, in seq order, synchronously; ends the feed after its last event. */
    const drain = () => {
      if (!sink || draining) return;
      draining = true;
      try {
        while (!closed && !ended) {
          if (skipGaps && !buffer.has(next) && buffer.size > 0) next = Math.min(...buffer.keys());
          const event = buffer.get(next);
          if (event) {
            buffer.delete(next);
            next++;
            if (gapTimer) {
              clearTimeout(gapTimer);
              gapTimer = undefined;
            }
            if (Tasks.isTerminalTaskEvent(event)) ended = true;
            quietSince = Date.now();
            sink.event(event);
            continue;
          }
          if (finish) {
            ended = true;
            if (finish.event) sink.event(finish.event);
            break;
          }
          if (buffer.size > 0 && !gapTimer) {
            // A later event arrived first: give the missing one a moment, then fetch it; if the
            // stream does not have it either, the stored task decides whether it can still come.
            gapTimer = setTimeout(() => {
              gapTimer = undefined;
              void repair().then(() => {
                if (waiting() && buffer.size > 0) void settle();
              });
            }, gapRepairMs);
          }
          break;
        }
      } catch (e) {
        close(e); // the reader failed on an event
      } finally {
        draining = false;
      }
      if (ended) close();
    };
    const offer = (event: Tasks.TaskEvent) => {
      if (event.taskId !== taskId) return;
      if (event.seq < next) {
        // The task's end, which the client already has (it resumed at or past it): nothing more comes.
        if (Tasks.isTerminalTaskEvent(event) && !finish) {
          finish = {};
          drain();
        }
        return;
      }
      buffer.set(event.seq, event);
      drain();
    };
    const repair = (): Promise<void> => {
      repairing ??= (async () => {
        // Replaying a filter with nothing stored does not finish (libs/messaging), and is pointless.
        const stored = knownStored || !!(await this.jetstream.lastMessage(TaskEventStream, filter));
        knownStored = false;
        if (!stored) return;
        const { messages } = await this.jetstream.replay(TaskEventStream, filter, {
          follow: false,
        });
        for await (const m of messages) {
          const parsed = Tasks.StoredTaskEvents.safeParse(m.data);
          if (parsed.success) for (const e of Tasks.eventsOf(parsed.data)) offer(e);
          else this.logger.warn({ taskId }, 'ignored an invalid task event');
        }
      })()
        .catch((e: unknown) =>
          this.logger.warn({ err: e, taskId }, 'could not read stored task events'),
        )
        .finally(() => {
          repairing = undefined;
          drain();
        });
      return repairing;
    };
    const waiting = () => !closed && !ended && !finish && !buffer.has(next);
    /** Reads the stored task once the feed has been quiet for stallCheckMs. */
    const armStallCheck = () => {
      clearTimeout(stallTimer);
      if (closed || ended) return;
      stallTimer = setTimeout(
        () => {
          if (Date.now() - quietSince < stallCheckMs)
            armStallCheck(); // events came meanwhile
          else void settle();
        },
        Math.max(0, stallCheckMs - (Date.now() - quietSince)),
      );
    };
    /** Reads the stored task; ends the feed with its outcome if it has ended and its events do not come. */
    const settle = async (): Promise<void> => {
      if (settling || !waiting()) return;
      settling = true;
      let recheckMs: number | undefined;
      try {
        const view = knownView ?? (await this.storedTask(taskId, opts.actor));
        knownView = undefined;
        if (!view || !hasEnded(view)) {
          endedSince = undefined;
          return;
        }
        await repair(); // the real events win over a stand-in
        if (!waiting()) return;
        endedSince ??= Date.now();
        const waited = Date.now() - endedSince;
        if (waited < OUTCOME_GRACE_MS) {
          recheckMs = OUTCOME_GRACE_MS - waited;
          return;
        }
        const held = [...buffer.keys()];
        const seq = Math.max(view.lastEventSeq, next, ...held.map((s) => s + 1));
        this.logger.warn(
          { taskId, missing: next, lastEventSeq: view.lastEventSeq, status: view.status },
          'the task has ended but its events do not reach the gateway; ending with its stored outcome',
        );
        skipGaps = true;
        finish = { event: storedOutcomeEvent(view, seq) };
        drain();
      } finally {
        settling = false;
        if (waiting()) {
          // Silence counts from now again; a task stored as ended is looked at after the grace.
          quietSince = Date.now();
          if (recheckMs === undefined) armStallCheck();
          else {
            clearTimeout(stallTimer);
            stallTimer = setTimeout(() => void settle(), recheckMs);
          }
        }
      }
    };
    const stopListening = await this.listen(taskId, offer);
    // Defined after the subscription: drain() calls it only once there is a reader, after follow().
    const close = (failure?: unknown) => {
      if (closed) return;
      closed = true;
      clearTimeout(gapTimer);
      clearTimeout(stallTimer);
      stopListening();
      sink?.end(failure);
    };
    if (opts.replay) {
      await repair();
      // Nothing to send after the client's last event: check at once whether more can come at all.
      if (waiting()) void settle();
    }
    armStallCheck();

    const forEach = (onEvent: (event: Tasks.TaskEvent) => void): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (sink) throw new Error('a task event feed can be read only once');
        sink = {
          event: onEvent,
          end: (failure) => (failure === undefined ? resolve() : reject(failure)),
        };
        if (closed) resolve();
        else drain();
      });

    async function* iterate(): AsyncGenerator<Tasks.TaskEvent> {
      const queue: Tasks.TaskEvent[] = [];
      let done = false;
      let wake: (() => void) | undefined;
      const signal = () => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      const finished = () => {
        done = true;
        signal();
      };
      forEach((event) => {
        queue.push(event);
        signal();
      }).then(finished, finished);
      try {
        for (;;) {
          if (closed && !ended) return; // closed by the reader: nothing more, even if held
          const event = queue.shift();
          if (event) {
            yield event;
            continue;
          }
          if (done) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        close();
      }
    }
    let iterator: AsyncGenerator<Tasks.TaskEvent> | undefined;
    return {
      [Symbol.asyncIterator]: () => (iterator ??= iterate()),
      forEach,
      close: () => close(),
    };
  }
}
