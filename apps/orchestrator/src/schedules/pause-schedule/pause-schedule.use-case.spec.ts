import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, isDomainError, type Schedules } from '@switchboard/contracts';
import { auditSpy, scheduleView } from '../schedule.fakes.js';
import type { ScheduleLookup } from '../schedule-lookup.js';
import type { ScheduleRepository } from '../schedule.repository.js';
import { PauseScheduleUseCase } from './pause-schedule.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

function setup(view: Schedules.ScheduleView | undefined) {
  const moves: unknown[][] = [];
  const { audit, records } = auditSpy();
  const lookup = {
    find: async (id: string) => {
      if (!view) throw new DomainError('NOT_FOUND', `schedule ${id} not found`);
      return view;
    },
  } as unknown as ScheduleLookup;
  const repository = {
    transition: async (...args: unknown[]) => {
      moves.push(args);
      return { ...view, status: 'paused', nextDueAt: undefined };
    },
  } as unknown as ScheduleRepository;
  return { sut: new PauseScheduleUseCase(lookup, repository, audit), moves, records };
}

describe(PauseScheduleUseCase.name, () => {
  it('pauses an active schedule: no due time left, audited', async () => {
    const { sut, moves, records } = setup(scheduleView());
    const paused = await sut.execute(scheduleView().scheduleId, ann);
    expect(paused.status).toBe('paused');
    expect(moves).toEqual([[scheduleView().scheduleId, 'active', 'paused', null]]);
    expect(records[0]).toMatchObject({ action: 'schedule.pause' });
  });

  it('answers a paused one as it is; a done one is CONFLICT; a missing one NOT_FOUND', async () => {
    const paused = setup(scheduleView({ status: 'paused' }));
    expect((await paused.sut.execute('x', ann)).status).toBe('paused');
    expect(paused.moves).toEqual([]);
    const done = await setup(scheduleView({ status: 'done' }))
      .sut.execute('x', ann)
      .catch((e: unknown) => e);
    expect(isDomainError(done) && done.code).toBe('CONFLICT');
    const missing = await setup(undefined)
      .sut.execute('x', ann)
      .catch((e: unknown) => e);
    expect(isDomainError(missing) && missing.code).toBe('NOT_FOUND');
  });
});
