import { describe, expect, it } from '@jest/globals';
import type { Actor } from '@switchboard/contracts';
import { manualClock } from '../schedule.fakes.js';
import type { ScheduleRepository } from '../schedule.repository.js';
import { ListDueSchedulesUseCase } from './list-due-schedules.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const admin: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };
const NOW = new Date('2031-05-06T00:00:00Z');

function setup() {
  const asked: unknown[][] = [];
  const rows = [
    {
      id: '11111111-1111-4111-8111-111111111111',
      tenantId: 'acme',
      userId: 'ann',
      nextDueAt: new Date('2031-05-05T23:59:00Z'),
      cron: '* * * * *',
      timezone: 'UTC',
      request: { task: 'summarise the tickets' },
    },
    {
      id: '22222222-2222-4222-8222-222222222222',
      tenantId: 'acme',
      userId: 'ann',
      nextDueAt: new Date('2031-05-06T00:01:00Z'),
      cron: null,
      timezone: null,
      request: { task: 'once' },
    },
  ];
  const repository = {
    due: async (...args: unknown[]) => {
      asked.push(args);
      return rows;
    },
  } as unknown as ScheduleRepository;
  return { sut: new ListDueSchedulesUseCase(repository, manualClock(NOW)), asked };
}

describe(ListDueSchedulesUseCase.name, () => {
  it("lists what is due within the window of the schedules' clock's now, overdue by that clock", async () => {
    const { sut, asked } = setup();
    const reply = await sut.execute({ withinMs: 300_000, limit: 10 }, ann);
    expect(asked).toEqual([['acme', 'ann', new Date('2031-05-06T00:05:00Z'), 10]]);
    expect(reply).toEqual({
      now: NOW.toISOString(),
      due: [
        {
          scheduleId: '11111111-1111-4111-8111-111111111111',
          tenantId: 'acme',
          userId: 'ann',
          nextDueAt: '2031-05-05T23:59:00.000Z',
          overdue: true,
          cron: '* * * * *',
          timezone: 'UTC',
          task: 'summarise the tickets',
        },
        {
          scheduleId: '22222222-2222-4222-8222-222222222222',
          tenantId: 'acme',
          userId: 'ann',
          nextDueAt: '2031-05-06T00:01:00.000Z',
          overdue: false,
          task: 'once',
        },
      ],
    });
  });

  it("lists an admin's whole tenant, a user's own schedules only", async () => {
    const { sut, asked } = setup();
    await sut.execute({ withinMs: 0, limit: 5 }, admin);
    expect(asked[0]?.slice(0, 2)).toEqual(['acme', undefined]);
  });
});
