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
