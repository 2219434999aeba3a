import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { demoTaskEvents } from '../../agui/task-events.fixture.js';
import { type FeedSources, OUTCOME_GRACE_MS, TaskFeedSession } from './task-feed.session.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const STALL_MS = 1_000;
const GAP_MS = 500;
const events = demoTaskEvents(TASK);
const last = events.at(-1)!;

/** The stream and the stored task as a feed reads them, with what it asked counted. */
class Sources implements FeedSources {
  stored: Tasks.TaskEvent[] = [];
  view: Tasks.TaskView | undefined;
  taskReads = 0;
  streamReads = 0;
  readonly logger = { warn: () => undefined } as unknown as Logger;

  async readStored(_known: boolean, offer: (e: Tasks.TaskEvent) => void): Promise<void> {
    this.streamReads++;
    for (const e of this.stored) offer(e);
  }

  async readTask(): Promise<Tasks.TaskView | undefined> {
    this.taskReads++;
    return this.view;
  }

  ended(lastEventSeq: number): void {
    this.view = {
      taskId: TASK,
      userId: 'u1',
      status: 'completed',
      task: 'what is 17 * 23',
      result: '17 * 23 = 391.',
      steps: [],
      lastEventSeq,
      createdAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:00:02.000Z',
    };
  }
}

function session(sources: Sources, afterSeq = 0) {
  const feed = new TaskFeedSession(
    TASK,
    { afterSeq, gapRepairMs: GAP_MS, stallCheckMs: STALL_MS },
    sources,
  );
  let listening = true;
  feed.attach(() => (listening = false));
  const got: Tasks.TaskEvent[] = [];
  return { feed, got, listening: () => listening, read: () => feed.forEach((e) => got.push(e)) };
}

describe('a task event feed, phase by phase', () => {
  let sources: Sources;

  beforeEach(() => {
    jest.useFakeTimers();
    sources = new Sources();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('following → ended: the terminal event goes out and the subscription is dropped', async () => {
    const { feed, got, read, listening } = session(sources);
    await feed.start(false);
    const done = read();
    for (const e of events) feed.offer(e);
    await done;
    expect(feed.state).toBe('ended');
    expect(got.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    expect(listening()).toBe(false);
  });

  it('following → checking → following: a silent task still running is looked at, then waited for again', async () => {
    sources.view = { ...viewOf(sources), status: 'running' };
    const { feed, read } = session(sources);
    await feed.start(false);
    void read();
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(sources.taskReads).toBe(1);
    expect(feed.state).toBe('following');
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(sources.taskReads).toBe(2); // silence counted again from the last look
    feed.close();
    expect(feed.state).toBe('closed');
  });

  it('checking → grace → checking → ending → ended: an ended task whose last events never come', async () => {
    const { feed, got, read } = session(sources);
    await feed.start(false);
    const done = read();
    feed.offer(events[0]!);
    sources.ended(6);
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(feed.state).toBe('grace');
    await jest.advanceTimersByTimeAsync(OUTCOME_GRACE_MS);
    await done;
    expect(feed.state).toBe('ended');
    expect(got.map((e) => [e.seq, e.source])).toEqual([
      [1, 'orchestrator'],
      [6, 'gateway'],
    ]);
  });

  it('grace lasts outcomeGraceMs (TASK_OUTCOME_GRACE_MS) when it is set', async () => {
    const feed = new TaskFeedSession(
      TASK,
      { afterSeq: 0, gapRepairMs: GAP_MS, stallCheckMs: STALL_MS, outcomeGraceMs: 100 },
      sources,
    );
    feed.attach(() => undefined);
    await feed.start(false);
    const done = feed.forEach(() => undefined);
    feed.offer(events[0]!);
    sources.ended(6);
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(feed.state).toBe('grace');
    await jest.advanceTimersByTimeAsync(99);
    expect(feed.state).toBe('grace');
    await jest.advanceTimersByTimeAsync(1);
    await done;
    expect(feed.state).toBe('ended');
  });

  it('grace → ended: the real terminal event arriving during the grace wins over a stand-in', async () => {
    const { feed, got, read } = session(sources);
    await feed.start(false);
    const done = read();
    for (const e of events.slice(0, -1)) feed.offer(e);
    sources.ended(last.seq);
    await jest.advanceTimersByTimeAsync(STALL_MS);
    expect(feed.state).toBe('grace');
    feed.offer(last);
    await done;
    expect(feed.state).toBe('ended');
    expect(got.at(-1)).toEqual(last);
  });

  it('a gap is repaired from the stream before the stored task is read', async () => {
    const { feed, got, read } = session(sources);
    await feed.start(false);
    void read();
    feed.offer(events[0]!);
    feed.offer(events[2]!);
    sources.stored = events.slice(0, 3);
    expect(got.map((e) => e.seq)).toEqual([1]);
    await jest.advanceTimersByTimeAsync(GAP_MS);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(sources.streamReads).toBe(1);
    expect(sources.taskReads).toBe(0);
    expect(feed.state).toBe('following');
    feed.close();
  });

  it('following → ending → ended: the reader already has the terminal event', async () => {
    sources.stored = events;
    const { feed, got, read } = session(sources, last.seq);
    await feed.start(true);
    expect(feed.state).toBe('ending');
    await read();
    expect(feed.state).toBe('ended');
    expect(got).toEqual([]);
    expect(sources.taskReads).toBe(0);
  });

  it('→ closed: a reader that closes the feed from its callback on the terminal event ends it cleanly', async () => {
    const { feed } = session(sources);
    await feed.start(false);
    const seen: number[] = [];
    const done = feed.forEach((e) => {
      seen.push(e.seq);
      if (e === last) feed.close();
    });
    for (const e of events) feed.offer(e);
    await done;
    expect(feed.state).toBe('closed');
    expect(seen.at(-1)).toBe(last.seq);
  });

  it('→ closed: a reader that throws rejects the read, and the feed takes nothing more', async () => {
    const { feed, listening } = session(sources);
    await feed.start(false);
    const done = feed.forEach(() => {
      throw new Error('the client went away');
    });
    feed.offer(events[0]!);
    await expect(done).rejects.toThrow('the client went away');
    expect(feed.state).toBe('closed');
    expect(listening()).toBe(false);
    feed.offer(events[1]!); // after the end: ignored, no throw
    await jest.advanceTimersByTimeAsync(10 * STALL_MS);
    expect(sources.taskReads).toBe(0);
  });
});

function viewOf(sources: Sources): Tasks.TaskView {
  sources.ended(0);
  return sources.view!;
}
