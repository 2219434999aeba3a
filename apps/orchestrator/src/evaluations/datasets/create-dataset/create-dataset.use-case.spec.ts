import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { ruleCopiesDeps } from '../../../tenancy/tenant-rule.fakes.js';
import { RuledDatasetCopies } from '../dataset-rules/ruled-dataset.copies.js';
import type { DatasetRepository } from '../dataset.repository.js';
import { CreateDatasetUseCase } from './create-dataset.use-case.js';

const ann: Actor = { userId: 'ann', role: 'user', tenantId: 'acme' };

describe(CreateDatasetUseCase.name, () => {
  it("creates a dataset in the caller's tenant, audited; a name taken there is CONFLICT naming it", async () => {
    const taken = new Set<string>();
    const created: unknown[] = [];
    const audit = { record: jest.fn(async (_record: unknown) => undefined) };
    const deps = ruleCopiesDeps();
    const repository = {
      create: async (_id: string, tenantId: string, body: { name: string }, by: string) => {
        if (taken.has(`${tenantId}/${body.name}`)) return undefined;
        taken.add(`${tenantId}/${body.name}`);
        created.push({ tenantId, by });
        return { name: body.name, version: 0, items: [] };
      },
    } as unknown as DatasetRepository;
    const sut = new CreateDatasetUseCase(
      repository,
      audit as unknown as AuditTrail,
      new RuledDatasetCopies(repository, deps.bus, deps.config, deps.logger),
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
    // none of them had a rule: no replica's copy of the tenant's dataset rules is out of date
    expect(deps.announced).toEqual([]);
  });

  it("announces a dataset with a rule: every replica reads the tenant's dataset rules again", async () => {
    const deps = ruleCopiesDeps();
    const repository = {
      create: async (_id: string, _tenantId: string, body: { name: string }) => ({
        name: body.name,
        version: 0,
        items: [],
      }),
    } as unknown as DatasetRepository;
    const sut = new CreateDatasetUseCase(
      repository,
      { record: async () => undefined } as unknown as AuditTrail,
      new RuledDatasetCopies(repository, deps.bus, deps.config, deps.logger),
    );
    await sut.execute(
      { name: 'failures', rule: { filter: { outcome: ['failed'] }, rate: 1, maxItems: 10 } },
      ann,
    );
    expect(deps.announced).toEqual(['dataset-rules']);
  });
});
