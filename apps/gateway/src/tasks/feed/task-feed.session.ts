import { Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { SeqOrderBuffer } from './seq-order.buffer.js';
import { hasEnded, storedOutcomeEvent } from './stored-outcome.js';
import { type FeedPhase, type FeedTrigger, TASK_FEED } from './task-feed.machine.js';

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

/**
 * How long a task may be stored as ended while its terminal event is still missing before the feed
 * ends with a stand-in: the orchestrator stores the outcome a moment before it publishes the event.
 * The default of TASK_OUTCOME_GRACE_MS.
 */
export const OUTCOME_GRACE_MS = 2_000;

export interface FeedSettings {
  /** Deliver events with seq > afterSeq (Last-Event-ID). */
  afterSeq: number;
  /** How long a missing seq may stay missing before it is fetched from the stream. */
  gapRepairMs: number;
  /** How long the feed may wait for its next event before it reads the stored task. */
  stallCheckMs: number;
  /** How long an ended task's missing events are waited for (default OUTCOME_GRACE_MS). */
  outcomeGraceMs?: number;
  /** What the caller has just read, used once instead of asking again. */
  known?: { eventsStored?: true; view?: Tasks.TaskView };
}

/** Where a feed reads what the subscription did not bring. */
export interface FeedSources {
  /**
   * Offers the task's journaled events after `afterSeq` (the orchestrator's TaskEvents); `known`:
   * events are known to be journaled.
   */
  readStored(
    known: boolean,
    offer: (event: Tasks.TaskEvent) => void,
    afterSeq: number,
  ): Promise<void>;
  /** The stored task, or undefined when it cannot be read now. */
  readTask(): Promise<Tasks.TaskView | undefined>;
  logger: Logger;
}

/** The reader of a feed. */
interface Sink {
  event(event: Tasks.TaskEvent): void;
  end(failure?: unknown): void;
}

/**
 * A task event feed as an explicit state machine (TASK_FEED, task-feed.machine.ts): the subscription
 * offers events, the buffer puts them in order, and the phase says what the feed does when its next
 * event does not come. A feed never waits forever for a task that has ended: after a gap the stream
 * cannot fill, a replay finding nothing, or TASK_STALL_CHECK_MS of silence it reads the stored task;
 * if that has ended and the missing events still cannot be fetched after TASK_OUTCOME_GRACE_MS, it
 * delivers what it holds and ends with the stored outcome (storedOutcomeEvent).
 */
export class TaskFeedSession implements TaskEventFeed {
  private phase: FeedPhase = TASK_FEED.definition.initial;
  private readonly order: SeqOrderBuffer;
  private sink: Sink | undefined;
  private draining = false;
  private gapTimer: NodeJS.Timeout | undefined;
  /** The stall check while following, the grace's end while in grace. */
  private phaseTimer: NodeJS.Timeout | undefined;
  /** Silence is counted from here: the last delivered event, or the last look at the stored task. */
  private quietSince = Date.now();
  private repairing: Promise<void> | undefined;
  /** When the stored task was first seen ended with events missing (the grace counts from here). */
  private endedSince: number | undefined;
  /** What ends a feed in `ending` once what is held is out (none: nothing more). */
  private standIn: Tasks.TaskEvent | undefined;
  private knownStored: boolean;
  private knownView: Tasks.TaskView | undefined;
  private stopListening: () => void = () => undefined;
  private iterator: AsyncGenerator<Tasks.TaskEvent> | undefined;

  constructor(
    private readonly taskId: string,
    private readonly settings: FeedSettings,
    private readonly sources: FeedSources,
  ) {
    this.order = new SeqOrderBuffer(settings.afterSeq + 1);
    this.knownStored = settings.known?.eventsStored === true;
    this.knownView = settings.known?.view;
  }

  get state(): FeedPhase {
    return this.phase;
  }

  /** Hands the feed what drops its subscription (taken before anything else, so nothing is missed). */
  attach(stopListening: () => void): void {
    this.stopListening = stopListening;
  }

  /** Reads the stored history first when replaying, then waits for the next event. */
  async start(replay: boolean): Promise<void> {
    if (replay) {
      await this.repair();
      // Nothing to send after the reader's position: check at once whether more can come at all.
      if (this.phase === 'following' && !this.order.ready) void this.check();
    }
    this.armStallCheck();
  }

  /** An event from the subscription or the stream. */
  offer(event: Tasks.TaskEvent): void {
    if (event.taskId !== this.taskId || TASK_FEED.isFinal(this.phase)) return;
    if (this.order.hold(event)) return this.drain();
    // The task's end, which the reader already has (it resumed at or past it): nothing more comes.
    if (Tasks.isTerminalTaskEvent(event) && this.can('end-known')) {
      this.move('end-known');
      this.drain();
    }
  }

  forEach(onEvent: (event: Tasks.TaskEvent) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.sink) throw new Error('a task event feed can be read only once');
      this.sink = {
        event: onEvent,
        end: (failure) => (failure === undefined ? resolve() : reject(failure)),
      };
      if (TASK_FEED.isFinal(this.phase)) resolve();
      else this.drain();
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Tasks.TaskEvent> {
    return (this.iterator ??= this.iterate());
  }

  close(failure?: unknown): void {
    if (!this.can('closed')) return;
    this.move('closed');
    this.release(failure);
  }

  /** The phase now (a method, so a check after an await is not narrowed by one before it). */
  private isIn(phase: FeedPhase): boolean {
    return this.phase === phase;
  }

  private can(trigger: FeedTrigger): boolean {
    return TASK_FEED.target(this.phase, trigger) !== undefined;
  }

  private move(trigger: FeedTrigger): void {
    this.phase = TASK_FEED.next(this.phase, trigger);
  }

  private release(failure?: unknown): void {
    clearTimeout(this.gapTimer);
    clearTimeout(this.phaseTimer);
    this.stopListening();
    this.sink?.end(failure);
  }

  /** Delivers what can be delivered now, in seq order, synchronously; ends the feed after its last event. */
  private drain(): void {
    if (!this.sink || this.draining) return;
    this.draining = true;
    try {
      while (this.deliverNext(this.sink));
    } catch (e) {
      this.draining = false;
      return this.close(e); // the reader failed on an event
    }
    this.draining = false;
    if (this.phase === 'ended') return this.release();
    if (TASK_FEED.isFinal(this.phase) || this.phase === 'ending') return;
    if (this.order.gapped && !this.gapTimer) this.armGapRepair();
  }

  /** Delivers one event, or ends an `ending` feed; false when nothing more can go out now. */
  private deliverNext(sink: Sink): boolean {
    if (TASK_FEED.isFinal(this.phase)) return false;
    const event = this.order.take();
    if (event) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      this.quietSince = Date.now();
      sink.event(event);
      if (!Tasks.isTerminalTaskEvent(event)) return true;
      // The reader may have closed the feed from inside its callback.
      if (this.can('terminal-delivered')) this.move('terminal-delivered');
      return false;
    }
    if (this.phase !== 'ending') return false;
    if (this.standIn) sink.event(this.standIn);
    if (this.can('drained')) this.move('drained');
    return false;
  }

  /** A later event arrived first: give the missing one a moment, then fetch it from the stream. */
  private armGapRepair(): void {
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      // If the stream does not have it either, the stored task decides whether it can still come.
      void this.repair().then(() => {
        if (this.phase === 'following' && this.order.gapped) void this.check();
      });
    }, this.settings.gapRepairMs);
  }

  /** Reads the stored events (once at a time); every reader of the result sees them offered. */
  private repair(): Promise<void> {
    this.repairing ??= this.readStored()
      .catch((e: unknown) =>
        this.sources.logger.warn(
          { err: e, taskId: this.taskId },
          'could not read stored task events',
        ),
      )
      .finally(() => {
        this.repairing = undefined;
        this.drain();
      });
    return this.repairing;
  }

  private async readStored(): Promise<void> {
    const known = this.knownStored;
    this.knownStored = false;
    await this.sources.readStored(known, (event) => this.offer(event), this.order.next - 1);
  }

  /** While following, reads the stored task once the feed has been quiet for stallCheckMs. */
  private armStallCheck(): void {
    clearTimeout(this.phaseTimer);
    if (this.phase !== 'following') return;
    const { stallCheckMs } = this.settings;
    this.phaseTimer = setTimeout(
      () => {
        if (Date.now() - this.quietSince < stallCheckMs)
          this.armStallCheck(); // events came meanwhile
        else void this.check();
      },
      Math.max(0, stallCheckMs - (Date.now() - this.quietSince)),
    );
  }

  /** `checking`: has the task ended, and are its missing events coming? */
  private async check(): Promise<void> {
    if (this.phase !== 'following' && this.phase !== 'grace') return;
    this.move(this.phase === 'grace' ? 'grace-over' : 'stalled');
    clearTimeout(this.phaseTimer);
    const view = this.knownView ?? (await this.sources.readTask());
    this.knownView = undefined;
    if (!this.isIn('checking')) return; // ended or closed meanwhile
    if (!view || !hasEnded(view)) {
      this.endedSince = undefined;
      return this.resume('running');
    }
    await this.repair(); // the real events win over a stand-in
    if (!this.isIn('checking')) return;
    if (this.order.ready) return this.resume('events-came');
    this.endedSince ??= Date.now();
    const waited = Date.now() - this.endedSince;
    const graceMs = this.settings.outcomeGraceMs ?? OUTCOME_GRACE_MS;
    if (waited < graceMs) {
      this.move('ended-unheard');
      this.phaseTimer = setTimeout(() => void this.check(), graceMs - waited);
      return;
    }
    this.giveUp(view);
  }

  private resume(trigger: 'running' | 'events-came'): void {
    this.move(trigger);
    this.quietSince = Date.now(); // silence counts from the last look
    this.armStallCheck();
    this.drain();
  }

  /** `ending`: what is held goes out past the holes, then the stored outcome. */
  private giveUp(view: Tasks.TaskView): void {
    const next = this.order.next;
    const seq = Math.max(view.lastEventSeq, next, ...this.order.heldSeqs.map((s) => s + 1));
    this.sources.logger.warn(
      { taskId: this.taskId, missing: next, lastEventSeq: view.lastEventSeq, status: view.status },
      'the task has ended but its events do not reach the gateway; ending with its stored outcome',
    );
    this.order.skipHoles();
    this.standIn = storedOutcomeEvent(view, seq);
    this.move('gave-up');
    this.drain();
  }

  private async *iterate(): AsyncGenerator<Tasks.TaskEvent> {
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
    this.forEach((event) => {
      queue.push(event);
      signal();
    }).then(finished, finished);
    try {
      for (;;) {
        if (this.phase === 'closed') return; // closed by the reader: nothing more, even if held
        const event = queue.shift();
        if (event) {
          yield event;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      this.close();
    }
  }
}
