import { describe, expect, it } from '@jest/globals';
import { type Actor, Tenancy } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import type { QuotaVerdict } from '@switchboard/runtime';
import type { GatewayMetrics } from './gateway.metrics.js';
import type { GatewayQuotas } from './gateway-quotas.js';
import type { QuotaMetrics } from './quota.metrics.js';
import { TaskAdmission } from './task-admission.js';

const logger = createLogger({ service: 'gateway', instance: 't', level: 'silent', pretty: false });
const ada: Actor = { userId: 'ada', role: 'user', tenantId: 'acme' };

function setup(answer: () => Promise<QuotaVerdict>) {
  const asked: unknown[] = [];
  const released: unknown[] = [];
  const quotas = {
    admitTask: (t: unknown) => (asked.push(t), answer()),
    releaseTask: async (t: unknown) => void released.push(t),
  } as unknown as GatewayQuotas;
  const counted: string[] = [];
  const count = (what: string) => ({
    inc: (labels: Record<string, string>) => counted.push(`${what} ${JSON.stringify(labels)}`),
  });
  const metrics = {
    tenantLabel: (t: string) => (t === 'acme' ? t : 'other'),
    admitted: count('admitted'),
    refused: count('refused'),
  } as unknown as QuotaMetrics;
  const gatewayMetrics = { limited: count('limited') } as unknown as GatewayMetrics;
  const sut = new TaskAdmission(
    quotas,
    metrics,
    gatewayMetrics,
    { QUOTA_TASK_LEASE_MS: 600_000 },
    logger,
  );
  return { sut, asked, released, counted };
}

describe(TaskAdmission.name, () => {
  it("asks for the task's slot in the actor's tenant with the configured lease, and counts it", async () => {
    const { sut, asked, counted } = setup(async () => ({ ok: true, metered: true }));
    await sut.admit(ada, 'task-1');
    expect(asked).toEqual([
      { tenantId: 'acme', userId: 'ada', taskId: 'task-1', leaseMs: 600_000 },
    ]);
    expect(counted).toEqual(['admitted {"tenant":"acme"}']);
  });

  it('puts an actor without a tenant in the default tenant', async () => {
    const { sut, asked } = setup(async () => ({ ok: true, metered: false }));
    await sut.admit({ userId: 'bob', role: 'user' }, 'task-2');
    expect(asked).toEqual([expect.objectContaining({ tenantId: 'default', userId: 'bob' })]);
  });

  it('refuses over a quota with RATE_LIMITED naming it (429 + Retry-After at the HTTP edge)', async () => {
    const refusal: Tenancy.QuotaExceeded = {
      quota: 'tasksPerMinute',
      scope: 'user',
      tenantId: 'acme',
      userId: 'ada',
      limit: 3,
      used: 3,
      retryAfterSeconds: 42,
    };
    const { sut, counted } = setup(async () => ({ ok: false, refusal }));
    await expect(sut.admit(ada, 'task-3')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: refusal,
      retryable: true,
    });
    expect(counted).toEqual([
      'refused {"tenant":"acme","quota":"tasksPerMinute","scope":"user"}',
      'limited {"limit":"quota"}',
    ]);
  });

  it('passes on the 503 of unreachable counters for a tenant under a quota, counted as "unavailable"', async () => {
    const down = Tenancy.quotaUnavailableError('globex');
    const { sut, counted } = setup(() => Promise.reject(down));
    await expect(sut.admit({ ...ada, tenantId: 'globex' }, 'task-4')).rejects.toBe(down);
    expect(counted).toEqual(['refused {"tenant":"other","quota":"unavailable","scope":"tenant"}']);
  });

  it('releases the slot of the actor in its tenant', async () => {
    const { sut, released } = setup(async () => ({ ok: true, metered: true }));
    await sut.release(ada, 'task-5');
    expect(released).toEqual([{ tenantId: 'acme', userId: 'ada', taskId: 'task-5' }]);
  });
});
