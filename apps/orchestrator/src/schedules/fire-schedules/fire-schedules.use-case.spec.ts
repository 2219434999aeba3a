import { describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import type { FiringPlan, ScheduleTiming } from '../schedule-plan.js';
import type { DueFiring, ScheduleRepository } from '../schedule.repository.js';
import { FireSchedulesUseCase, REPUBLISH_AFTER_MS } from './fire-schedules.use-case.js';
import type { ScheduleSubmitter } from './schedule-submitter.js';

const NOW = new Date('2026-11-25T10:05:02Z');

function firing(taskId: string): DueFiring {
  return {
    scheduleId: '11111111-1111-4111-8111-111111111111',
    tenantId: 'acme',
    userId: 'ann',
    role: 'user',
    request: { task: 't' },
    dueAt: new Date('2026-11-25T10:05:00Z'),
    firedAt: NOW,
    taskId,
  };
}

function setup(
  opts: {
    stale?: DueFiring[];
    failFor?: string;
    claim?: () => DueFiring[];
    unpublished?: () => DueFiring[];
  } = {},
) {
  const plans: FiringPlan[] = [];
  /** Task ids whose firing waits for its tenant's quota (the submitter answers 'waiting'). */
  const full = new Set<string>();
  /** Every submission tried, with the tick time it was tried at. */
  const tried: [string, Date][] = [];
  const submitted: string[] = [];
  let staleBefore: Date | undefined;
  const repository = {
    claimDue: async (_now: Date, _limit: number, plan: (t: ScheduleTiming) => FiringPlan) => {
      plans.push(
        plan({
          cron: '*/5 * * * *',
          timezone: 'UTC',
          at: null,
          catchUp: 'skip',
          nextDueAt: new Date('2026-11-25T10:05:00Z'),
        }),
      );
      return opts.claim ? opts.claim() : [firing('a'), firing('b')];
    },
    unpublished: async (before: Date) => {
      staleBefore = before;
      return opts.unpublished ? opts.unpublished() : (opts.stale ?? []);
    },
  } as unknown as ScheduleRepository;
  const submitter = {
    submit: async (f: DueFiring, now: Date) => {
      tried.push([f.taskId, now]);
      if (f.taskId === opts.failFor) throw new Error('NATS is down');
      if (full.has(f.taskId)) return 'waiting';
      submitted.push(f.taskId);
      return 'submitted';
    },
  } as unknown as ScheduleSubmitter;
  const logger = { warn: jest.fn() } as unknown as Logger;
  const sut = new FireSchedulesUseCase(
    repository,
    submitter,
    { SCHEDULE_TICK_MS: 5_000, SCHEDULE_MISFIRE_GRACE_MS: 60_000 },
    logger,
  );
  return { sut, plans, submitted, logger, full, tried, staleBefore: () => staleBefore };
}

describe(FireSchedulesUseCase.name, () => {
  it('plans each claimed schedule at the tick time and submits each firing it recorded', async () => {
    const { sut, plans, submitted } = setup();
    expect(await sut.tick(NOW)).toBe(2);
    expect(plans).toEqual([
      { fire: new Date('2026-11-25T10:05:00Z'), next: new Date('2026-11-25T10:10:00Z') },
    ]);
    expect(submitted).toEqual(['a', 'b']);
  });

  it('publishes again the firings an earlier claimer left unpublished for long enough', async () => {
    const { sut, submitted, staleBefore } = setup({ stale: [firing('old')] });
    await sut.tick(NOW);
    expect(submitted).toEqual(['a', 'b', 'old']);
    expect(staleBefore()).toEqual(new Date(NOW.getTime() - REPUBLISH_AFTER_MS));
  });

  it('goes on with the others when one submission fails (a later tick republishes it)', async () => {
    const { sut, submitted, logger } = setup({ failFor: 'a' });
    await sut.tick(NOW);
    expect(submitted).toEqual(['b']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it("tries a firing waiting for its tenant's quota again at every tick, once per tick, until it is submitted", async () => {
    let claims = [firing('a')];
    // the replica's own waiting firing also shows up as unpublished (once old enough)
    let unpublished = [firing('a')];
    const { sut, submitted, full, tried } = setup({
      claim: () => claims,
      unpublished: () => unpublished,
    });
    full.add('a');
    await sut.tick(NOW);
    claims = [];
    unpublished = [];
    const later = new Date(NOW.getTime() + 5_000);
    await sut.tick(later);
    expect(tried).toEqual([
      ['a', NOW],
      ['a', later],
    ]);
    expect(submitted).toEqual([]);
    full.delete('a');
    await sut.tick(new Date(NOW.getTime() + 10_000));
    expect(submitted).toEqual(['a']);
    // submitted: it waits no more
    await sut.tick(new Date(NOW.getTime() + 15_000));
    expect(tried).toHaveLength(3);
  });
});
