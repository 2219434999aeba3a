import { describe, expect, it } from '@jest/globals';
import { type Actor, PLATFORM_ADMIN_ROLE } from '@switchboard/contracts';
import { type TenantQuotasService } from '@switchboard/runtime';
import { GetUsageUseCase } from './get-usage.use-case.js';

function setup(fails = false) {
  const asked: unknown[] = [];
  const quotas = {
    usage: async (tenantId: string, opts: unknown) => {
      if (fails) throw new Error('Connection is closed.');
      asked.push([tenantId, opts]);
      return { tenantId };
    },
  } as unknown as TenantQuotasService;
  return { sut: new GetUsageUseCase(quotas), asked };
}

const user: Actor = { userId: 'ada', role: 'user', tenantId: 'acme' };
const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'op', role: PLATFORM_ADMIN_ROLE, tenantId: 'default' };

describe(GetUsageUseCase.name, () => {
  it("shows a user their tenant's totals and their own counters only", async () => {
    const { sut, asked } = setup();
    await sut.execute(user);
    expect(asked).toEqual([['acme', { users: ['ada'] }]]);
  });

  it("shows a tenant's admin every user of the tenant", async () => {
    const { sut, asked } = setup();
    await sut.execute(admin, 'acme');
    expect(asked).toEqual([['acme', { users: 'all' }]]);
  });

  it('answers 404 for another tenant, except to the platform operator', async () => {
    const { sut, asked } = setup();
    await expect(sut.execute(admin, 'globex')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sut.execute(user, 'globex')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await sut.execute(operator, 'globex');
    expect(asked).toEqual([['globex', { users: 'all' }]]);
  });

  it('answers 503 naming the tenant when Redis cannot be read', async () => {
    const { sut } = setup(true);
    await expect(sut.execute(user)).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { tenantId: 'acme' },
    });
  });
});
