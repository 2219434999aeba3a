import { type Actor, Approvals, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { DeferredRateCharge } from '../../limits/rate-limiter.js';
import type { SlotFreeing, StreamSlot, StreamSlots } from '../../limits/stream-slots.js';
import type { AdmissionHolds } from '../../limits/task-admission.js';
import type {
  FollowOptions,
  TaskEventFeed,
  TaskEventFollower,
} from '../feed/task-event.follower.js';
import type { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import { type SessionState, type SessionTrigger, TASK_SESSION } from './task-session.machine.js';
import { listPending, pendingApprovals } from './task-approvals.js';

/** What a session needs of the gateway (TaskSessions hands it the real ones, unit tests fakes). */
export interface SessionDeps {
  submit: Pick<SubmitTaskUseCase, 'execute'>;
  follower: Pick<TaskEventFollower, 'follow'>;
  slots: Pick<StreamSlots, 'acquire'>;
  bus: Pick<NatsBus, 'request'>;
  logger: Pick<Logger, 'warn'>;
}

type EventNamed<N extends Tasks.TaskEventName> = Extract<Tasks.TaskEvent, { name: N }>;
export type ApprovalRequestedEvent = EventNamed<'orchestrator.approval.requested'>;
export type CompletedEvent = EventNamed<'orchestrator.task.completed'>;
export type EndedBadlyEvent = EventNamed<
  'orchestrator.task.failed' | 'orchestrator.task.cancelled'
>;

/**
 * How a wait for the task ended: its answer, its failure (failed or cancelled), a pause for approvals
 * (`pending`: what waits, when the wait asked and the orchestrator could say), or the session's own
 * end — the wait timed out, the client went away, or the events stopped before an outcome (`cut`).
 */
export type SessionOutcome =
  | { kind: 'answered'; event: CompletedEvent }
  | { kind: 'failed'; event: EndedBadlyEvent }
  | {
      kind: 'waiting';
      event: ApprovalRequestedEvent;
      pending: Approvals.ApprovalView[] | undefined;
    }
  | { kind: 'timed-out' }
  | { kind: 'gone' }
  | { kind: 'cut' };

export interface StartOptions {
  /** The stream slot the edge holds, labelled with its kind (none: A2A and MCP hold none). */
  slot?: string;
}

export interface NewTaskOptions extends StartOptions {
  /** The request's rate-limit charge, left to the task's admission (RateChargedAtAdmission). */
  rate?: DeferredRateCharge | undefined;
}

export interface AttachOptions extends StartOptions {
  /** The events after this seq (Last-Event-ID, or the stored task's last when resuming a pause). */
  afterSeq: number;
  /** What the edge has just read, used once instead of asking again (FollowOptions.known). */
  known?: FollowOptions['known'];
  /** Approvals the edge decided: the events before a decision of one of them were shown before. */
  answered?: ReadonlySet<string>;
}

export interface WaitOptions {
  /** The longest the wait lasts (RESULT_TIMEOUT_MS); then the session ends `timed-out`. */
  timeoutMs?: number;
  /**
   * Whether an approval request ends the wait: `requested` at once; `pending` once the orchestrator
   * says approvals are pending (a request decided meanwhile is no pause: the wait goes on).
   */
  pause?: 'requested' | 'pending';
  /** Each event, in seq order, before it is judged (what a streaming edge writes). */
  onEvent?: (event: Tasks.TaskEvent) => void | Promise<void>;
  /** A `pending` pause found nothing pending: the task goes on. */
  onPauseLifted?: () => void;
}

const REQUESTED = Tasks.TaskEventName.ApprovalRequested;

/**
 * One task conversation of the gateway, the same on every edge (SSE, the JSON wait, AG-UI, A2A,
 * MCP): it takes the task's event subscription before the task is submitted (so not even its first
 * event is missed) and the user's stream slot with the task's admission (so a refused slot submits
 * nothing), or attaches to a task that exists; hands the events on in seq order; races the edge's timeout; stops at
 * approval pauses and decides approvals as its user; and gives slot and subscription back the moment
 * the task ends, the wait times out, the client goes away or the edge closes it. The task itself is
 * never touched: it keeps running. Its states are TASK_SESSION (task-session.machine.ts).
 *
 * A client that waits for one answer before it asks the next is never refused a slot: the task's end
 * reaches the edge once the session's slot is free in Redis, and an edge that answers after the
 * session ends its response after `finish` (the slot's release answered; nothing more is sent).
 */
export class TaskSession {
  private phase: SessionState = TASK_SESSION.definition.initial;
  private feed: TaskEventFeed | undefined;
  private slot: StreamSlot | undefined;
  /** The slot's release while Redis has not answered it. */
  private freeing: SlotFreeing;
  /** What a new task's admission takes for this session (`start`). */
  private admission: AdmissionHolds | undefined;
  private reader: AsyncIterator<Tasks.TaskEvent> | undefined;
  /** Set while a resumed session skips what was shown before the decision it follows. */
  private skipping: ReadonlySet<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unlink: (() => void) | undefined;

  constructor(
    readonly taskId: string,
    readonly actor: Actor,
    private readonly deps: SessionDeps,
  ) {}

  get state(): SessionState {
    return this.phase;
  }

  /** Whether the client went away (the edge has nobody to answer). */
  get isGone(): boolean {
    return this.phase === 'gone';
  }

  /**
   * A new task: its live subscription now; its stream slot (and the request's rate charge, when the
   * edge left it) with the task's admission, in the same script as its quotas and owner record (one
   * round trip: `submit`), so a refused slot still submits nothing.
   */
  async start(opts: NewTaskOptions = {}): Promise<void> {
    this.admission = { slot: opts.slot, rate: opts.rate };
    let feed: TaskEventFeed;
    try {
      feed = await this.deps.follower.follow(this.taskId, {
        afterSeq: 0,
        replay: false,
        actor: this.actor,
      });
    } catch (e) {
      this.refuse();
      throw e;
    }
    this.hold(undefined, feed, 'opened');
  }

  /** An existing task, from after `afterSeq`: its stored events, then the live ones. */
  async attach(opts: AttachOptions): Promise<void> {
    let slot: StreamSlot | undefined;
    try {
      // A replay reads stored events: only for a stream the user's cap admits.
      if (opts.slot) slot = await this.deps.slots.acquire(this.actor, opts.slot);
      const feed = await this.deps.follower.follow(this.taskId, {
        afterSeq: opts.afterSeq,
        replay: true,
        actor: this.actor,
        ...(opts.known ? { known: opts.known } : {}),
      });
      if (opts.answered?.size) this.skipping = opts.answered;
      this.hold(slot, feed, 'attached');
    } catch (e) {
      // The refusal answers the client: the slot is free by then.
      await slot?.release();
      this.refuse();
      throw e;
    }
  }

  /**
   * Submits the new task; false when the client went away first (it is not submitted: nobody could
   * learn its id). A failed submission closes the session and is the edge's error.
   */
  async submit(
    request: Tasks.TaskRequest,
    correlationId: string,
    call?: Tasks.TaskSubmission['call'],
  ): Promise<boolean> {
    if (this.isGone) return false;
    try {
      this.slot = await this.deps.submit.execute(this.taskId, this.actor, request, correlationId, {
        call,
        holds: this.admission,
      });
    } catch (e) {
      this.close();
      throw e;
    }
    // The client went away while the task was being admitted: the task runs on, the slot goes.
    if (TASK_SESSION.isFinal(this.phase)) this.freeing = this.slot?.release();
    else if (this.can('submitted')) this.move('submitted');
    return true;
  }

  /**
   * Hands each event to `onEvent` synchronously as it becomes deliverable (no promise per event: a
   * task with thousands of watchers), to the task's end or the session's; never pauses.
   */
  async stream(onEvent: (event: Tasks.TaskEvent) => void): Promise<void> {
    let last: Promise<void> | undefined;
    try {
      await this.following().forEach((event) => {
        if (this.skipped(event)) return;
        if (!Tasks.isTerminalTaskEvent(event)) {
          onEvent(event);
          this.observe(event);
          return;
        }
        // The task's end: the slot first, the edge once it is free (in this same turn when nothing
        // had to be sent: the slot was the task's, freed by the orchestrator before it said so).
        this.observe(event);
        const freeing = this.freeing;
        if (freeing) last = freeing.then(() => onEvent(event));
        else onEvent(event);
      });
      await last;
    } finally {
      this.end('feed-ended');
    }
  }

  /** Reads the events until the task's outcome, a pause (when asked for), or the session's end. */
  async outcome(opts: WaitOptions = {}): Promise<SessionOutcome> {
    const reader = (this.reader ??= this.following()[Symbol.asyncIterator]());
    if (opts.timeoutMs !== undefined)
      this.timer = setTimeout(() => this.end('timed-out'), opts.timeoutMs);
    try {
      for (;;) {
        if (TASK_SESSION.isFinal(this.phase)) return this.ending();
        const next = await reader.next();
        if (next.done) {
          this.end('feed-ended');
          return this.ending();
        }
        const event = next.value;
        if (this.skipped(event)) continue;
        // The task's end is handed on once the session's slot is free (stream()).
        const ending = Tasks.isTerminalTaskEvent(event) ? this.observe(event) : undefined;
        if (ending) await this.freeing;
        await opts.onEvent?.(event);
        const outcome = ending ?? this.observe(event);
        if (outcome) return outcome;
        if (event.name !== REQUESTED || !opts.pause || this.phase !== 'paused') continue;
        const pending = opts.pause === 'pending' ? await this.pendingApprovals() : undefined;
        if (pending?.length !== 0) return { kind: 'waiting', event, pending };
        // Nothing waits any more: the task goes on (unless the session ended during the look).
        if (this.can('pause-lifted')) this.move('pause-lifted');
        opts.onPauseLifted?.();
      }
    } finally {
      clearTimeout(this.timer);
    }
  }

  /** The task's pending approvals; undefined when they cannot be read now. */
  pendingApprovals(): Promise<Approvals.ApprovalView[] | undefined> {
    return pendingApprovals(this.deps, this.taskId, this.actor);
  }

  /**
   * The task's pending approvals as its user sees them; throws the orchestrator's refusal (NOT_FOUND:
   * not the user's task). Asking holds nothing: a session only asked (this, `decide`) is never opened.
   */
  listPending(): Promise<Approvals.ApprovalView[]> {
    return listPending(this.deps, this.taskId, this.actor);
  }

  /** Decides one of the task's approvals as the session's user; throws the orchestrator's refusal. */
  async decide(answer: Omit<Approvals.ApprovalDecisionRequest, 'taskId'>): Promise<void> {
    await this.deps.bus.request(
      Approvals.ApprovalDecide,
      { taskId: this.taskId, ...answer },
      { actor: this.actor },
    );
  }

  /** The client went away: slot and subscription are freed at once; the task keeps running. */
  leave(): void {
    this.end('client-gone');
  }

  /** Leaves when the signal aborts (a call the client cancels or abandons). */
  leaveWhen(signal: AbortSignal): void {
    if (signal.aborted) return this.leave();
    const leave = () => this.leave();
    signal.addEventListener('abort', leave, { once: true });
    this.unlink = () => signal.removeEventListener('abort', leave);
  }

  /** The edge is done: frees slot and subscription (idempotent; the task keeps running). */
  close(): void {
    // A session in a final state let go of everything when it got there.
    this.end('closed');
  }

  /**
   * The edge is done and answers its client next: close(), settled once the slot's release is through
   * in Redis (at once when nothing was sent). The response ends after it, so a client that has read
   * the end may open its next stream at once, on any replica. Never throws.
   */
  async finish(): Promise<void> {
    this.close();
    await this.freeing;
  }

  private hold(slot: StreamSlot | undefined, feed: TaskEventFeed, trigger: SessionTrigger): void {
    this.slot = slot;
    this.feed = feed;
    if (this.phase === 'opening') this.move(trigger);
    else this.release(); // the client went away meanwhile
  }

  private refuse(): void {
    if (this.can('refused')) this.move('refused');
    this.release();
  }

  private following(): TaskEventFeed {
    if (!this.feed) throw new Error(`task session ${this.taskId} was read before it was opened`);
    return this.feed;
  }

  /** Moves the session on by one event; the outcome when the event is the task's end. */
  private observe(event: Tasks.TaskEvent): SessionOutcome | undefined {
    if (TASK_SESSION.isFinal(this.phase)) return undefined;
    if (event.name === Tasks.TaskEventName.TaskCompleted) {
      this.end('completed');
      return { kind: 'answered', event };
    }
    if (
      event.name === Tasks.TaskEventName.TaskFailed ||
      event.name === 'orchestrator.task.cancelled'
    ) {
      this.end('failed');
      return { kind: 'failed', event };
    }
    this.move(event.name === REQUESTED ? 'approval-requested' : 'event');
    return undefined;
  }

  /** A resumed session skips what was shown before: until a decision it made, or the task's end. */
  private skipped(event: Tasks.TaskEvent): boolean {
    if (!this.skipping) return false;
    const decidedHere =
      event.name === Tasks.TaskEventName.ApprovalDecided &&
      this.skipping.has(event.data.approvalId);
    if (!decidedHere && !Tasks.isTerminalTaskEvent(event)) return true;
    this.skipping = undefined;
    return false;
  }

  private ending(): SessionOutcome {
    if (this.phase === 'timed-out') return { kind: 'timed-out' };
    if (this.phase === 'gone') return { kind: 'gone' };
    return { kind: 'cut' };
  }

  /** Moves to a final state (when the current one takes the trigger) and lets go of everything. */
  private end(trigger: SessionTrigger): void {
    if (!this.can(trigger)) return;
    this.move(trigger);
    this.release(trigger === 'completed' || trigger === 'failed');
  }

  /** Lets go of slot and subscription; at the task's end, its slot went with it (StreamSlot.taskEnded). */
  private release(taskEnded = false): void {
    clearTimeout(this.timer);
    this.unlink?.();
    this.unlink = undefined;
    this.feed?.close();
    const freeing = taskEnded ? this.slot?.taskEnded() : this.slot?.release();
    this.freeing ??= freeing;
  }

  private can(trigger: SessionTrigger): boolean {
    return TASK_SESSION.target(this.phase, trigger) !== undefined;
  }

  private move(trigger: SessionTrigger): void {
    this.phase = TASK_SESSION.next(this.phase, trigger);
  }
}
