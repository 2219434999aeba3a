import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { AdvanceBatchesUseCase } from '../advance-batches/advance-batches.use-case.js';
import type { ReplayBatchRepository } from '../replay-batch.repository.js';
import { StartBatchUseCase } from './start-batch.use-case.js';

const ANN: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const ADMIN: Actor = { userId: 'root', role: 'admin', tenantId: 'acme' };
const TASK = '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718';

function setUp() {
  const endedTasks = jest.fn<ReplayBatchRepository['endedTasks']>(async () => [TASK]);
  const batches = {
    endedTasks,
    create: jest.fn(async () => undefined),
    get: jest.fn(async () => ({ batchId: 'b' })),
  } as unknown as ReplayBatchRepository;
  const advance = { advance: jest.fn(async () => undefined) } as unknown as AdvanceBatchesUseCase;
  const audit = { record: jest.fn(async () => undefined) } as unknown as AuditTrail;
  const useCase = new StartBatchUseCase(batches, advance, audit, { PLANNER: 'builtin' });
  return { useCase, endedTasks, create: batches.create as jest.Mock };
}

const body = (filter: Record<string, unknown>) => Tasks.ReplayBatchBody.parse({ filter });

describe('starting a replay batch: whose tasks a filter reaches', () => {
  it("refuses a user's filter naming another user, naming the field, before reading any task", async () => {
    const { useCase, endedTasks } = setUp();
    const refused = await useCase.execute(body({ userId: 'bob' }), ANN, 'c1').catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
    expect((refused as Error).message).toContain('filter.userId');
    expect(endedTasks).not.toHaveBeenCalled();
  });

  it("lets a user name themselves, and an admin name any user of the tenant; the caller's scope goes with the filter", async () => {
    const { useCase, endedTasks } = setUp();
    await useCase.execute(body({ userId: 'ann' }), ANN, 'c1');
    await useCase.execute(body({ userId: 'bob' }), ADMIN, 'c2');
    expect(endedTasks.mock.calls.map(([actor, pick]) => [actor, pick])).toEqual([
      [ANN, expect.objectContaining({ userId: 'ann', parentId: null })],
      [ADMIN, expect.objectContaining({ userId: 'bob', parentId: null })],
    ]);
  });
});

describe("starting an experiment's batch: items with their steps", () => {
  const agent = { name: 'support', version: 2 };
  const OTHER = '0b0e6c36-1f2a-4c1e-9f4e-2d5b6c7d8e9f';

  it('creates one item per task and step, however many, each checked as an ended task of the caller', async () => {
    const { useCase, endedTasks, create } = setUp();
    const items = [{ taskId: TASK, step: 2 }, { taskId: TASK }];
    await useCase.executeItems(
      { changes: { agent, liveTools: ['time.now'] }, concurrency: 4 },
      items,
      ANN,
      'c1',
    );
    expect(endedTasks.mock.calls[0]?.slice(1)).toEqual([{ ids: [TASK] }, 1]);
    expect(create.mock.calls[0]?.[1]).toEqual(items);
    expect(create.mock.calls[0]?.[0]).toMatchObject({ mode: 'fork' });
  });

  it('refuses an item that is not an ended task of the caller, and live tools on a replay, naming the field', async () => {
    const { useCase, create } = setUp();
    const missing = await useCase
      .executeItems(
        { changes: { agent }, concurrency: 4 },
        [{ taskId: TASK }, { taskId: OTHER }],
        ANN,
        'c',
      )
      .catch((e: unknown) => e);
    expect((missing as DomainError).message).toContain('items.1.taskId');
    const replay = await useCase
      .executeItems(
        { changes: { liveTools: ['time.now'] }, concurrency: 4 },
        [{ taskId: TASK }],
        ANN,
        'c',
      )
      .catch((e: unknown) => e);
    expect((replay as DomainError).message).toContain('changes.liveTools');
    expect(create).not.toHaveBeenCalled();
  });
});
