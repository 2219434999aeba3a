import { jest } from '@jest/globals';
import { BatchQueue } from './batch-queue.js';

describe(BatchQueue.name, () => {
  it('hands over what has arrived, up to maxBatch, when it does not linger', async () => {
    const q = new BatchQueue<number>(2);
    q.push(1);
    q.push(2);
    q.push(3);
    expect(await q.next()).toEqual([1, 2]);
    expect(await q.next()).toEqual([3]);
  });

  it('waits for the first item', async () => {
    const q = new BatchQueue<string>(5);
    const next = q.next();
    q.push('a');
    expect(await next).toEqual(['a']);
  });

  it('lingers for a fuller batch and stops lingering as soon as it is full', async () => {
    // A linger far longer than the test: only a full batch can end the wait.
    const q = new BatchQueue<number>(3, 60_000);
    const next = q.next();
    q.push(1);
    await Promise.resolve();
    q.push(2);
    q.push(3);
    q.push(4);
    expect(await next).toEqual([1, 2, 3]);
  });

  it('ends the linger with what it has when the timer runs out', async () => {
    jest.useFakeTimers();
    try {
      const q = new BatchQueue<number>(10, 50);
      q.push(1);
      const next = q.next();
      await jest.advanceTimersByTimeAsync(50);
      expect(await next).toEqual([1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('ends the linger as soon as a fresh cutter, fed each item once, lets the batch go', async () => {
    // Items are [task, ended]; a batch may go once every task in it has ended.
    const fed: string[] = [];
    const cutter = () => {
      const open = new Set<string>();
      return ([task, ended]: [string, boolean]) => {
        fed.push(`${task}${ended ? '!' : ''}`);
        if (ended) open.delete(task);
        else open.add(task);
        return open.size === 0;
      };
    };
    const q = new BatchQueue<[string, boolean]>(100, 60_000, cutter);
    q.push(['a', false]);
    const first = q.next();
    q.push(['b', false]);
    q.push(['a', true]);
    await Promise.resolve();
    q.push(['b', true]);
    expect(await first).toEqual([
      ['a', false],
      ['b', false],
      ['a', true],
      ['b', true],
    ]);
    expect(fed).toEqual(['a', 'b', 'a!', 'b!']);
    // The next batch has a cutter of its own: c's start alone does not let it go.
    q.push(['c', false]);
    const second = q.next();
    await Promise.resolve();
    q.push(['c', true]);
    expect(await second).toEqual([
      ['c', false],
      ['c', true],
    ]);
  });

  it('answers an empty batch once closed and empty, and hands over what is left first', async () => {
    const q = new BatchQueue<number>(10, 60_000);
    const waiting = q.next();
    q.close();
    expect(await waiting).toEqual([]);
    const r = new BatchQueue<number>(10, 60_000);
    r.push(7);
    const lingering = r.next();
    r.close();
    expect(await lingering).toEqual([7]);
    expect(r.isClosed).toBe(true);
  });
});
