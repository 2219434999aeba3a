import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, type Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import type { OrchestratorEnv } from '../../config/orchestrator.env.js';
import type { TaskCanceller } from '../../tasks/index.js';
import type { Admission, AdmissionMode, ThreadGateRepository } from '../thread-gate.repository.js';
import type { ThreadKey } from '../thread.repository.js';
import { AdmitToThreadUseCase } from './admit-to-thread.use-case.js';

const NEW = '11111111-1111-4111-8111-111111111111';
const RUNNING = '22222222-2222-4222-8222-222222222222';
const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

/** A gate whose thread runs RUNNING (or is idle): answers as the repository does for each mode. */
function setup(opts: { busy: boolean; fallback?: Tasks.ThreadPolicy }) {
  const asked: { key: ThreadKey; mode: AdmissionMode }[] = [];
  const cancelled: { taskId: string; reason: string }[] = [];
  const gate = {
    admit: async (key: ThreadKey, _t: string, mode: AdmissionMode): Promise<Admission> => {
      asked.push({ key, mode });
      if (!opts.busy) return { decision: 'run' };
      if (mode === 'refuse') return { decision: 'busy', runningTaskId: RUNNING };
      return { decision: 'queued', runningTaskId: RUNNING, displaced: mode !== 'after' };
    },
  } as unknown as ThreadGateRepository;
  const canceller = {
    cancelOwn: async (taskId: string, _a: Actor, reason: string) => {
      cancelled.push({ taskId, reason });
      return 'running';
    },
  } as unknown as TaskCanceller;
  const config = {
    THREAD_POLICY_DEFAULT: opts.fallback ?? 'enqueue',
    THREAD_ADMISSION_STALE_MS: 900_000,
  } as Pick<OrchestratorEnv, 'THREAD_POLICY_DEFAULT' | 'THREAD_ADMISSION_STALE_MS'>;
  const logger = { info: () => undefined } as unknown as Logger;
  const sut = new AdmitToThreadUseCase(gate, canceller, config, logger);
  return { sut, asked, cancelled };
}

describe(AdmitToThreadUseCase.name, () => {
  it("runs at once in an idle thread, the submitter's own in their tenant", async () => {
    const { sut, asked, cancelled } = setup({ busy: false });
    await expect(
      sut.execute({ taskId: NEW, threadId: 't1', policy: 'reject' }, ann),
    ).resolves.toEqual({
      taskId: NEW,
      decision: 'run',
      policy: 'reject',
    });
    expect(asked[0]?.key).toEqual({ tenantId: 'acme', userId: 'ann', threadId: 't1' });
    expect(cancelled).toEqual([]);
  });

  it('reject: a CONFLICT that names the running task', async () => {
    const { sut, cancelled } = setup({ busy: true });
    const error = await sut
      .execute({ taskId: NEW, threadId: 't1', policy: 'reject' }, ann)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CONFLICT');
    expect((error as DomainError).details).toEqual({
      running_task_id: RUNNING,
      thread_id: 't1',
      thread_policy: 'reject',
    });
    expect(cancelled).toEqual([]);
  });

  it('enqueue: queued behind the running task, which runs on', async () => {
    const { sut, asked, cancelled } = setup({ busy: true });
    await expect(
      sut.execute({ taskId: NEW, threadId: 't1', policy: 'enqueue' }, ann),
    ).resolves.toEqual({
      taskId: NEW,
      decision: 'queued',
      policy: 'enqueue',
      runningTaskId: RUNNING,
    });
    expect(asked[0]?.mode).toBe('after');
    expect(cancelled).toEqual([]);
  });

  it.each([
    ['interrupt', 'before', 'interrupted'],
    ['rollback', 'before-discarding', 'rolled back'],
  ] as const)(
    '%s: first in line, and the running task is cancelled',
    async (policy, mode, word) => {
      const { sut, asked, cancelled } = setup({ busy: true });
      const answer = await sut.execute({ taskId: NEW, threadId: 't1', policy }, ann);
      expect(answer).toMatchObject({ decision: 'queued', runningTaskId: RUNNING, policy });
      expect(asked[0]?.mode).toBe(mode);
      expect(cancelled).toEqual([
        { taskId: RUNNING, reason: `${word} by task ${NEW} on its thread` },
      ]);
    },
  );

  it('takes THREAD_POLICY_DEFAULT when the request names no policy', async () => {
    const { sut } = setup({ busy: true, fallback: 'reject' });
    await expect(sut.execute({ taskId: NEW, threadId: 't1' }, ann)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const enqueuing = setup({ busy: true });
    await expect(
      enqueuing.sut.execute({ taskId: NEW, threadId: 't1' }, ann),
    ).resolves.toMatchObject({
      decision: 'queued',
      policy: 'enqueue',
    });
  });
});
