import { describe, expect, it, jest } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { TaskCore } from '../../tasks/index.js';
import type { ThreadGateRepository } from '../thread-gate.repository.js';
import { HANDOVER_GRACE_MS, ResubmitHandedOverUseCase } from './resubmit-handed-over.use-case.js';

const lost: Tasks.TaskSubmission = {
  taskId: '33333333-3333-4333-8333-333333333333',
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request: { task: 'and then?', thread_id: 'standup' },
  submittedAt: '2026-11-25T12:00:00.000Z',
  correlationId: 'c-1',
};

function setup(found: Tasks.TaskSubmission[]) {
  const asked: Date[] = [];
  const published: unknown[][] = [];
  const gate = {
    handedOver: async (before: Date) => {
      asked.push(before);
      return found;
    },
  } as unknown as ThreadGateRepository;
  const jetstream = {
    publish: async (...args: unknown[]) => {
      published.push(args);
      return { seq: 1, duplicate: false };
    },
  } as unknown as JetStreamService;
  const logger = { warn: jest.fn() } as unknown as Logger;
  return {
    sut: new ResubmitHandedOverUseCase(
      gate,
      new TaskCore({} as never, {} as never, jetstream),
      logger,
    ),
    asked,
    published,
  };
}

describe(ResubmitHandedOverUseCase.name, () => {
  it('publishes again, under the hand-over message id, what is unclaimed past the grace period', async () => {
    const { sut, asked, published } = setup([lost]);
    const now = Date.parse('2026-11-25T12:05:00Z');
    expect(await sut.sweep(now)).toBe(1);
    expect(asked).toEqual([new Date(now - HANDOVER_GRACE_MS)]);
    expect(published).toHaveLength(1);
    const [, , payload, opts] = published[0] as [
      unknown,
      unknown,
      unknown,
      Record<string, unknown>,
    ];
    expect(payload).toBe(lost);
    expect(opts).toMatchObject({ msgId: `${lost.taskId}:thread`, actor: lost.actor });
  });

  it('publishes nothing when every hand-over was claimed', async () => {
    const { sut, published } = setup([]);
    expect(await sut.sweep()).toBe(0);
    expect(published).toEqual([]);
  });
});
