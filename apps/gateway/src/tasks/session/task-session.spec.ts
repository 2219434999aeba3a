import { describe, expect, it } from '@jest/globals';
import { type Actor, Approvals, DomainError, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { StreamSlots } from '../../limits/stream-slots.js';
import {
  approvalTaskEvents,
  DEMO_APPROVAL,
  demoTaskEvents,
} from '../../agui/task-events.fixture.js';
import type { TaskEventFeed, TaskEventFollower } from '../feed/task-event.follower.js';
import type { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import { type SessionDeps, TaskSession } from './task-session.js';
import { TASK_SESSION } from './task-session.machine.js';
import { TaskSessions } from './task-sessions.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const ann: Actor = { userId: 'ann', role: 'user' };

/** A feed the test writes to: events wait until read, close() ends it (as the real feed does). */
class FakeFeed implements TaskEventFeed {
  readonly queue: Tasks.TaskEvent[] = [];
  closed = false;
  private wake: (() => void) | undefined;
  private sink: ((e: Tasks.TaskEvent) => void) | undefined;
  private ended: (() => void) | undefined;

  push(...events: Tasks.TaskEvent[]): void {
    if (this.closed) return;
    if (this.sink) for (const e of events) this.sink(e);
    else this.queue.push(...events);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
    this.ended?.();
  }

  forEach(onEvent: (e: Tasks.TaskEvent) => void): Promise<void> {
    this.sink = onEvent;
    for (const e of this.queue.splice(0)) onEvent(e);
    return new Promise<void>((resolve) => {
      this.ended = resolve;
      if (this.closed) resolve();
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Tasks.TaskEvent> {
    for (;;) {
      if (this.closed) return;
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

const pendingView = (approvalId = DEMO_APPROVAL): Approvals.ApprovalView => ({
  approvalId,
  taskId: TASK,
  stepId: 's2',
  kind: 'tool',
  target: 'notes.add',
  input: { content: '391' },
  argsHash: 'a'.repeat(64),
  reason: 'save the result as a note',
  policy: Approvals.REQUESTED_APPROVAL_POLICY,
  status: 'pending',
  requestedBy: 'ann',
  requestedAt: '2026-11-22T10:00:00.000Z',
  expiresAt: '2026-11-23T10:00:00.000Z',
});

interface Options {
  slotRefused?: Error;
  submitFails?: Error;
  pending?: Approvals.ApprovalView[] | Error;
  decideRefused?: Error;
  /** Runs while the pending approvals are being read. */
  duringList?: () => void;
  /** Runs while the task is being admitted and submitted. */
  duringSubmit?: () => void;
  /** What an attached slot's release returns: settled once Redis has freed it. */
  freeing?: Promise<void>;
}

/** The gateway around a session faked: what it took, gave back, submitted and asked the bus. */
function setup(opts: Options = {}) {
  const feed = new FakeFeed();
  const log: string[] = [];
  const deps: SessionDeps = {
    slots: {
      acquire: (_actor: Actor, kind: string) => {
        log.push(`slot ${kind}`);
        if (opts.slotRefused) return Promise.reject(opts.slotRefused);
        const release = () => {
          log.push('slot released');
          return opts.freeing;
        };
        return Promise.resolve({ release, taskEnded: release });
      },
    },
    follower: {
      follow: (
        _taskId: string,
        follow: { afterSeq: number; replay: boolean; known?: { view?: unknown } },
      ) => {
        const known = follow.known?.view ? ', the view known' : '';
        log.push(`follow after ${follow.afterSeq}${follow.replay ? ' replay' : ''}${known}`);
        return Promise.resolve(feed);
      },
    },
    // The admission takes the stream slot the session asks for (named by the task), or refuses it.
    submit: {
      execute: async (_t, _a, _r, _c, submitted = {}) => {
        log.push('submit');
        opts.duringSubmit?.();
        if (opts.submitFails) throw opts.submitFails;
        const kind = submitted.holds?.slot;
        if (!kind) return undefined;
        if (opts.slotRefused) throw opts.slotRefused;
        log.push(`slot ${kind}`);
        return {
          release: () => void log.push('slot released'),
          taskEnded: () => void log.push('slot left to the task end'),
        };
      },
    },
    bus: {
      request: ((contract: { subject: string }, payload: unknown) => {
        if (contract.subject === Approvals.ApprovalList.subject) {
          log.push('list pending');
          opts.duringList?.();
          return opts.pending instanceof Error
            ? Promise.reject(opts.pending)
            : Promise.resolve({ approvals: opts.pending ?? [] });
        }
        log.push(`decide ${JSON.stringify(payload)}`);
        return opts.decideRefused ? Promise.reject(opts.decideRefused) : Promise.resolve({});
      }) as SessionDeps['bus']['request'],
    },
    logger: { warn: () => undefined },
  };
  const session = new TaskSession(TASK, ann, deps);
  return { session, feed, log, deps };
}

const demo = demoTaskEvents(TASK);
const asking = approvalTaskEvents(TASK);
const askIndex = asking.findIndex((e) => e.name === 'orchestrator.approval.requested');

describe(TaskSession.name, () => {
  it('is started once its subscription is taken and the task submitted, its slot with the admission', async () => {
    const { session, log } = setup();
    await session.start({ slot: 'named' });
    expect(session.state).toBe('ready');
    expect(await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1')).toBe(true);
    expect(session.state).toBe('started');
    expect(log).toEqual(['follow after 0', 'submit', 'slot named']);
  });

  it('streams the events in order and is answered at the task’s end, giving everything back', async () => {
    const { session, feed, log } = setup();
    await session.start({ slot: 'named' });
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    const seen: string[] = [];
    const states: string[] = [];
    const done = session.stream((e) => {
      seen.push(e.name);
      states.push(session.state);
    });
    feed.push(...demo);
    await done;
    expect(seen).toEqual(demo.map((e) => e.name));
    expect(states.slice(1, 3)).toEqual(['streaming', 'streaming']);
    expect(session.state).toBe('answered');
    expect(feed.closed).toBe(true);
    // The task's end frees the slot its admission took (the orchestrator, with its running slot).
    expect(log.at(-1)).toBe('slot left to the task end');
  });

  it('answers with the completed event', async () => {
    const { session, feed } = setup();
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(...demo);
    const outcome = await session.outcome({ timeoutMs: 5_000 });
    expect(outcome).toEqual({ kind: 'answered', event: demo.at(-1) });
    expect(session.state).toBe('answered');
  });

  it.each(['failed', 'cancelled'] as const)('ends failed when the task is %s', async (ending) => {
    const { session, feed } = setup();
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    const events = demoTaskEvents(TASK, ending);
    feed.push(...events);
    const outcome = await session.outcome();
    expect(outcome).toEqual({ kind: 'failed', event: events.at(-1) });
    expect(session.state).toBe('failed');
  });

  it('pauses for approval with what is pending, and goes on to the end after a decision', async () => {
    const { session, feed, log } = setup({ pending: [pendingView()] });
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(...asking.slice(0, askIndex + 1));
    const paused = await session.outcome({ pause: 'pending' });
    expect(paused).toMatchObject({ kind: 'waiting', pending: [pendingView()] });
    expect(session.state).toBe('paused');
    await session.decide({ approvalId: DEMO_APPROVAL, decision: 'approve' });
    expect(log).toContain(
      `decide ${JSON.stringify({ taskId: TASK, approvalId: DEMO_APPROVAL, decision: 'approve' })}`,
    );
    feed.push(...asking.slice(askIndex + 1));
    expect((await session.outcome()).kind).toBe('answered');
  });

  it('pauses at once at a request when asked to, without reading the pending approvals', async () => {
    const { session, feed, log } = setup();
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(...asking);
    const paused = await session.outcome({ pause: 'requested' });
    expect(paused).toEqual({ kind: 'waiting', event: asking[askIndex], pending: undefined });
    expect(log).not.toContain('list pending');
  });

  it('is no pause when nothing is pending any more: the wait goes on to the end', async () => {
    const { session, feed } = setup({ pending: [] });
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(...asking);
    let lifted = 0;
    const outcome = await session.outcome({ pause: 'pending', onPauseLifted: () => lifted++ });
    expect(outcome.kind).toBe('answered');
    expect(lifted).toBe(1);
  });

  it('ends `gone`, not lifted, when the client leaves while the pending approvals are read', async () => {
    const held: { session?: TaskSession } = {};
    const faked = setup({ pending: [], duringList: () => held.session?.leave() });
    const session = (held.session = faked.session);
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    faked.feed.push(...asking);
    expect(await session.outcome({ pause: 'pending' })).toEqual({ kind: 'gone' });
    expect(session.state).toBe('gone');
  });

  it('times out: the wait ends, the subscription and slot are given back, nothing is cancelled', async () => {
    const { session, feed, log } = setup();
    await session.start({ slot: 'wait' });
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(demo[0]!);
    expect(await session.outcome({ timeoutMs: 20 })).toEqual({ kind: 'timed-out' });
    expect(session.state).toBe('timed-out');
    expect(feed.closed).toBe(true);
    expect(log).toEqual(['follow after 0', 'submit', 'slot wait', 'slot released']);
  });

  it('closes when the admission refuses the slot: the subscription is dropped, no slot is held', async () => {
    const refused = new DomainError('RATE_LIMITED', 'too many open streams');
    const { session, feed, log } = setup({ slotRefused: refused });
    await session.start({ slot: 'named' });
    await expect(session.submit({ task: 'x' } as Tasks.TaskRequest, 'r')).rejects.toBe(refused);
    expect(session.state).toBe('closed');
    expect(feed.closed).toBe(true);
    expect(log).toEqual(['follow after 0', 'submit']);
  });

  it('frees the slot at once when the client left while the task was being admitted', async () => {
    const leaving: { session?: TaskSession } = {};
    const setUp = setup({ duringSubmit: () => leaving.session?.leave() });
    const session = (leaving.session = setUp.session);
    await session.start({ slot: 'named' });
    expect(await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1')).toBe(true);
    expect(session.state).toBe('gone');
    expect(setUp.log).toEqual(['follow after 0', 'submit', 'slot named', 'slot released']);
  });

  it('closes when the submission fails, and lets the error through', async () => {
    const down = new DomainError('UPSTREAM_UNAVAILABLE', 'the submission stream is down');
    const { session, feed, log } = setup({ submitFails: down });
    await session.start({ slot: 'named' });
    await expect(session.submit({ task: 'x' } as Tasks.TaskRequest, 'r')).rejects.toBe(down);
    expect(session.state).toBe('closed');
    expect(feed.closed).toBe(true);
    // The submission gave back what its admission took (SubmitTaskUseCase).
    expect(log).toEqual(['follow after 0', 'submit']);
  });

  it('lets go when the client leaves mid-wait: the wait ends `gone`, the slot is freed at once', async () => {
    const { session, feed, log } = setup();
    await session.start({ slot: 'wait' });
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    const waiting = session.outcome({ timeoutMs: 60_000 });
    session.leave();
    expect(await waiting).toEqual({ kind: 'gone' });
    expect(feed.closed).toBe(true);
    expect(log.at(-1)).toBe('slot released');
  });

  it('does not submit a task whose client left before it was accepted', async () => {
    const { session, feed, log } = setup();
    const abort = new AbortController();
    session.leaveWhen(abort.signal);
    abort.abort();
    await session.start();
    expect(await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1')).toBe(false);
    expect(session.state).toBe('gone');
    expect(feed.closed).toBe(true);
    expect(log).not.toContain('submit');
  });

  it('is cut when the events stop before an outcome', async () => {
    const { session, feed } = setup();
    await session.start();
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    feed.push(demo[0]!);
    setImmediate(() => feed.close());
    expect(await session.outcome()).toEqual({ kind: 'cut' });
    expect(session.state).toBe('cut');
  });

  it('attaches to a waiting task after its last seen event, skipping what was shown before the decision', async () => {
    const { session, feed, log } = setup();
    await session.attach({ slot: 'ag-ui', afterSeq: 2, answered: new Set([DEMO_APPROVAL]) });
    expect(session.state).toBe('started');
    expect(log).toEqual(['slot ag-ui', 'follow after 2 replay']);
    feed.push(...asking.slice(2));
    const seen: string[] = [];
    const outcome = await session.outcome({
      pause: 'pending',
      onEvent: (e) => void seen.push(e.name),
    });
    expect(seen[0]).toBe('orchestrator.approval.decided');
    expect(seen).not.toContain('orchestrator.approval.requested');
    expect(outcome.kind).toBe('answered');
  });

  /** A release Redis answers when the test says (`free`), noted in the log. */
  const slowRelease = (log: () => string[]) => {
    let free!: () => void;
    const freeing = new Promise<void>((r) => (free = r)).then(() => void log().push('slot free'));
    return { freeing, free };
  };

  it("hands a stream the task's end once its slot is free in Redis, so the edge ends its response after that", async () => {
    const logged: { log?: string[] } = {};
    const release = slowRelease(() => logged.log!);
    const { session, feed, log } = setup({ freeing: release.freeing });
    logged.log = log;
    await session.attach({ slot: 'sse', afterSeq: 0 });
    const done = session.stream((e) => void log.push(e.name));
    feed.push(...demo);
    expect(log.at(-1)).toBe('slot released'); // the end is in, its slot on its way
    expect(log).not.toContain('orchestrator.task.completed');
    release.free();
    await done;
    expect(log.slice(-3)).toEqual(['slot released', 'slot free', 'orchestrator.task.completed']);
  });

  it("answers a wait with the task's end once its slot is free in Redis", async () => {
    const logged: { log?: string[] } = {};
    const release = slowRelease(() => logged.log!);
    const { session, feed, log } = setup({ freeing: release.freeing });
    logged.log = log;
    await session.attach({ slot: 'ag-ui', afterSeq: 0 });
    feed.push(...demo);
    const outcome = session.outcome({ onEvent: (e) => void log.push(e.name) });
    await new Promise((r) => setImmediate(r));
    expect(log.at(-1)).toBe('slot released');
    release.free();
    expect((await outcome).kind).toBe('answered');
    expect(log.slice(-3)).toEqual(['slot released', 'slot free', 'orchestrator.task.completed']);
  });

  it("hands a new task's end over in the same turn: its slot is the orchestrator's to free, nothing to wait for", async () => {
    const { session, feed, log } = setup();
    await session.start({ slot: 'named' });
    await session.submit({ task: 'x' } as Tasks.TaskRequest, 'req-1');
    const seen: string[] = [];
    const done = session.stream((e) => void seen.push(e.name));
    feed.push(...demo);
    expect(seen).toEqual(demo.map((e) => e.name)); // synchronously, as the feed gave them
    expect(log.at(-1)).toBe('slot left to the task end');
    await done;
  });

  it('finishes once the slot is free in Redis: an edge that answers after a pause answers after that', async () => {
    const logged: { log?: string[] } = {};
    const release = slowRelease(() => logged.log!);
    const { session, feed, log } = setup({ freeing: release.freeing });
    logged.log = log;
    await session.attach({ slot: 'ag-ui', afterSeq: 0 });
    feed.push(...asking);
    expect((await session.outcome({ pause: 'requested' })).kind).toBe('waiting');
    const finished = session.finish().then(() => void log.push('finished'));
    await new Promise((r) => setImmediate(r));
    expect(log.at(-1)).toBe('slot released');
    release.free();
    await finished;
    expect(log.slice(-3)).toEqual(['slot released', 'slot free', 'finished']);
    expect(session.state).toBe('closed');
  });

  it('reads the pending approvals as undefined when the orchestrator cannot say', async () => {
    const { session } = setup({ pending: new Error('no responders') });
    expect(await session.pendingApprovals()).toBeUndefined();
  });

  it("lists the pending approvals with the orchestrator's refusal thrown (an edge that must say so)", async () => {
    const notYours = new DomainError('NOT_FOUND', `task ${TASK} not found`);
    expect(await setup({ pending: [pendingView()] }).session.listPending()).toEqual([
      pendingView(),
    ]);
    await expect(setup({ pending: notYours }).session.listPending()).rejects.toBe(notYours);
  });
});

describe(TaskSessions.name, () => {
  /** The sessions over setup()'s fakes, the bus answering TaskGet with a task stored up to seq 7. */
  function sessionsOf(ctx: ReturnType<typeof setup>) {
    const { deps, log } = ctx;
    const bus = {
      request: (contract: { subject: string }, payload: { taskId: string }) => {
        if (contract.subject !== Tasks.TaskGet.subject)
          return deps.bus.request(contract as never, payload as never);
        log.push(`read ${payload.taskId}`);
        return Promise.resolve({ taskId: payload.taskId, lastEventSeq: 7 });
      },
    } as unknown as NatsBus;
    return new TaskSessions(
      deps.submit as SubmitTaskUseCase,
      deps.follower as TaskEventFollower,
      deps.slots as StreamSlots,
      bus,
      deps.logger as Logger,
    );
  }

  it('resumes a task from after its stored events: the task read once, its view handed to the feed', async () => {
    const ctx = setup();
    const session = await sessionsOf(ctx).resume(ann, TASK, { slot: 'ag-ui' });
    expect(ctx.log).toEqual([
      `read ${TASK}`,
      'slot ag-ui',
      'follow after 7 replay, the view known',
    ]);
    expect(session.state).not.toBe('opening');
  });

  it('reads a task’s pending approvals without opening a session', async () => {
    const ctx = setup({ pending: [pendingView()] });
    expect(await sessionsOf(ctx).pendingApprovals(ann, TASK)).toEqual([pendingView()]);
    expect(ctx.log).toEqual(['list pending']);
  });
});

describe('the task session machine', () => {
  const walk = (...triggers: Parameters<typeof TASK_SESSION.walk>) => [
    ...TASK_SESSION.walk(...triggers).history,
  ];

  it('walks a new task through a pause to its answer', () => {
    expect(
      walk('opened', 'submitted', 'event', 'approval-requested', 'event', 'completed'),
    ).toEqual(['opening', 'ready', 'started', 'streaming', 'paused', 'streaming', 'answered']);
  });

  it('lifts a pause nobody waits for, and ends every open state when the client leaves', () => {
    expect(walk('attached', 'approval-requested', 'pause-lifted').at(-1)).toBe('streaming');
    expect(walk('client-gone')).toEqual(['opening', 'gone']);
    expect(walk('opened', 'client-gone').at(-1)).toBe('gone');
    expect(walk('attached', 'event', 'timed-out').at(-1)).toBe('timed-out');
  });

  it('submits nothing once refused, and takes no event before the task is submitted', () => {
    expect(() => walk('refused', 'submitted')).toThrow();
    expect(() => walk('opened', 'event')).toThrow();
  });
});
