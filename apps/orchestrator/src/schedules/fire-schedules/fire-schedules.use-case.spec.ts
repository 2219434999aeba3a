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

function setup(opts: { stale?: DueFiring[]; failFor?: string } = {}) {
  const plans: FiringPlan[] = [];
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
      return [firing('a'), firing('b')];
    },
    unpublished: async (before: Date) => {
      staleBefore = before;
      return opts.stale ?? [];
    },
  } as unknown as ScheduleRepository;
  const submitter = {
    submit: async (f: DueFiring) => {
      if (f.taskId === opts.failFor) throw new Error('NATS is down');
      submitted.push(f.taskId);
    },
  } as unknown as ScheduleSubmitter;
  const logger = { warn: jest.fn() } as unknown as Logger;
  const sut = new FireSchedulesUseCase(
    repository,
    submitter,
    { SCHEDULE_TICK_MS: 5_000, SCHEDULE_MISFIRE_GRACE_MS: 60_000 },
    logger,
  );
  return { sut, plans, submitted, logger, staleBefore: () => staleBefore };
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
});
