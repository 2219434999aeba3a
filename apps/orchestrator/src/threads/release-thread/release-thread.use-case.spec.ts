import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { TaskCore } from '../../tasks/index.js';
import type { NextInThread, ThreadGateRepository } from '../thread-gate.repository.js';
import type { ThreadKey } from '../thread.repository.js';
import { ReleaseThreadUseCase } from './release-thread.use-case.js';

const ENDED = '11111111-1111-4111-8111-111111111111';
const NEXT = '22222222-2222-4222-8222-222222222222';
const nextSubmission: Tasks.TaskSubmission = {
  taskId: NEXT,
  actor: { userId: 'ann', role: 'user', tenantId: 'acme' },
  request: { task: 'and then?', thread_id: 't1' },
  submittedAt: '2026-11-25T10:00:00.000Z',
  correlationId: 'c2',
};

function setup(next: NextInThread | undefined, opts: { gateFails?: boolean } = {}) {
  const released: { key: ThreadKey; taskId: string }[] = [];
  const published: { payload: unknown; msgId: string }[] = [];
  const errors: unknown[] = [];
  const gate = {
    release: async (key: ThreadKey, taskId: string) => {
      if (opts.gateFails) throw new Error('database down');
      released.push({ key, taskId });
      return next;
    },
  } as unknown as ThreadGateRepository;
  const jetstream = {
    publish: async (_c: unknown, _t: unknown, payload: unknown, o: { msgId: string }) => {
      published.push({ payload, msgId: o.msgId });
      return { seq: 1, duplicate: false };
    },
  } as unknown as JetStreamService;
  const logger = {
    info: () => undefined,
    error: (o: unknown) => void errors.push(o),
  } as unknown as Logger;
  return {
    sut: new ReleaseThreadUseCase(gate, new TaskCore({} as never, {} as never, jetstream), logger),
    released,
    published,
    errors,
  };
}

const ended = { taskId: ENDED, actor: { userId: 'ann', tenantId: 'acme' }, threadId: 't1' };

describe(ReleaseThreadUseCase.name, () => {
  it('submits the next task again, once however many replicas release (one message id)', async () => {
    const { sut, released, published } = setup({ taskId: NEXT, submission: nextSubmission });
    await sut.execute(ended);
    expect(released).toEqual([
      { key: { tenantId: 'acme', userId: 'ann', threadId: 't1' }, taskId: ENDED },
    ]);
    expect(published).toEqual([{ payload: nextSubmission, msgId: `${NEXT}:thread` }]);
  });

  it('submits nothing for a next task whose first delivery is still on its way', async () => {
    const { sut, published } = setup({ taskId: NEXT });
    await sut.execute(ended);
    expect(published).toEqual([]);
  });

  it('does nothing for a task without a thread', async () => {
    const { sut, released } = setup(undefined);
    await sut.execute({ taskId: ENDED, actor: { userId: 'ann' } });
    expect(released).toEqual([]);
  });

  it('never throws into the end of a task: a failure is logged', async () => {
    const { sut, errors } = setup(undefined, { gateFails: true });
    await expect(sut.execute(ended)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
