import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { ThreadGateRepository } from '../thread-gate.repository.js';
import { WaitForThreadUseCase } from './wait-for-thread.use-case.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const submission = (request: Tasks.TaskRequest, run?: Tasks.RunOrigin): Tasks.TaskSubmission => ({
  taskId: TASK,
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request,
  submittedAt: '2026-11-25T10:00:00.000Z',
  correlationId: 'c1',
  ...(run ? { run } : {}),
});

function setup(opts: { claimed?: boolean; itsTurn: boolean }) {
  const entered: string[] = [];
  const gate = {
    claimed: async () => opts.claimed ?? false,
    enter: async (key: { threadId: string }) => {
      entered.push(key.threadId);
      return opts.itsTurn;
    },
  } as unknown as ThreadGateRepository;
  const logger = { info: () => undefined } as unknown as Logger;
  const sut = new WaitForThreadUseCase(gate, { THREAD_ADMISSION_STALE_MS: 900_000 }, logger);
  return { sut, entered };
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
});
