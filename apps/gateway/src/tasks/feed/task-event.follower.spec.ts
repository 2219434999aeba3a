import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { GatewayEnv } from '../../config/gateway.env.js';
import { demoTaskEvents } from '../../agui/task-events.fixture.js';
import { OUTCOME_GRACE_MS, type TaskEventFeed, TaskEventFollower } from './task-event.follower.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const actor: Actor = { userId: 'u1', role: 'user' };
const STALL_MS = 1_000;
const events = demoTaskEvents(TASK); // 1..n, the last one orchestrator.task.completed
const last = events.at(-1)!;

/** NATS and the orchestrator (its task reads and its journal) as the follower sees them, driven by the test. */
class World {
  stored: Tasks.TaskEvent[] = [];
  view: Tasks.TaskView | undefined;
  /** Reads of the stored task (TaskGet requests). */
  reads = 0;
  private listener: ((event: Tasks.TaskEvent) => void) | undefined;

  /** The journal reads (TaskEvents requests) and where each page started. */
  journalReads: number[] = [];

  readonly bus = {
    subscribe: (_contract: unknown, handler: World['listener']) => {
      this.listener = handler;
      return { ready: Promise.resolve(), unsubscribe: () => (this.listener = undefined) };
    },
    request: async (contract: unknown, req: { afterSeq?: number; limit?: number }) => {
      if (contract === Tasks.TaskEvents) {
        const afterSeq = req.afterSeq ?? 0;
        this.journalReads.push(afterSeq);
        const page = this.stored.filter((e) => e.seq > afterSeq).slice(0, req.limit ?? 100);
        const lastEvent = this.stored.at(-1);
        return {
          taskId: TASK,
          events: page,
          lastSeq: lastEvent?.seq ?? 0,
          ended: lastEvent ? Tasks.isTerminalTaskEvent(lastEvent) : false,
        };
      }
      this.reads++;
      if (!this.view) throw new DomainError('NOT_FOUND', 'no such task');
      return this.view;
    },
  } as unknown as NatsBus;

  get subscribed(): boolean {
    return this.listener !== undefined;
  }

  live(e: Tasks.TaskEvent): void {
    this.listener?.(e);
  }

  ended(status: 'completed' | 'failed', lastEventSeq: number): void {
    this.view = {
      taskId: TASK,
      userId: 'u1',
      status,
      task: 'what is 17 * 23',
      planner: 'builtin',
      ...(status === 'completed'
        ? { result: '17 * 23 = 391.' }
        : { error: { code: 'UPSTREAM_ERROR', message: 'the tool broke', retryable: false } }),
      steps: [],
      lastEventSeq,
      createdAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:00:02.000Z',
    };
  }
}

const logger = { warn: () => undefined } as unknown as Logger;
const config = { TASK_STALL_CHECK_MS: STALL_MS } as GatewayEnv;

/** Reads the whole feed; the promise settles when the feed ends. */
async function drain(feed: TaskEventFeed): Promise<Tasks.TaskEvent[]> {
  const out: Tasks.TaskEvent[] = [];
  for await (const e of feed) out.push(e);
  return out;
}

describe(TaskEventFollower.name, () => {
  let world: World;
  let sut: TaskEventFollower;

  beforeEach(() => {
    jest.useFakeTimers();
    world = new World();
    sut = new TaskEventFollower(world.bus, config, logger);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('replays, then follows live events in seq order without duplicates, and ends after the terminal one', async () => {
    world.stored = events.slice(0, 3);
    const feed = await sut.follow(TASK, { afterSeq: 1, replay: true, actor });
    const all = drain(feed);
    for (const e of [...events.slice(2)].reverse()) world.live(e); // out of order, one duplicate
    await jest.advanceTimersByTimeAsync(0);
    expect((await all).map((e) => e.seq)).toEqual(events.slice(1).map((e) => e.seq));
  });

  it('ends at once when the client already has the terminal event (a Last-Event-ID at or past it)', async () => {
    world.stored = events;
    const feed = await sut.follow(TASK, { afterSeq: last.seq + 5, replay: true, actor });
    expect(await drain(feed)).toEqual([]);
  });

  it('keeps waiting for a task that is still running, however long it is silent', async () => {
    world.view = { ...baseView(), status: 'running', lastEventSeq: 2 };
    world.stored = events.slice(0, 2);
    const feed = await sut.follow(TASK, { afterSeq: 2, replay: true, actor });
    let done = false;
    const all = drain(feed).then((r) => ((done = true), r));
    await jest.advanceTimersByTimeAsync(10 * STALL_MS + OUTCOME_GRACE_MS);
    expect(done).toBe(false);
    world.live(events[2]!);
    await jest.advanceTimersByTimeAsync(0);
    feed.close();
    expect((await all).map((e) => e.seq)).toEqual([3]);
  });

  it('ends with the stored outcome when a task has ended and its terminal event never comes (after the stall check and the grace)', async () => {
    world.stored = events.slice(0, 4);
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: true, actor });
    let done = false;
    const all = drain(feed).then((r) => ((done = true), r));
    world.ended('failed', 6); // 5 and 6 were never published
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(done).toBe(false); // the real event may still be on its way
    await jest.advanceTimersByTimeAsync(OUTCOME_GRACE_MS);
    const got = await all;
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 6]);
    expect(got.at(-1)).toMatchObject({
      name: 'orchestrator.task.failed',
      source: 'gateway',
      data: { error: { code: 'UPSTREAM_ERROR', message: 'the tool broke' } },
    });
    expect(Tasks.TaskEvent.safeParse(got.at(-1)).success).toBe(true);
  });

  it('repairs a live gap from the journal, read from the position it reached, page by page', async () => {
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const all = drain(feed);
    world.live(events[0]!);
    world.live(last); // the live publishes in between were lost (core NATS: at most once)
    world.stored = events; // but the journal holds them
    await jest.advanceTimersByTimeAsync(500);
    expect((await all).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(world.journalReads).toEqual([1]);
  });

  it('skips a hole the stream cannot fill once the task has ended, delivering its real terminal event', async () => {
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const all = drain(feed);
    world.live(events[0]!);
    world.live(last); // everything in between is lost
    world.ended('completed', last.seq);
    await jest.advanceTimersByTimeAsync(500 + OUTCOME_GRACE_MS + 10);
    expect((await all).map((e) => [e.seq, e.source])).toEqual([
      [1, 'orchestrator'],
      [last.seq, 'orchestrator'],
    ]);
  });

  it('ends a resumed stream whose events have expired with the stored outcome', async () => {
    world.ended('completed', last.seq); // nothing stored any more
    const feed = await sut.follow(TASK, { afterSeq: 3, replay: true, actor });
    const all = drain(feed);
    await jest.advanceTimersByTimeAsync(OUTCOME_GRACE_MS);
    expect(await all).toEqual([
      expect.objectContaining({
        seq: last.seq,
        name: 'orchestrator.task.completed',
        source: 'gateway',
        data: expect.objectContaining({ result: '17 * 23 = 391.' }),
      }),
    ]);
  });

  it('hands a reader each event synchronously from the subscription, in seq order, and resolves after the terminal one', async () => {
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const got: number[] = [];
    const done = feed.forEach((e) => got.push(e.seq));
    world.live(events[0]!);
    expect(got).toEqual([1]); // no await in between: delivered in the subscription's callback
    world.live(events[2]!); // one ahead: held back until 2 comes
    expect(got).toEqual([1]);
    world.live(events[1]!);
    expect(got).toEqual([1, 2, 3]);
    for (const e of events.slice(3)) world.live(e);
    await done;
    expect(got).toEqual(events.map((e) => e.seq));
    expect(world.subscribed).toBe(false);
  });

  it('ends a feed whose reader throws: forEach rejects with the error and the subscription is dropped', async () => {
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const failure = new Error('the client went away mid-write');
    const done = feed.forEach((e) => {
      if (e.seq === 2) throw failure;
    });
    world.live(events[0]!);
    world.live(events[1]!);
    await expect(done).rejects.toBe(failure);
    expect(world.subscribed).toBe(false);
  });

  it('can be read once', async () => {
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const first = feed.forEach(() => undefined);
    await expect(feed.forEach(() => undefined)).rejects.toThrow(/read only once/);
    feed.close();
    await first;
  });

  it('counts silence from the last event: a task whose events keep coming is not looked up, one that falls silent is', async () => {
    world.view = { ...baseView(), status: 'running' };
    const feed = await sut.follow(TASK, { afterSeq: 0, replay: false, actor });
    const done = feed.forEach(() => undefined);
    for (const e of events.slice(0, 6)) {
      await jest.advanceTimersByTimeAsync(STALL_MS * 0.6);
      world.live(e);
    }
    expect(world.reads).toBe(0); // 3.6 stall periods, none of them silent
    await jest.advanceTimersByTimeAsync(STALL_MS * 0.9);
    expect(world.reads).toBe(0);
    await jest.advanceTimersByTimeAsync(STALL_MS * 0.2);
    expect(world.reads).toBe(1);
    feed.close();
    await done;
  });
});

function baseView(): Tasks.TaskView {
  return {
    taskId: TASK,
    userId: 'u1',
    status: 'running',
    task: 'what is 17 * 23',
    steps: [],
    lastEventSeq: 0,
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
  };
}
