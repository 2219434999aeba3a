import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { type Logger, Metrics } from '@switchboard/observability';
import { manualClock } from '../schedule.fakes.js';
import { ScheduleMetrics } from '../schedule.metrics.js';
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
    fail?: () => boolean;
  } = {},
) {
  const clock = manualClock(NOW);
  /** The times the ticker claimed at. */
  const claimedAt: Date[] = [];
  const plans: FiringPlan[] = [];
  /** Task ids whose firing waits for its tenant's quota (the submitter answers 'waiting'). */
  const full = new Set<string>();
  /** Every submission tried, with the tick time it was tried at. */
  const tried: [string, Date][] = [];
  const submitted: string[] = [];
  let staleBefore: Date | undefined;
  const repository = {
    claimDue: async (now: Date, _limit: number, plan: (t: ScheduleTiming) => FiringPlan) => {
      if (opts.fail?.()) throw new Error('database down');
      claimedAt.push(now);
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
  const metrics = new ScheduleMetrics(new Metrics('orchestrator', 'test'));
  const sut = new FireSchedulesUseCase(
    repository,
    submitter,
    { SCHEDULE_TICK_MS: 5_000, SCHEDULE_MISFIRE_GRACE_MS: 60_000 },
    logger,
    clock,
    metrics,
  );
  const ticks = async () =>
    Object.fromEntries(
      (await metrics.ticks.get()).values.map((v) => [String(v.labels.outcome), v.value]),
    );
  return {
    sut,
    plans,
    submitted,
    logger,
    full,
    tried,
    clock,
    claimedAt,
    ticks,
    staleBefore: () => staleBefore,
  };
}

describe(FireSchedulesUseCase.name, () => {
  it('plans each claimed schedule at the tick time and submits each firing it recorded', async () => {
    const { sut, plans, submitted } = setup();
    expect(await sut.tick()).toBe(2);
    expect(plans).toEqual([
      { fire: new Date('2026-11-25T10:05:00Z'), next: new Date('2026-11-25T10:10:00Z') },
    ]);
    expect(submitted).toEqual(['a', 'b']);
  });

  it('publishes again the firings an earlier claimer left unpublished for long enough', async () => {
    const { sut, submitted, staleBefore } = setup({ stale: [firing('old')] });
    await sut.tick();
    expect(submitted).toEqual(['a', 'b', 'old']);
    expect(staleBefore()).toEqual(new Date(NOW.getTime() - REPUBLISH_AFTER_MS));
  });

  it('goes on with the others when one submission fails (a later tick republishes it)', async () => {
    const { sut, submitted, logger } = setup({ failFor: 'a' });
    await sut.tick();
    expect(submitted).toEqual(['b']);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it("tries a firing waiting for its tenant's quota again at every tick, once per tick, until it is submitted", async () => {
    let claims = [firing('a')];
    // the replica's own waiting firing also shows up as unpublished (once old enough)
    let unpublished = [firing('a')];
    const { sut, submitted, full, tried, clock } = setup({
      claim: () => claims,
      unpublished: () => unpublished,
    });
    full.add('a');
    await sut.tick();
    claims = [];
    unpublished = [];
    const later = new Date(NOW.getTime() + 5_000);
    clock.set(later);
    await sut.tick();
    expect(tried).toEqual([
      ['a', NOW],
      ['a', later],
    ]);
    expect(submitted).toEqual([]);
    full.delete('a');
    clock.set(new Date(NOW.getTime() + 10_000));
    await sut.tick();
    expect(submitted).toEqual(['a']);
    // submitted: it waits no more
    clock.set(new Date(NOW.getTime() + 15_000));
    await sut.tick();
    expect(tried).toHaveLength(3);
  });

  it("claims, cuts off stale firings and submits at the schedules' clock's time, not the machine's", async () => {
    const { sut, clock, claimedAt, plans, tried, staleBefore } = setup();
    const far = new Date('2031-05-06T00:00:01Z');
    clock.set(far);
    await sut.tick();
    expect(claimedAt).toEqual([far]);
    expect(staleBefore()).toEqual(new Date(far.getTime() - REPUBLISH_AFTER_MS));
    expect(tried).toEqual([
      ['a', far],
      ['b', far],
    ]);
    // planned at that time: the claimed 10:05 of 2026 was missed, and of the times since, the most
    // recent (a second before the clock's now, within the grace) runs; the next is the one after it
    expect(plans).toEqual([
      { fire: new Date('2031-05-06T00:00:00Z'), next: new Date('2031-05-06T00:05:00Z') },
    ]);
  });

  describe('its periodic job', () => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('ticks every SCHEDULE_TICK_MS and counts each tick by outcome', async () => {
      jest.useFakeTimers();
      let failing = false;
      const { sut, ticks, logger } = setup({ fail: () => failing });
      sut.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(await ticks()).toEqual({ ok: 2 });
      failing = true;
      await jest.advanceTimersByTimeAsync(5_000);
      expect(await ticks()).toEqual({ ok: 2, failed: 1 });
      expect(logger.warn).toHaveBeenCalledTimes(1);
      await sut.onModuleDestroy();
    });
  });
});
