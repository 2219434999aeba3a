import { describe, expect, it } from '@jest/globals';
import { quotaExceededError, quotaUnavailableError } from './quota.errors.js';
import { PLATFORM_QUOTA, TenantQuota, TenantQuotaView } from './quota.schemas.js';

describe('tenant quotas', () => {
  it('accepts any subset of limits, per tenant and per user; absent is unlimited', () => {
    expect(TenantQuota.parse({})).toEqual({});
    const q = { concurrentTasks: 10, costPerDayUsd: 0, perUser: { tasksPerMinute: 5 } };
    expect(TenantQuota.parse(q)).toEqual(q);
  });

  it('names the field of a wrong or unknown limit', () => {
    const cases: [unknown, string][] = [
      [{ concurrentTasks: 0 }, 'concurrentTasks'],
      [{ tasksPerMinute: 1.5 }, 'tasksPerMinute'],
      [{ costPerDayUsd: -1 }, 'costPerDayUsd'],
      [{ perUser: { toolCallsPerDay: 'many' } }, 'perUser.toolCallsPerDay'],
      [{ tasksPerHour: 3 }, 'tasksPerHour'],
      [{ perUser: { perUser: {} } }, 'perUser'],
    ];
    for (const [input, field] of cases) {
      const r = TenantQuota.safeParse(input);
      expect(r.success).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toContain(field.split('.').pop());
    }
  });

  it('names the platform default with a tenant that no TenantId can be', () => {
    expect(
      TenantQuotaView.parse({ tenantId: PLATFORM_QUOTA, quota: null, source: 'none' }),
    ).toBeTruthy();
  });

  it('refuses rates with RATE_LIMITED (Retry-After) and budgets with BUDGET_EXCEEDED, naming the quota', () => {
    const base = { tenantId: 'acme', limit: 10, used: 10, retryAfterSeconds: 7 } as const;
    const rate = quotaExceededError({ ...base, quota: 'tasksPerMinute', scope: 'tenant' });
    expect(rate).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { quota: 'tasksPerMinute', scope: 'tenant', tenantId: 'acme', retryAfterSeconds: 7 },
    });
    expect(rate.message).toBe(
      'quota tasksPerMinute of tenant acme reached: 10 used of 10 tasks per minute; retry in 7 s',
    );
    const budget = quotaExceededError({
      ...base,
      quota: 'tokensPerDay',
      scope: 'user',
      userId: 'ada',
    });
    expect(budget).toMatchObject({ code: 'BUDGET_EXCEEDED', retryable: false });
    expect(budget.message).toContain('user ada in tenant acme');
    expect(quotaUnavailableError('acme')).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });
});
