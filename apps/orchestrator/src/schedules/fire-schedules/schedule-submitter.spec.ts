import { describe, expect, it, jest } from '@jest/globals';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { auditSpy } from '../schedule.fakes.js';
import type { DueFiring, ScheduleRepository } from '../schedule.repository.js';
import { ScheduleSubmitter } from './schedule-submitter.js';

const firing: DueFiring = {
  scheduleId: '11111111-1111-4111-8111-111111111111',
  tenantId: 'acme',
  userId: 'ann',
  role: 'user',
  request: { task: 'summarise', max_steps: 3 },
  dueAt: new Date('2026-11-25T10:05:00Z'),
  firedAt: new Date('2026-11-25T10:05:02Z'),
  taskId: '22222222-2222-8222-8222-222222222222',
};

describe(ScheduleSubmitter.name, () => {
  it('submits the task as its owner, linked to the schedule, de-duplicated by its id; audited once per firing', async () => {
    const published: unknown[][] = [];
    const marked: unknown[][] = [];
    const { audit, records } = auditSpy();
    const jetstream = {
      publish: async (...args: unknown[]) => {
        published.push(args);
        return { seq: 1, duplicate: false };
      },
    } as unknown as JetStreamService;
    const repository = {
      markPublished: async (...args: unknown[]) => void marked.push(args),
    } as unknown as ScheduleRepository;
    const sut = new ScheduleSubmitter(jetstream, repository, audit, {
      info: jest.fn(),
    } as unknown as Logger);
    await sut.submit(firing);
    const [, , submission, opts] = published[0] as [
      unknown,
      unknown,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    expect(submission).toMatchObject({
      taskId: firing.taskId,
      actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
      request: { task: 'summarise', max_steps: 3 },
      scheduleId: firing.scheduleId,
    });
    expect(opts['msgId']).toBe(firing.taskId);
    expect(marked).toEqual([[firing.scheduleId, firing.dueAt]]);
    expect(records.map((r) => [r['action'], r['onceKey']])).toEqual([
      ['task.submit', `schedule-task:${firing.taskId}`],
      ['schedule.fire', `schedule-fire:${firing.scheduleId}:2026-11-25T10:05:00.000Z`],
    ]);
  });
});
