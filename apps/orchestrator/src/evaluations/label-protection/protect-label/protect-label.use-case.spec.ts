import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, isDomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { AgentLookup } from '../../../agent-versions/agent-lookup.js';
import type { PrismaService } from '../../../prisma/prisma.service.js';
import type { DatasetRepository } from '../../datasets/dataset.repository.js';
import { ProtectLabelUseCase } from './protect-label.use-case.js';

const alan: Actor = { userId: 'alan', role: 'admin', tenantId: 'acme' };

function setup(dataset: boolean) {
  const written: unknown[] = [];
  const audit = { record: jest.fn(async (_record: unknown) => undefined) };
  const sut = new ProtectLabelUseCase(
    { find: async () => ({ id: 'agent-1' }) } as unknown as AgentLookup,
    {
      get: async () => (dataset ? { id: 'ds-1', view: {} } : undefined),
    } as unknown as DatasetRepository,
    {
      labelProtection: {
        upsert: async (args: { create: { setAt: Date; threshold: number | null } }) => {
          written.push(args);
          return { ...args.create, setBy: 'alan' };
        },
      },
    } as unknown as PrismaService,
    audit as unknown as AuditTrail,
  );
  return { sut, written, audit };
}

describe(ProtectLabelUseCase.name, () => {
  it("protects a label with a dataset (and a threshold), audited as the admin's", async () => {
    const { sut, written, audit } = setup(true);
    const view = await sut.execute(
      { agent: 'support', label: 'production', dataset: 'prod', threshold: 0.8 },
      alan,
    );
    expect(view).toMatchObject({
      agent: 'support',
      label: 'production',
      dataset: 'prod',
      threshold: 0.8,
    });
    expect(written[0]).toMatchObject({
      where: { agentId_label: { agentId: 'agent-1', label: 'production' } },
      create: { datasetId: 'ds-1', tenantId: 'acme', threshold: 0.8 },
    });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'agent.label.protect', tenantId: 'acme' }),
    );
  });

  it("is an admin's only, and needs a dataset of the tenant", async () => {
    const { sut, written } = setup(false);
    const asUser = await sut
      .execute(
        { agent: 'support', label: 'production', dataset: 'prod' },
        { ...alan, role: 'user' },
      )
      .catch((e: unknown) => e);
    expect(isDomainError(asUser) && asUser.code).toBe('FORBIDDEN');
    const missing = await sut
      .execute({ agent: 'support', label: 'production', dataset: 'prod' }, alan)
      .catch((e: unknown) => e);
    expect(isDomainError(missing) && [missing.code, missing.message]).toEqual([
      'NOT_FOUND',
      'dataset prod not found',
    ]);
    expect(written).toEqual([]);
  });
});
