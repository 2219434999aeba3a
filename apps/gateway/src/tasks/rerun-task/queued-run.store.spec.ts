import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { QueuedRunStore } from './queued-run.store.js';

const ann: Actor = { userId: 'ann', role: 'user' };
const run = {
  taskId: '11111111-2222-4333-8444-555555555555',
  actor: ann,
  request: { task: 'what is 17 * 23' },
  submittedAt: new Date().toISOString(),
  correlationId: 'req-1',
  run: { kind: 'replay' as const, of: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718' },
};

function setup(answer: () => Promise<unknown>) {
  const asked: unknown[][] = [];
  const warned: unknown[] = [];
  const bus = {
    request: async (...args: unknown[]) => {
      asked.push(args);
      return answer();
    },
  } as unknown as NatsBus;
  const logger = {
    debug: () => undefined,
    warn: (o: unknown) => void warned.push(o),
  } as unknown as Logger;
  return { sut: new QueuedRunStore(bus, logger), asked, warned };
}

describe(QueuedRunStore.name, () => {
  it('asks the orchestrator to store the run, as its submitter, with what its row holds', async () => {
    const { sut, asked } = setup(async () => ({ taskId: run.taskId, stored: true }));
    await sut.store(run, ann);
    const { actor: _actor, ...request } = run;
    expect(asked).toEqual([[Tasks.RunEnqueue, request, { actor: ann, correlationId: 'req-1' }]]);
    expect(Tasks.RunEnqueue.request.safeParse(request).success).toBe(true);
  });

  it('never fails the request: the run is submitted already (it reads as before its claim)', async () => {
    const { sut, warned } = setup(async () => {
      throw new DomainError('TIMEOUT', 'no reply');
    });
    await expect(sut.store(run, ann)).resolves.toBeUndefined();
    expect(warned).toEqual([expect.objectContaining({ taskId: run.taskId })]);
  });
});
