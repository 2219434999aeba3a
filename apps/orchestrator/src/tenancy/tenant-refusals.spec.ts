import { jest } from '@jest/globals';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { OTHER_TENANT, TenantRefusals } from './tenant-refusals.js';

function setup() {
  const audits: Record<string, unknown>[] = [];
  const warn = jest.fn();
  const sut = new TenantRefusals(
    { record: async (r: Record<string, unknown>) => void audits.push(r) } as unknown as AuditTrail,
    { warn } as unknown as Logger,
  );
  return { sut, audits, warn };
}

const admin = { userId: 'root', role: 'admin', tenantId: 'acme' };
const refusal = {
  category: 'auth' as const,
  action: 'task.get.denied',
  resource: 'task-1',
  taskId: 'task-1',
};

describe(TenantRefusals.name, () => {
  it("audits a read of another tenant's thing as denied, in the actor's tenant", async () => {
    const { sut, audits } = setup();
    await sut.ifElsewhere(admin, async () => 'globex', refusal);
    expect(audits).toEqual([
      {
        category: 'auth',
        action: 'task.get.denied',
        outcome: 'denied',
        resource: 'task-1',
        taskId: 'task-1',
        actor: { userId: 'root', role: 'admin' },
        tenantId: 'acme',
        details: { reason: OTHER_TENANT },
      },
    ]);
    // The other tenant is not named anywhere in the record.
    expect(JSON.stringify(audits)).not.toContain('globex');
  });

  it('records nothing for a thing that does not exist, or one the actor may see', async () => {
    const { sut, audits } = setup();
    await sut.ifElsewhere(admin, async () => undefined, refusal);
    await sut.ifElsewhere(admin, async () => 'acme', refusal);
    await sut.ifElsewhere(
      { userId: 'ops', role: 'platform-admin', tenantId: 'acme' },
      async () => 'globex',
      refusal,
    );
    await sut.ifElsewhere({ userId: 'root', role: 'admin' }, async () => 'default', refusal);
    expect(audits).toEqual([]);
  });

  it('logs a check that failed instead of throwing (the answer was given already)', async () => {
    const { sut, audits, warn } = setup();
    await expect(
      sut.ifElsewhere(admin, () => Promise.reject(new Error('db down')), refusal),
    ).resolves.toBeUndefined();
    expect(audits).toEqual([]);
    expect(warn).toHaveBeenCalled();
  });
});
