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
  return { useCase, endedTasks };
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
