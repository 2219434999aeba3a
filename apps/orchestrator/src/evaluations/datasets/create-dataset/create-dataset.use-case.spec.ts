import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { DatasetRepository } from '../dataset.repository.js';
import { CreateDatasetUseCase } from './create-dataset.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

describe(CreateDatasetUseCase.name, () => {
  it("creates a dataset in the caller's tenant, audited; a name taken there is CONFLICT naming it", async () => {
    const taken = new Set<string>();
    const created: unknown[] = [];
    const audit = { record: jest.fn(async (_record: unknown) => undefined) };
    const sut = new CreateDatasetUseCase(
      {
        create: async (_id: string, tenantId: string, body: { name: string }, by: string) => {
          if (taken.has(`${tenantId}/${body.name}`)) return undefined;
          taken.add(`${tenantId}/${body.name}`);
          created.push({ tenantId, by });
          return { name: body.name, version: 0, items: [] };
        },
      } as unknown as DatasetRepository,
      audit as unknown as AuditTrail,
    );
    await expect(sut.execute({ name: 'prod' }, ann)).resolves.toMatchObject({ name: 'prod' });
    expect(created).toEqual([{ tenantId: 'acme', by: 'ann' }]);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'dataset.create', resource: 'prod' }),
    );
    const again = await sut.execute({ name: 'prod' }, ann).catch((e: unknown) => e);
    expect(isDomainError(again) && [again.code, again.message]).toEqual([
      'CONFLICT',
      'name: a dataset prod exists in this tenant',
    ]);
    await expect(
      sut.execute({ name: 'prod' }, { ...ann, tenantId: 'globex' }),
    ).resolves.toBeDefined();
  });
});
