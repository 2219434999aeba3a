import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, isDomainError } from '@switchboard/contracts';
import { auditSpy, scheduleView } from '../schedule.fakes.js';
import type { ScheduleLookup } from '../schedule-lookup.js';
import type { ScheduleRepository } from '../schedule.repository.js';
import { DeleteScheduleUseCase } from './delete-schedule.use-case.js';

const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };

function setup(found: boolean, deleted = true) {
  const removed: string[] = [];
  const { audit, records } = auditSpy();
  const lookup = {
    find: async (id: string) => {
      if (!found) throw new DomainError('NOT_FOUND', `schedule ${id} not found`);
      return scheduleView();
    },
  } as unknown as ScheduleLookup;
  const repository = {
    delete: async (id: string) => {
      removed.push(id);
      return deleted;
    },
  } as unknown as ScheduleRepository;
  return { sut: new DeleteScheduleUseCase(lookup, repository, audit), removed, records };
}

describe(DeleteScheduleUseCase.name, () => {
  it("deletes a schedule the actor may see (an admin: their tenant's), audited with its owner", async () => {
    const { sut, removed, records } = setup(true);
    const id = scheduleView().scheduleId;
    expect(await sut.execute(id, alan)).toEqual({ scheduleId: id });
    expect(removed).toEqual([id]);
    expect(records[0]).toMatchObject({ action: 'schedule.delete', details: { owner: 'ann' } });
  });

  it('deletes nothing it cannot see, and answers NOT_FOUND when it went meanwhile', async () => {
    const hidden = setup(false);
    const e1 = await hidden.sut.execute('x', alan).catch((x: unknown) => x);
    expect(isDomainError(e1) && e1.code).toBe('NOT_FOUND');
    expect(hidden.removed).toEqual([]);
    const gone = setup(true, false);
    const e2 = await gone.sut.execute('x', alan).catch((x: unknown) => x);
    expect(isDomainError(e2) && e2.code).toBe('NOT_FOUND');
    expect(gone.records).toEqual([]);
  });
});
