import { describe, expect, it } from '@jest/globals';
import { Tasks } from '@switchboard/contracts';
import { firstDueAt, planFiring, scheduledTaskId, type ScheduleTiming } from './schedule-plan.js';

const GRACE = 60_000;
const at = (s: string) => new Date(s);

function cron(expr: string, nextDueAt: string, over: Partial<ScheduleTiming> = {}): ScheduleTiming {
  return {
    cron: expr,
    timezone: 'UTC',
    at: null,
    catchUp: 'skip',
    nextDueAt: at(nextDueAt),
    ...over,
  };
}

describe('planFiring', () => {
  it('fires a cron time that is due now and moves to the next one', () => {
    const plan = planFiring(
      cron('*/5 * * * *', '2026-11-25T10:05:00Z'),
      at('2026-11-25T10:05:03Z'),
      GRACE,
    );
    expect(plan).toEqual({ fire: at('2026-11-25T10:05:00Z'), next: at('2026-11-25T10:10:00Z') });
  });

  it('skips the times missed during an outage (skip) and resumes with the next future time', () => {
    const plan = planFiring(
      cron('0 * * * *', '2026-11-25T01:00:00Z'),
      at('2026-11-25T10:30:00Z'),
      GRACE,
    );
    expect(plan).toEqual({ skipped: at('2026-11-25T10:00:00Z'), next: at('2026-11-25T11:00:00Z') });
  });

  it('runs the most recent missed time once (latest)', () => {
    const t = cron('0 * * * *', '2026-11-25T01:00:00Z', { catchUp: 'latest' });
    const plan = planFiring(t, at('2026-11-25T10:30:00Z'), GRACE);
    expect(plan).toEqual({ fire: at('2026-11-25T10:00:00Z'), next: at('2026-11-25T11:00:00Z') });
  });

  it('runs a missed time that is itself on time (the outage ended just after it)', () => {
    const plan = planFiring(
      cron('0 * * * *', '2026-11-25T01:00:00Z'),
      at('2026-11-25T10:00:20Z'),
      GRACE,
    );
    expect(plan).toEqual({ fire: at('2026-11-25T10:00:00Z'), next: at('2026-11-25T11:00:00Z') });
  });

  it('reads the cron expression in the schedule’s time zone (8:00 in Berlin is 07:00 UTC in winter)', () => {
    const t = cron('0 8 * * 1-5', '2026-11-25T07:00:00Z', { timezone: 'Europe/Berlin' });
    const plan = planFiring(t, at('2026-11-25T07:00:01Z'), GRACE);
    expect(plan.next).toEqual(at('2026-11-26T07:00:00Z'));
  });

  it('fires a one-shot once with no next time; a missed one follows catch_up', () => {
    const once = (catchUp: 'skip' | 'latest'): ScheduleTiming => ({
      cron: null,
      timezone: null,
      at: at('2026-11-25T10:00:00Z'),
      catchUp,
      nextDueAt: at('2026-11-25T10:00:00Z'),
    });
    expect(planFiring(once('skip'), at('2026-11-25T10:00:04Z'), GRACE)).toEqual({
      fire: at('2026-11-25T10:00:00Z'),
    });
    expect(planFiring(once('skip'), at('2026-11-25T12:00:00Z'), GRACE)).toEqual({
      skipped: at('2026-11-25T10:00:00Z'),
    });
    expect(planFiring(once('latest'), at('2026-11-25T12:00:00Z'), GRACE)).toEqual({
      fire: at('2026-11-25T10:00:00Z'),
    });
  });
});

describe('firstDueAt', () => {
  it('is the next cron time after now, the at time when future, nothing when past', () => {
    const now = at('2026-11-25T10:02:00Z');
    expect(firstDueAt({ cron: '*/5 * * * *', timezone: 'UTC', at: null }, now)).toEqual(
      at('2026-11-25T10:05:00Z'),
    );
    expect(firstDueAt({ cron: null, timezone: null, at: at('2026-11-25T11:00:00Z') }, now)).toEqual(
      at('2026-11-25T11:00:00Z'),
    );
    expect(
      firstDueAt({ cron: null, timezone: null, at: at('2026-11-25T09:00:00Z') }, now),
    ).toBeUndefined();
  });
});

describe('scheduledTaskId', () => {
  it('is one valid task id per schedule and due time', () => {
    const s = '11111111-1111-4111-8111-111111111111';
    const a = scheduledTaskId(s, at('2026-11-25T10:00:00Z'));
    expect(Tasks.TaskId.safeParse(a).success).toBe(true);
    expect(scheduledTaskId(s, at('2026-11-25T10:00:00Z'))).toBe(a);
    expect(scheduledTaskId(s, at('2026-11-25T10:05:00Z'))).not.toBe(a);
  });
});
