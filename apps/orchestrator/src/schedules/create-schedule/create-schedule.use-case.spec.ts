import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError, Schedules } from '@switchboard/contracts';
import type { CheckWebhookTargetUseCase } from '../../webhooks/check-webhook-target/check-webhook-target.use-case.js';
import { TargetRefused } from '../../webhooks/target/webhook-targets.js';
import { auditSpy, manualClock, scheduleView } from '../schedule.fakes.js';
import type { NewSchedule, ScheduleRepository } from '../schedule.repository.js';
import { CreateScheduleUseCase } from './create-schedule.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const NOW = new Date('2026-11-25T10:02:00Z');

function setup(refusal?: TargetRefused, clock = manualClock(NOW)) {
  const created: NewSchedule[] = [];
  const { audit, records } = auditSpy();
  const repository = {
    create: async (s: NewSchedule) => {
      created.push(s);
      return scheduleView({ scheduleId: s.id, nextDueAt: s.nextDueAt.toISOString() });
    },
  } as unknown as ScheduleRepository;
  const target = {
    execute: async () => {
      if (refusal) throw refusal;
    },
  } as unknown as CheckWebhookTargetUseCase;
  return { sut: new CreateScheduleUseCase(repository, target, audit, clock), created, records };
}

const body = (over: Record<string, unknown>) =>
  Schedules.ScheduleCreateRequest.parse({ task: 'summarise the tickets', ...over });

describe(CreateScheduleUseCase.name, () => {
  it("stores a cron schedule in the owner's tenant, due at its next time in its zone, audited", async () => {
    const { sut, created, records } = setup();
    await sut.execute(body({ cron: '0 8 * * 1-5', timezone: 'Europe/Berlin' }), ann);
    expect(created[0]).toMatchObject({
      tenantId: 'acme',
      userId: 'ann',
      role: 'user',
      cron: '0 8 * * 1-5',
      timezone: 'Europe/Berlin',
      at: null,
      catchUp: 'skip',
      request: { task: 'summarise the tickets' },
      nextDueAt: new Date('2026-11-26T07:00:00Z'),
    });
    expect(records[0]).toMatchObject({ action: 'schedule.create', outcome: 'success' });
  });

  it('runs a cron without a time zone in UTC; a one-shot is due at its time', async () => {
    const clock = manualClock(NOW);
    const { sut, created } = setup(undefined, clock);
    await sut.execute(body({ cron: '*/5 * * * *' }), ann);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    clock.set(new Date());
    await sut.execute(body({ at }), ann);
    expect(created.map((c) => [c.timezone, c.nextDueAt.toISOString()])).toEqual([
      ['UTC', '2026-11-25T10:05:00.000Z'],
      [null, at],
    ]);
  });

  it("refuses a one-shot time the schedules' clock has passed by the time it arrives, naming at", async () => {
    const { sut, created } = setup(undefined, manualClock(new Date(Date.now() + 120_000)));
    // Ahead of the wall clock (the request's schema says so), behind the schedules' clock.
    const req = body({ at: new Date(Date.now() + 60_000).toISOString() });
    const e = await sut.execute(req, ann).catch((x: unknown) => x);
    expect(isDomainError(e) && [e.code, e.message]).toEqual([
      'VALIDATION',
      'at: must be in the future',
    ]);
    expect(created).toEqual([]);
  });

  it('stores nothing when the webhook target is refused by the URL policy', async () => {
    const refusal = new TargetRefused('webhook.url', '10.0.0.1 is a private address', 'address');
    const { sut, created, records } = setup(refusal);
    const req = body({ cron: '* * * * *', webhook: { url: 'https://10.0.0.1/in' } });
    await expect(sut.execute(req, ann)).rejects.toBe(refusal);
    expect([created, records]).toEqual([[], []]);
  });

  it("takes a cron's first due time from the schedules' clock, not the machine's", async () => {
    const { sut, created } = setup(undefined, manualClock(new Date('2031-05-05T23:59:30Z')));
    await sut.execute(body({ cron: '* * * * *' }), ann);
    expect(created[0]?.nextDueAt).toEqual(new Date('2031-05-06T00:00:00Z'));
  });
});
