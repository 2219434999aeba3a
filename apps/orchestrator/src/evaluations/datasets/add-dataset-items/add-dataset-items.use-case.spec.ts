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
      refusal: async (taskId: string) =>
        taskId === OK
          ? undefined
          : `task ${taskId} has not ended (running): its record is not complete`,
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
});
