import { describe, expect, it } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { DatasetRepository } from '../dataset.repository.js';
import type { RecordedTasks } from '../recorded-tasks.js';
import { AddDatasetItemsUseCase } from './add-dataset-items.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };
const [OK, RUNNING] = [randomUUID(), randomUUID()];

function setup() {
  const added: unknown[] = [];
  const sut = new AddDatasetItemsUseCase(
    {
      get: async (_t: string, name: string) =>
        name === 'prod' ? { id: 'ds-1', view: { name, version: 1, items: [] } } : undefined,
      addItems: async (...args: unknown[]) => {
        added.push(args);
        return 1;
      },
    } as unknown as DatasetRepository,
    {
      // the recorded task OK has two steps
      refusal: async (taskId: string, step?: number) =>
        taskId !== OK
          ? {
              field: 'taskId',
              message: `task ${taskId} has not ended (running): its record is not complete`,
            }
          : step !== undefined && step > 2
            ? { field: 'step', message: `task ${taskId} has 2 step(s), not a step ${step}` }
            : undefined,
    } as unknown as RecordedTasks,
  );
  return { sut, added };
}

describe(AddDatasetItemsUseCase.name, () => {
  it('adds ended tasks the caller may read, as the api', async () => {
    const { sut, added } = setup();
    await sut.execute({ dataset: 'prod', items: [{ taskId: OK }] }, ann);
    expect(added).toEqual([['ds-1', [{ taskId: OK }], 'api']]);
  });

  it('refuses the whole request naming the item that cannot be one, adding nothing', async () => {
    const { sut, added } = setup();
    const e = await sut
      .execute({ dataset: 'prod', items: [{ taskId: OK }, { taskId: RUNNING }] }, ann)
      .catch((x: unknown) => x);
    expect(isDomainError(e) && [e.code, e.message]).toEqual([
      'VALIDATION',
      `items.1.taskId: task ${RUNNING} has not ended (running): its record is not complete`,
    ]);
    expect(added).toEqual([]);
    const missing = await sut
      .execute({ dataset: 'other', items: [{ taskId: OK }] }, ann)
      .catch((x: unknown) => x);
    expect(isDomainError(missing) && missing.code).toBe('NOT_FOUND');
  });

  it('refuses an item starting at a step its task does not have, naming items.N.step', async () => {
    const { sut, added } = setup();
    const e = await sut
      .execute(
        {
          dataset: 'prod',
          items: [
            { taskId: OK, step: 2 },
            { taskId: OK, step: 3 },
          ],
        },
        ann,
      )
      .catch((x: unknown) => x);
    expect(isDomainError(e) && [e.code, e.message]).toEqual([
      'VALIDATION',
      `items.1.step: task ${OK} has 2 step(s), not a step 3`,
    ]);
    expect(added).toEqual([]);
    await sut.execute({ dataset: 'prod', items: [{ taskId: OK, step: 2 }] }, ann);
    expect(added).toEqual([['ds-1', [{ taskId: OK, step: 2 }], 'api']]);
  });
});
