import { describe, expect, it, jest } from '@jest/globals';
import type { Tenancy } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { type AdmissionQuotas, TaskAdmission } from './task-admission.js';

const refusal: Tenancy.QuotaExceeded = {
  quota: 'tasksPerMinute',
  scope: 'user',
  userId: 'ann',
  tenantId: 'acme',
  limit: 3,
  used: 3,
  retryAfterSeconds: 12,
};

function setup(verdict: Awaited<ReturnType<AdmissionQuotas['admitTask']>>) {
  const calls: { admit: unknown[]; release: unknown[] } = { admit: [], release: [] };
  const quotas = {
    admitTask: async (t: unknown) => {
      calls.admit.push(t);
      return verdict;
    },
    releaseTask: async (t: unknown) => {
      calls.release.push(t);
      throw new Error('Redis is down');
    },
  } as unknown as AdmissionQuotas;
  const logger = { info: jest.fn(), warn: jest.fn() } as unknown as Logger;
  const sut = new TaskAdmission(quotas, { QUOTA_TASK_LEASE_MS: 600_000 }, logger);
  return { sut, calls, logger };
}

describe(TaskAdmission.name, () => {
  it("admits a task in its submitter's tenant with the configured lease", async () => {
    const { sut, calls } = setup({ ok: true, metered: true });
    expect(await sut.admit({ taskId: 't1', actor: { userId: 'ann', tenantId: 'acme' } })).toBe(
      undefined,
    );
    expect(calls.admit).toEqual([
      { tenantId: 'acme', userId: 'ann', taskId: 't1', leaseMs: 600_000 },
    ]);
  });

  it('counts a task whose actor names no tenant in the default tenant, as the gateway does', async () => {
    const { sut, calls } = setup({ ok: true, metered: false });
    await sut.admit({ taskId: 't1', actor: { userId: 'ann' } });
    expect(calls.admit).toEqual([expect.objectContaining({ tenantId: 'default' })]);
  });

  it('answers the refusal naming the quota', async () => {
    const { sut } = setup({ ok: false, refusal });
    expect(await sut.admit({ taskId: 't1', actor: { userId: 'ann', tenantId: 'acme' } })).toEqual(
      refusal,
    );
  });

  it('gives a slot back without ever throwing', async () => {
    const { sut, calls, logger } = setup({ ok: true, metered: true });
    await expect(
      sut.release({ taskId: 't1', actor: { userId: 'ann', tenantId: 'acme' } }),
    ).resolves.toBeUndefined();
    expect(calls.release).toEqual([{ tenantId: 'acme', userId: 'ann', taskId: 't1' }]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
