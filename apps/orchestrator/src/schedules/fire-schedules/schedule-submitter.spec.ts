import { describe, expect, it, jest } from '@jest/globals';
import { DomainError, type Tenancy } from '@switchboard/contracts';
import { type JetStreamService, recordIdFor } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { auditSpy } from '../schedule.fakes.js';
import type { TaskAdmission } from '../../quotas/task-admission.js';
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

const GRACE = { SCHEDULE_MISFIRE_GRACE_MS: 60_000 };
/** When the ticker submits it, on the schedules' clock. */
const NOW = new Date('2026-11-25T10:05:03Z');

/** A TaskAdmission that admits, or refuses with `refusal`; it keeps what it admitted and released. */
function admission(refusal?: Tenancy.QuotaExceeded) {
  const admitted: unknown[] = [];
  const released: unknown[] = [];
  const fake = {
    admit: async (s: unknown) => {
      admitted.push(s);
      return refusal;
    },
    release: async (s: unknown) => void released.push(s),
  } as unknown as TaskAdmission;
  return { fake, admitted, released };
}

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
    const quotas = admission();
    const sut = new ScheduleSubmitter(
      jetstream,
      repository,
      audit,
      { info: jest.fn() } as unknown as Logger,
      threads,
      quotas.fake,
      GRACE,
    );
    expect(await sut.submit(firing, NOW)).toBe('submitted');
    expect(quotas.admitted).toEqual([
      { taskId: firing.taskId, actor: { userId: 'ann', role: 'user', tenantId: 'acme' } },
    ]);
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
      // its `task.submit` record rides in it (the claim journals it), once per firing
      audit: {
        id: recordIdFor(`schedule-task:${firing.taskId}`),
        category: 'request',
        action: 'task.submit',
        source: 'orchestrator',
        taskId: firing.taskId,
        tenantId: 'acme',
        actor: { userId: 'ann', role: 'user' },
        details: { length: 9, scheduleId: firing.scheduleId },
      },
    });
    expect(opts['msgId']).toBe(firing.taskId);
    // published at the schedules' clock's time it was submitted at
    expect(marked).toEqual([[firing.scheduleId, firing.dueAt, NOW]]);
    expect(records.map((r) => [r['action'], r['onceKey']])).toEqual([
      ['schedule.fire', `schedule-fire:${firing.scheduleId}:2026-11-25T10:05:00.000Z`],
    ]);
  });

  describe('a firing into a thread', () => {
    const threaded: DueFiring = { ...firing, request: { task: 'summarise', thread_id: 'night' } };
    function setup(admit: () => Promise<unknown>, quotas = admission()) {
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
        quotas.fake,
        GRACE,
      );
      return { sut, calls, records, quotas };
    }

    it('is admitted into its thread under the default policy before it is submitted', async () => {
      const { sut, calls } = setup(async () => ({ decision: 'queued' }));
      await sut.submit(threaded, NOW);
      expect(calls.admits).toEqual([
        [
          { taskId: firing.taskId, threadId: 'night' },
          { userId: 'ann', role: 'user', tenantId: 'acme' },
        ],
      ]);
      expect(calls.published).toHaveLength(1);
      expect(calls.refused).toEqual([]);
    });

    it('refused by a busy thread (reject): recorded as skipped, audited as denied, never submitted, its slot freed', async () => {
      const setupResult = setup(async () => {
        throw new DomainError(
          'CONFLICT',
          'thread night is busy with task x (thread_policy: reject)',
          {
            details: { running_task_id: 'x', thread_id: 'night', thread_policy: 'reject' },
          },
        );
      });
      const { sut, calls, records } = setupResult;
      const { quotas } = setupResult;
      expect(await sut.submit(threaded, NOW)).toBe('skipped');
      expect(calls.published).toEqual([]);
      expect(calls.refused).toEqual([[firing.scheduleId, firing.dueAt, NOW]]);
      // the quota's slot it was admitted with is given back
      expect(quotas.released).toEqual(quotas.admitted);
      expect(quotas.released).toHaveLength(1);
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
      await expect(sut.submit(threaded, NOW)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
      expect(calls.published).toEqual([]);
      expect(calls.refused).toEqual([]);
    });
  });

  describe("over its tenant's quota", () => {
    const refusal: Tenancy.QuotaExceeded = {
      quota: 'concurrentTasks',
      scope: 'tenant',
      tenantId: 'acme',
      limit: 2,
      used: 2,
      retryAfterSeconds: 5,
    };
    function setup() {
      const published: unknown[] = [];
      const refused: unknown[][] = [];
      const { audit, records } = auditSpy();
      const threads = { execute: jest.fn() };
      const sut = new ScheduleSubmitter(
        {
          publish: async (...a: unknown[]) => void published.push(a),
        } as unknown as JetStreamService,
        {
          markPublished: async () => undefined,
          markRefused: async (...a: unknown[]) => void refused.push(a),
        } as unknown as ScheduleRepository,
        audit,
        { info: jest.fn() } as unknown as Logger,
        threads as unknown as AdmitToThreadUseCase,
        admission(refusal).fake,
        GRACE,
      );
      return { sut, published, refused, records, threads };
    }

    it('waits within the misfire grace: nothing submitted, recorded or audited, no thread joined', async () => {
      const { sut, published, refused, records, threads } = setup();
      const soon = new Date(firing.firedAt.getTime() + 59_000);
      expect(await sut.submit({ ...firing, request: { task: 't', thread_id: 'n' } }, soon)).toBe(
        'waiting',
      );
      expect([published, refused, records]).toEqual([[], [], []]);
      expect(threads.execute).not.toHaveBeenCalled();
    });

    it('waits the whole grace from when it was fired, even when that was long after its due time (catch-up: latest)', async () => {
      const { sut } = setup();
      const caughtUp = { ...firing, dueAt: new Date('2026-11-25T04:00:00Z') };
      expect(await sut.submit(caughtUp, new Date(firing.firedAt.getTime() + 1_000))).toBe(
        'waiting',
      );
    });

    it('is skipped past the grace, audited as a denied schedule.fire naming the quota, never submitted', async () => {
      const { sut, published, refused, records } = setup();
      const late = new Date(firing.firedAt.getTime() + 60_000);
      expect(await sut.submit(firing, late)).toBe('skipped');
      expect(published).toEqual([]);
      expect(refused).toEqual([[firing.scheduleId, firing.dueAt, late]]);
      expect(records).toEqual([
        expect.objectContaining({
          action: 'schedule.fire',
          outcome: 'denied',
          tenantId: 'acme',
          onceKey: `schedule-fire:${firing.scheduleId}:2026-11-25T10:05:00.000Z`,
          details: expect.objectContaining({
            code: 'RATE_LIMITED',
            reason: expect.stringMatching(/^quota concurrentTasks of tenant acme reached/),
            quota: refusal,
          }),
        }),
      ]);
    });
  });
});
