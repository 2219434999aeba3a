import type { Tasks } from '@switchboard/contracts';
import { TaskLogBuffer, type TaskLogBufferLimits } from './task-log.buffer.js';

const A = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const B = 'aaaaaaaa-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const C = 'bbbbbbbb-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

function event(taskId: string, seq: number, terminal = false): Tasks.TaskEvent {
  return {
    taskId,
    seq,
    at: '2026-11-22T10:00:00.000Z',
    source: 'orchestrator',
    ...(terminal
      ? {
          name: 'orchestrator.task.completed',
          data: { result: 'done', planner: 'builtin', steps: 1, durationMs: 5 },
        }
      : { name: 'orchestrator.planning.started', data: { planner: 'builtin', iteration: seq } }),
  } as Tasks.TaskEvent;
}

/** A task of `n` events, the last one terminal. */
const task = (taskId: string, n: number) =>
  Array.from({ length: n }, (_, i) => event(taskId, i + 1, i === n - 1));

const limits: TaskLogBufferLimits = {
  maxTasks: 2,
  maxEventsPerTask: 10,
  idleExpiryMs: 60_000,
  endGraceMs: 5_000,
};

describe(TaskLogBuffer.name, () => {
  let now: number;
  let sut: TaskLogBuffer;

  beforeEach(() => {
    now = 0;
    sut = new TaskLogBuffer(limits, () => now);
  });

  it('is complete once it holds seqs 1..the terminal event, whatever order they came in', () => {
    const [e1, e2, e3, e4] = task(A, 4);
    sut.offer([e4!, e2!]);
    expect(sut.complete(A)).toBe(false);
    sut.offer([e1!]);
    expect(sut.complete(A)).toBe(false);
    sut.offer([e3!, e3!]);
    expect(sut.complete(A)).toBe(true);
    expect(sut.take(A).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(sut.holds(A)).toBe(false);
  });

  it('sees a gap: a missed message, a missed start, or no terminal event yet', () => {
    const events = task(A, 5);
    sut.offer(events.filter((e) => e.seq !== 3));
    expect(sut.complete(A)).toBe(false);
    expect(sut.take(A).map((e) => e.seq)).toEqual([1, 2, 4, 5]);
    sut.offer(task(B, 3).slice(1));
    expect(sut.complete(B)).toBe(false);
    sut.offer(task(C, 3).slice(0, 2));
    expect(sut.complete(C)).toBe(false);
  });

  it('wakes a waiter when the terminal event comes, and tells one that waited in vain', async () => {
    const events = task(A, 3);
    sut.offer(events.slice(0, 2));
    const waiting = sut.whenComplete(A, 10_000);
    sut.offer(events.slice(2));
    await expect(waiting).resolves.toBe(true);
    await expect(sut.whenComplete(B, 10)).resolves.toBe(false);
    await expect(sut.whenComplete(B, 0)).resolves.toBe(false);
  });

  it('drops an ended task after its grace (another replica chained its end), an idle one at expiry', () => {
    sut.offer(task(A, 3));
    sut.offer(task(B, 3).slice(0, 2));
    now = 4_999;
    expect(sut.sweep()).toBe(0);
    now = 5_000;
    expect(sut.sweep()).toBe(1);
    expect([sut.holds(A), sut.holds(B)]).toEqual([false, true]);
    expect(sut.dropped).toBe(0);
    now = 59_999;
    expect(sut.sweep()).toBe(0);
    now = 60_000;
    expect(sut.sweep()).toBe(1);
    expect(sut.size).toBe(0);
    // a task that never ended is a loss of the buffer (its log will come from the journal)
    expect(sut.dropped).toBe(1);
  });

  it('keeps an active task past the idle expiry counted from its first event', () => {
    sut.offer([event(A, 1)]);
    now = 50_000;
    sut.offer([event(A, 2)]);
    now = 100_000;
    expect(sut.sweep()).toBe(0);
    expect(sut.holds(A)).toBe(true);
  });

  it('holds at most maxTasks: the task heard from least recently goes', () => {
    sut.offer([event(A, 1)]);
    sut.offer([event(B, 1)]);
    sut.offer([event(A, 2)]);
    sut.offer([event(C, 1)]);
    expect([sut.holds(A), sut.holds(B), sut.holds(C)]).toEqual([true, false, true]);
    expect(sut.size).toBe(2);
    expect(sut.dropped).toBe(1);
  });

  it('drops a task longer than maxEventsPerTask: what follows starts with a gap', () => {
    sut.offer(task(A, 10).slice(0, 9));
    sut.offer([event(A, 10)]);
    expect(sut.holds(A)).toBe(true);
    sut.offer([event(A, 11)]);
    expect(sut.holds(A)).toBe(false);
    sut.offer([event(A, 12, true)]);
    expect(sut.complete(A)).toBe(false);
    expect(sut.dropped).toBe(1);
  });
});
