import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { Outcome } from '../tasks/index.js';
import type {
  ReleaseThreadUseCase,
  ThreadHolder,
} from './release-thread/release-thread.use-case.js';
import type { ThreadHistoryService } from './thread-history.service.js';
import { ThreadObserver } from './thread.observer.js';

const TASK_ID = '11111111-1111-4111-8111-111111111111';
const submission: Tasks.TaskSubmission = {
  taskId: TASK_ID,
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request: { task: 'what is 1+1', thread_id: 't1' },
  submittedAt: '2026-11-25T10:00:00.000Z',
  correlationId: 'c1',
};

function setup(opts: { recordFails?: boolean } = {}) {
  const recorded: Parameters<ThreadHistoryService['record']>[0][] = [];
  const released: ThreadHolder[] = [];
  const errors: unknown[] = [];
  const history = {
    record: async (turns: Parameters<ThreadHistoryService['record']>[0]) => {
      if (opts.recordFails) throw new Error('database down');
      recorded.push(turns);
    },
  } as unknown as ThreadHistoryService;
  const release = {
    execute: async (task: ThreadHolder) => void released.push(task),
  } as unknown as ReleaseThreadUseCase;
  const logger = { error: (o: unknown) => void errors.push(o) } as unknown as Logger;
  return { sut: new ThreadObserver(history, release, logger), recorded, released, errors };
}

describe(ThreadObserver.name, () => {
  it("stores the task's turns in its thread: its text, and its answer or why it has none", async () => {
    const outcomes: [Outcome, string][] = [
      [{ status: 'completed', result: '2' }, '2'],
      [
        { status: 'failed', error: { code: 'TIMEOUT', message: 'late', retryable: false } },
        '[no answer: TIMEOUT]',
      ],
      [{ status: 'cancelled', reason: 'no' }, '[no answer: cancelled]'],
    ];
    for (const [outcome, assistant] of outcomes) {
      const { sut, recorded } = setup();
      await sut.ended({ submission, text: 'what is 1+1 (as stored)', outcome });
      expect(recorded).toEqual([
        {
          tenantId: 'acme',
          userId: 'ann',
          threadId: 't1',
          taskId: TASK_ID,
          user: 'what is 1+1 (as stored)',
          assistant,
        },
      ]);
    }
  });

  it('logs turns it could not store rather than failing the end of the task', async () => {
    const { sut, errors } = setup({ recordFails: true });
    await sut.ended({ submission, text: 'x', outcome: { status: 'completed', result: '2' } });
    expect(errors).toEqual([expect.objectContaining({ taskId: TASK_ID })]);
  });

  it('hands the thread of a task that holds nothing any more to the next task', async () => {
    const { sut, released } = setup();
    await sut.released({ taskId: TASK_ID, actor: submission.actor, threadId: 't1' });
    expect(released).toEqual([{ taskId: TASK_ID, actor: submission.actor, threadId: 't1' }]);
  });
});
