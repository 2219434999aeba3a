import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { TaskCore } from '../../tasks/index.js';
import type { ThreadGateRepository } from '../thread-gate.repository.js';
import { WaitForThreadUseCase } from './wait-for-thread.use-case.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const submission = (
  request: Tasks.TaskRequest,
  run?: Tasks.RunOrigin,
  taskId = TASK,
): Tasks.TaskSubmission => ({
  taskId,
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request,
  submittedAt: '2026-11-25T10:00:00.000Z',
  correlationId: 'c1',
  ...(run ? { run } : {}),
});

function setup(opts: { claimed?: boolean; itsTurn: boolean; stored?: boolean }) {
  const entered: string[] = [];
  const gate = {
    waitingSubmission: async (taskId: string) =>
      opts.stored ? submission({ task: 'x', thread_id: 't1' }, undefined, taskId) : undefined,
    claimed: async () => opts.claimed ?? false,
    enter: async (key: { threadId: string }) => {
      entered.push(key.threadId);
      return opts.itsTurn;
    },
  } as unknown as ThreadGateRepository;
  const logger = { info: () => undefined } as unknown as Logger;
  const published: { taskId: string; msgId: string }[] = [];
  const jetstream = {
    publish: async (_c: unknown, _t: unknown, p: Tasks.TaskSubmission, o: { msgId: string }) => {
      published.push({ taskId: p.taskId, msgId: o.msgId });
      return { seq: 1, duplicate: false };
    },
  } as unknown as JetStreamService;
  const sut = new WaitForThreadUseCase(
    gate,
    { THREAD_ADMISSION_STALE_MS: 900_000 },
    logger,
    new TaskCore({} as never, {} as never, jetstream),
  );
  return { sut, entered, published };
}

describe(WaitForThreadUseCase.name, () => {
  it('lets a task of an idle thread (or its own) run', async () => {
    const { sut, entered } = setup({ itsTurn: true });
    await expect(sut.mayRun(submission({ task: 'x', thread_id: 't1' }))).resolves.toBe(true);
    expect(entered).toEqual(['t1']);
  });

  it('holds a new task back while its thread runs another (it waits, stored)', async () => {
    const { sut } = setup({ itsTurn: false });
    await expect(sut.mayRun(submission({ task: 'x', thread_id: 't1' }))).resolves.toBe(false);
  });

  it('never gates a task without a thread, a replay or fork, or a task claimed before', async () => {
    const none = setup({ itsTurn: false });
    await expect(none.sut.mayRun(submission({ task: 'x' }))).resolves.toBe(true);
    const replay = {
      kind: 'replay',
      of: '22222222-2222-4222-8222-222222222222',
    } as Tasks.RunOrigin;
    await expect(none.sut.mayRun(submission({ task: 'x', thread_id: 't1' }, replay))).resolves.toBe(
      true,
    );
    expect(none.entered).toEqual([]);
    const resumed = setup({ claimed: true, itsTurn: false });
    await expect(resumed.sut.mayRun(submission({ task: 'x', thread_id: 't1' }))).resolves.toBe(
      true,
    );
    expect(resumed.entered).toEqual([]);
  });

  it('delivers a waiting task that was cancelled again, so it ends now (one message id)', async () => {
    const waiting = setup({ itsTurn: false, stored: true });
    await waiting.sut.letCancelledGo(TASK);
    expect(waiting.published).toEqual([{ taskId: TASK, msgId: `${TASK}:thread-cancel` }]);
    const notWaiting = setup({ itsTurn: false });
    await notWaiting.sut.letCancelledGo(TASK);
    expect(notWaiting.published).toEqual([]);
  });
});
