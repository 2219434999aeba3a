import { describe, expect, it, jest } from '@jest/globals';
import { Metrics, type Logger } from '@switchboard/observability';
import type { TaskRetentionRepository } from '../task-retention.repository.js';
import { ExpireTasksUseCase } from './expire-tasks.use-case.js';

/** A table of `stored` expirable tasks, handed out `limit` at a time. */
function setup(stored: number, days = 30, batch = 10) {
  const calls: { cutoff: Date; limit: number }[] = [];
  let left = stored;
  const repository = {
    expireEndedBefore: async (cutoff: Date, limit: number) => {
      calls.push({ cutoff, limit });
      const n = Math.min(left, limit);
      left -= n;
      return n;
    },
  } as unknown as TaskRetentionRepository;
  const logger = { info: jest.fn(), warn: jest.fn() } as unknown as Logger;
  const metrics = new Metrics('orchestrator', 'test');
  const sut = new ExpireTasksUseCase(
    repository,
    metrics,
    { TASK_RETENTION_DAYS: days, TASK_RETENTION_SWEEP_MS: 60_000, TASK_RETENTION_BATCH: batch },
    logger,
  );
  const expiredTotal = async () =>
    (await metrics.registry.getSingleMetric('sb_tasks_expired_total')?.get())?.values[0]?.value;
  return { sut, calls, expiredTotal, left: () => left };
}

describe('ExpireTasksUseCase: ended tasks past TASK_RETENTION_DAYS deleted in bounded batches', () => {
  const now = new Date('2026-11-26T12:00:00.000Z');

  it('deletes what ended before now minus the retention, batch after batch until a short one', async () => {
    const { sut, calls, expiredTotal, left } = setup(25, 30, 10);
    expect(await sut.sweep(now)).toBe(25);
    expect(calls.map((c) => c.limit)).toEqual([10, 10, 10]);
    expect(calls[0]?.cutoff.toISOString()).toBe('2026-10-27T12:00:00.000Z');
    expect(left()).toBe(0);
    expect(await expiredTotal()).toBe(25);
  });

  it('asks once when nothing is due', async () => {
    const { sut, calls } = setup(0);
    expect(await sut.sweep(now)).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('keeps everything with TASK_RETENTION_DAYS=0: no statement at all', async () => {
    const { sut, calls } = setup(5, 0);
    expect(await sut.sweep(now)).toBe(0);
    expect(calls).toHaveLength(0);
  });
});
