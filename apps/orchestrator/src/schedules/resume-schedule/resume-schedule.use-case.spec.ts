import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, type Schedules } from '@switchboard/contracts';
import { auditSpy, manualClock, scheduleView } from '../schedule.fakes.js';
import type { ScheduleLookup } from '../schedule-lookup.js';
import type { ScheduleRepository } from '../schedule.repository.js';
import { ResumeScheduleUseCase } from './resume-schedule.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const NOW = new Date('2026-11-25T10:02:00Z');

function setup(view: Schedules.ScheduleView, now = NOW) {
  const moves: unknown[][] = [];
  const { audit, records } = auditSpy();
  const lookup = { find: async () => view } as unknown as ScheduleLookup;
  const repository = {
    transition: async (id: string, from: string, to: string, next: Date | null) => {
      moves.push([id, from, to, next]);
      return { ...view, status: to, nextDueAt: next?.toISOString() };
    },
  } as unknown as ScheduleRepository;
  const sut = new ResumeScheduleUseCase(lookup, repository, audit, manualClock(now));
  return { sut, moves, records };
}

describe(ResumeScheduleUseCase.name, () => {
  it('resumes from now: the next due time is the first after now (missed ones do not run)', async () => {
    const view = scheduleView({ status: 'paused', cron: '*/5 * * * *', timezone: 'UTC' });
    const { sut, moves, records } = setup(view);
    const resumed = await sut.execute(view.scheduleId, ann);
    expect(resumed.nextDueAt).toBe('2026-11-25T10:05:00.000Z');
    expect(moves[0]?.slice(1, 3)).toEqual(['paused', 'active']);
    expect(records[0]).toMatchObject({ action: 'schedule.resume' });
  });

  it('refuses a one-shot whose time passed while paused (CONFLICT), and a done one', async () => {
    const once = scheduleView({
      status: 'paused',
      cron: undefined,
      timezone: undefined,
      at: '2026-11-25T10:00:00.000Z',
    });
    for (const view of [once, scheduleView({ status: 'done' })]) {
      const { sut, moves } = setup(view);
      const e = await sut.execute(view.scheduleId, ann).catch((x: unknown) => x);
      expect(isDomainError(e) && e.code).toBe('CONFLICT');
      expect(moves).toEqual([]);
    }
  });

  it('answers an active one as it is', async () => {
    const { sut, moves } = setup(scheduleView());
    expect((await sut.execute('x', ann)).status).toBe('active');
    expect(moves).toEqual([]);
  });

  it("resumes from the schedules' clock's now: a one-shot still ahead of it resumes, one it passed does not", async () => {
    const once = scheduleView({
      status: 'paused',
      cron: undefined,
      timezone: undefined,
      at: '2031-05-06T00:00:00.000Z',
    });
    const ahead = setup(once, new Date('2031-05-05T23:59:00Z'));
    expect((await ahead.sut.execute(once.scheduleId, ann)).nextDueAt).toBe(once.at);
    const passed = setup(once, new Date('2031-05-06T00:00:01Z'));
    const e = await passed.sut.execute(once.scheduleId, ann).catch((x: unknown) => x);
    expect(isDomainError(e) && e.code).toBe('CONFLICT');
  });
});
