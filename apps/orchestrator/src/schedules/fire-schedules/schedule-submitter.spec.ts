import { describe, expect, it, jest } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { auditSpy } from '../schedule.fakes.js';
import type { AdmitToThreadUseCase } from '../../threads/admit-to-thread/admit-to-thread.use-case.js';
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
    const threads = {
      execute: async () => {
        throw new Error('a firing without a thread is not admitted anywhere');
      },
    } as unknown as AdmitToThreadUseCase;
    const sut = new ScheduleSubmitter(
      jetstream,
      repository,
      audit,
      { info: jest.fn() } as unknown as Logger,
      threads,
    );
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

  describe('a firing into a thread', () => {
    const threaded: DueFiring = { ...firing, request: { task: 'summarise', thread_id: 'night' } };
    function setup(admit: () => Promise<unknown>) {
      const published: unknown[][] = [];
      const calls: { published: unknown[][]; refused: unknown[][]; admits: unknown[][] } = {
        published,
        refused: [],
        admits: [],
      };
      const { audit, records } = auditSpy();
      const jetstream = {
        publish: async (...args: unknown[]) => {
          published.push(args);
          return { seq: 1, duplicate: false };
        },
      } as unknown as JetStreamService;
      const repository = {
        markPublished: async () => undefined,
        markRefused: async (...args: unknown[]) => void calls.refused.push(args),
      } as unknown as ScheduleRepository;
      const threads = {
        execute: async (...args: unknown[]) => {
          calls.admits.push(args);
          return admit();
        },
      } as unknown as AdmitToThreadUseCase;
      const sut = new ScheduleSubmitter(
        jetstream,
        repository,
        audit,
        { info: jest.fn() } as unknown as Logger,
        threads,
      );
      return { sut, calls, records };
    }

    it('is admitted into its thread under the default policy before it is submitted', async () => {
      const { sut, calls } = setup(async () => ({ decision: 'queued' }));
      await sut.submit(threaded);
      expect(calls.admits).toEqual([
        [
          { taskId: firing.taskId, threadId: 'night' },
          { userId: 'ann', role: 'user', tenantId: 'acme' },
        ],
      ]);
      expect(calls.published).toHaveLength(1);
      expect(calls.refused).toEqual([]);
    });

    it('refused by a busy thread (reject): recorded as skipped, audited as denied, never submitted', async () => {
      const { sut, calls, records } = setup(async () => {
        throw new DomainError(
          'CONFLICT',
          'thread night is busy with task x (thread_policy: reject)',
          {
            details: { running_task_id: 'x', thread_id: 'night', thread_policy: 'reject' },
          },
        );
      });
      await sut.submit(threaded);
      expect(calls.published).toEqual([]);
      expect(calls.refused).toEqual([[firing.scheduleId, firing.dueAt]]);
      expect(records).toEqual([
        expect.objectContaining({
          action: 'schedule.fire',
          outcome: 'denied',
          details: expect.objectContaining({ running_task_id: 'x' }),
        }),
      ]);
    });

    it('any other failure to admit is thrown (a later tick publishes the firing again)', async () => {
      const { sut, calls } = setup(async () => {
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'database down', { retryable: true });
      });
      await expect(sut.submit(threaded)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(calls.published).toEqual([]);
      expect(calls.refused).toEqual([]);
    });
  });
});
