import { describe, expect, it } from '@jest/globals';
import { type Actor, PLATFORM_ADMIN_ROLE, Tenancy } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { type TenantQuotasService } from '@switchboard/runtime';
import type { QuotaMetrics } from '../../limits/quota.metrics.js';
import { GetTenantQuotaUseCase } from './get-tenant-quota.use-case.js';
import { SetTenantQuotaUseCase } from './set-tenant-quota.use-case.js';

const user: Actor = { userId: 'ada', role: 'user', tenantId: 'acme' };
const admin: Actor = { userId: 'ann', role: 'admin', tenantId: 'acme' };
const operator: Actor = { userId: 'op', role: PLATFORM_ADMIN_ROLE, tenantId: 'default' };

/** The quota store in memory, and what was audited. */
function setup() {
  const stored = new Map<string, Tenancy.TenantQuota>();
  const quotas = {
    ownQuota: async (t: string) => stored.get(t) ?? null,
    setQuota: async (t: string, q: Tenancy.TenantQuota | null) =>
      void (q ? stored.set(t, q) : stored.delete(t)),
    effectiveQuota: async (t: string) => {
      const own = stored.get(t);
      const platform = stored.get(Tenancy.PLATFORM_QUOTA);
      if (own) return { tenantId: t, quota: own, source: 'tenant' };
      if (platform) return { tenantId: t, quota: platform, source: 'platform' };
      return { tenantId: t, quota: null, source: 'none' };
    },
  } as unknown as TenantQuotasService;
  const audits: Record<string, unknown>[] = [];
  const audit = { record: async (r: Record<string, unknown>) => void audits.push(r) };
  let refreshed = 0;
  const metrics = { refreshNames: async () => void refreshed++ } as unknown as QuotaMetrics;
  return {
    get: new GetTenantQuotaUseCase(quotas, audit as unknown as AuditTrail),
    set: new SetTenantQuotaUseCase(quotas, metrics, audit as unknown as AuditTrail),
    stored,
    audits,
    refreshed: () => refreshed,
  };
}

describe(SetTenantQuotaUseCase.name, () => {
  it("sets a quota for the platform operator, audited with before and after on the tenant's trail", async () => {
    const { set, stored, audits, refreshed } = setup();
    const view = await set.execute(operator, 'acme', { body: { concurrentTasks: 10 } });
    expect(view).toEqual({ tenantId: 'acme', quota: { concurrentTasks: 10 }, source: 'tenant' });
    expect(stored.get('acme')).toEqual({ concurrentTasks: 10 });
    expect(audits).toEqual([
      {
        category: 'admin',
        action: 'quota.set',
        outcome: 'success',
        resource: 'tenants/acme/quotas',
        tenantId: 'acme',
        details: { tenant: 'acme', before: null, after: { concurrentTasks: 10 } },
      },
    ]);
    expect(refreshed()).toBe(1);
  });

  it('removes a quota, the tenant falling back to the platform default', async () => {
    const { set, stored, audits } = setup();
    stored.set(Tenancy.PLATFORM_QUOTA, { tasksPerMinute: 60 });
    stored.set('acme', { concurrentTasks: 10 });
    const view = await set.execute(operator, 'acme', { remove: true });
    expect(view).toMatchObject({ source: 'platform', quota: { tasksPerMinute: 60 } });
    expect(audits[0]).toMatchObject({ action: 'quota.remove', details: { after: null } });
  });

  it('refuses anyone but the platform operator with 403 before judging the body, audited as denied', async () => {
    const { set, stored, audits } = setup();
    for (const actor of [admin, user])
      await expect(
        set.execute(actor, 'acme', { body: { concurrentTasks: 'lots' } }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(stored.size).toBe(0);
    expect(audits.map((a) => a.action)).toEqual(['authorization.denied', 'authorization.denied']);
  });

  it('names the field of a bad body (unknown limits too), and refuses a body that is not an object', async () => {
    const { set } = setup();
    await expect(
      set.execute(operator, 'acme', { body: { concurrentTasks: 0 } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('concurrentTasks'),
    });
    await expect(
      set.execute(operator, 'acme', { body: { perUser: { tasksPerHour: 3 } } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('tasksPerHour'),
    });
    await expect(set.execute(operator, 'acme', { body: [1] })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('JSON object'),
    });
  });
});

describe(GetTenantQuotaUseCase.name, () => {
  it("shows a tenant's admin their own tenant's quota, and nothing of another tenant (404)", async () => {
    const { get, stored } = setup();
    stored.set('acme', { concurrentTasks: 3 });
    await expect(get.execute(admin, 'acme')).resolves.toMatchObject({ source: 'tenant' });
    await expect(get.execute(admin, 'globex')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(get.execute(admin, Tenancy.PLATFORM_QUOTA)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('shows the platform operator any tenant and the platform default; refuses users (403)', async () => {
    const { get, audits } = setup();
    await expect(get.execute(operator, 'globex')).resolves.toEqual({
      tenantId: 'globex',
      quota: null,
      source: 'none',
    });
    await expect(get.execute(operator, Tenancy.PLATFORM_QUOTA)).resolves.toMatchObject({
      source: 'none',
    });
    await expect(get.execute(user, 'acme')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(audits).toHaveLength(1);
  });
});
