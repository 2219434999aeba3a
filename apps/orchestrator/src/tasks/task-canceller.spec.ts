import { describe, expect, it } from '@jest/globals';
import type { Actor, Tasks } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { PendingDecisions } from './ports/pending-decisions.port.js';
import { TaskCanceller } from './task-canceller.js';
import type { TaskRepository } from './task.repository.js';

const actor: Actor = { userId: 'ann', role: 'user' };

function setup(rows: (Tasks.TaskView | undefined)[]) {
  const calls: string[] = [];
  const repository = {
    get: async () => rows.shift(),
    rememberQueuedCancel: async () => void calls.push('remember'),
    requestCancel: async () => void calls.push('store'),
  } as unknown as TaskRepository;
  const bus = {
    publish: (_c: unknown, tokens: string[], p: { reason: string }) =>
      void calls.push(`broadcast ${tokens[0]} ${p.reason}`),
  } as unknown as NatsBus;
  const decisions = {
    cancel: async () => void calls.push('decisions'),
  } as unknown as PendingDecisions;
  return { sut: new TaskCanceller(repository, bus, decisions), calls };
}

describe(TaskCanceller.name, () => {
  it('a task with no row yet: its cancel is remembered for its claim, and broadcast for a claim already under way', async () => {
    // A claim whose statement started before the cancel was stored, and committed after the second
    // read, sees neither the cancel nor is seen: only the broadcast reaches the replica making it.
    const { sut, calls } = setup([undefined, undefined]);
    await expect(sut.cancelOwn('t-1', actor, 'rolled back by task t-2')).resolves.toBe('queued');
    expect(calls).toEqual(['remember', 'broadcast t-1 rolled back by task t-2']);
  });

  it('a task claimed meanwhile is cancelled as a live one', async () => {
    const view = { taskId: 't-1', status: 'running' } as Tasks.TaskView;
    const { sut, calls } = setup([undefined, view]);
    await expect(sut.cancelOwn('t-1', actor, 'stop')).resolves.toBe('running');
    expect(calls).toEqual(['remember', 'store', 'broadcast t-1 stop', 'decisions']);
  });
});
