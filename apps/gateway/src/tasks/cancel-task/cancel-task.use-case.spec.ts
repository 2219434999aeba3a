import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { TaskAccess } from '../task-access.js';
import { CancelTaskUseCase } from './cancel-task.use-case.js';

const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';
const alice: Actor = { userId: 'alice', role: 'user' };
type CancelRequest = { taskId: string; reason: string; whenQueued?: boolean };

/** The orchestrator's answers to TaskCancel, and the requests it got. */
function setup(
  answer: (req: CancelRequest) => Promise<{ status: Tasks.TaskStatus }>,
  ownedHere = false,
) {
  const requests: CancelRequest[] = [];
  const bus = {
    request: async (contract: unknown, req: CancelRequest) => {
      expect(contract).toBe(Tasks.TaskCancel);
      requests.push(req);
      return { taskId: req.taskId, ...(await answer(req)) };
    },
  } as unknown as NatsBus;
  const access = { ownedHere: async () => ownedHere } as unknown as TaskAccess;
  return { sut: new CancelTaskUseCase(bus, access), requests };
}

describe(CancelTaskUseCase.name, () => {
  it('asks the orchestrator to stop a running task: the cancel is on its way', async () => {
    const { sut, requests } = setup(async () => ({ status: 'running' }));
    await expect(sut.execute(TASK, alice, 'no longer needed')).resolves.toEqual({
      taskId: TASK,
      status: 'running',
      cancelRequested: true,
    });
    expect(requests).toEqual([{ taskId: TASK, reason: 'no longer needed' }]);
  });

  it('says so when the task had already ended: nothing was cancelled', async () => {
    const { sut } = setup(async () => ({ status: 'completed' }));
    await expect(sut.execute(TASK, alice, 'x')).resolves.toMatchObject({
      status: 'completed',
      cancelRequested: false,
    });
  });

  it('cancels a task not picked up yet that this gateway saw the user submit', async () => {
    const { sut, requests } = setup(async (req) => {
      if (!req.whenQueued) throw new DomainError('NOT_FOUND', 'no such task');
      return { status: 'cancelled' };
    }, true);
    await expect(sut.execute(TASK, alice, 'x')).resolves.toMatchObject({ status: 'cancelled' });
    expect(requests.map((r) => r.whenQueued ?? false)).toEqual([false, true]);
  });

  it('refuses someone else’s task as NOT_FOUND (its id cannot be probed)', async () => {
    const { sut, requests } = setup(async () => {
      throw new DomainError('NOT_FOUND', 'no such task');
    });
    await expect(sut.execute(TASK, alice, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(requests).toHaveLength(1);
  });
});
