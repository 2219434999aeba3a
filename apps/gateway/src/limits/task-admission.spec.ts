import { describe, expect, it } from '@jest/globals';
import { type Actor, DomainError, Tenancy } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { type OptionalRedis, TenantQuotasService } from '@switchboard/runtime';
import type { GatewayMetrics } from './gateway.metrics.js';
import type { QuotaMetrics } from './quota.metrics.js';
import { DeferredRateCharge, type RequestRateLimiter } from './rate-limiter.js';
import type { StreamSlot, StreamSlots } from './stream-slots.js';
import { TaskAdmission } from './task-admission.js';

const logger = createLogger({ service: 'gateway', instance: 't', level: 'silent', pretty: false });
const ada: Actor = { userId: 'ada', role: 'user', tenantId: 'acme' };

/**
 * The admission with the real quota adapter over a fake Redis whose admission script answers
 * `reply` (status `status`), a limiter and stream slots that record what they are asked.
 */
function setup(reply: unknown[] | Error, status = 'ready') {
  const sent: (string | number)[][] = [];
  const pipelined: unknown[][] = [];
  const redis = {
    status,
    on: () => undefined,
    defineCommand: () => undefined,
    smembers: async () => [],
    exists: async () => 0,
    sbTaskAdmit: async (...args: (string | number)[]) => {
      sent.push(args);
      if (reply instanceof Error) throw reply;
      return reply;
    },
    pipeline: () => {
      const p = { zrem: (...a: unknown[]) => (pipelined.push(a), p), exec: async () => [] };
      return p;
    },
  } as unknown as OptionalRedis;
  const quotas = new TenantQuotasService(redis, { concurrencyRetryAfterSeconds: 7 }, logger);
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
  const limiter = {
    windowOf: (a: Actor) => ({ points: 600, durationSeconds: 60, key: `rl:req:${a.userId}` }),
    refusal: (retryAfter: number) => new DomainError('RATE_LIMITED', `rate ${retryAfter}`),
    admit: async () => undefined,
  } as unknown as RequestRateLimiter;
  const adopted: unknown[] = [];
  const slots = {
    cap: { max: 20, leaseMs: 60_000 },
    adopt: (a: Actor, kind: string, id: string) => {
      adopted.push([a.userId, kind, id]);
      return { release: () => undefined, taskEnded: () => undefined } as StreamSlot;
    },
    refusal: () => new DomainError('RATE_LIMITED', 'streams'),
  } as unknown as StreamSlots;
  const sut = new TaskAdmission(
    quotas,
    redis,
    limiter,
    slots,
    metrics,
    gatewayMetrics,
    { QUOTA_TASK_LEASE_MS: 600_000, TASK_OWNER_TTL_MS: 7 * 86_400_000 },
    logger,
  );
  return { sut, sent, pipelined, counted, adopted, quotas, limiter };
}

describe(TaskAdmission.name, () => {
  it("admits in one command: the actor's tenant's quota keys, the owner record, nothing else asked for", async () => {
    const { sut, sent, counted, adopted } = setup(['ok', [1, 1]]);
    expect(await sut.admit(ada, 'task-1')).toBeUndefined();
    expect(sent).toHaveLength(1);
    const [args] = sent;
    expect(args!.slice(0, 10)).toEqual([
      'quota:quota:acme',
      'quota:platform-quota',
      'quota:running:acme',
      'quota:running:acme:u:ada',
      'quota:started:acme',
      'quota:started:acme:u:ada',
      expect.stringMatching(/^quota:users:\d{8}:acme$/),
      'rl:req:ada',
      'streams:ada',
      'owner:task-1',
    ]);
    // The quota's arguments, no rate charge (0), no stream slot (cap 0), the owner.
    expect(args!.slice(10, 15)).toEqual(['task-1', 600_000, 'ada', 7, 172_800]);
    expect(args!.slice(15, 17)).toEqual([0, 0]);
    expect(args![19]).toBe(0);
    expect(args!.slice(20)).toEqual(['acme/ada', expect.any(Number)]);
    expect(counted).toEqual(['admitted {"tenant":"acme"}']);
    expect(adopted).toEqual([]);
  });

  it('charges the rate left to it and takes the stream slot asked for, named by the task', async () => {
    const { sut, sent, adopted, limiter } = setup(['ok', [1, 0]]);
    const rate = new DeferredRateCharge(limiter, ada);
    const slot = await sut.admit({ userId: 'bob', role: 'user' }, 'task-2', { rate, slot: 'sse' });
    expect(slot).toBeDefined();
    expect(sent[0]![0]).toBe('quota:quota:default');
    expect(sent[0]!.slice(15, 17)).toEqual([600, 60]);
    expect(sent[0]!.slice(18, 20)).toEqual([60_000, 20]);
    expect(adopted).toEqual([['bob', 'sse', 'task-2']]);
    // Taken once: the request's end charges nothing more.
    expect(rate.take()).toBe(false);
  });

  it('refuses over a quota with RATE_LIMITED naming it (429 + Retry-After at the HTTP edge)', async () => {
    const { sut, counted, adopted } = setup(['quota', [0, 1, 'tasksPerMinute', 'user', 3, 3, 42]]);
    await expect(sut.admit(ada, 'task-3', { slot: 'sse' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: {
        quota: 'tasksPerMinute',
        scope: 'user',
        tenantId: 'acme',
        userId: 'ada',
        limit: 3,
        used: 3,
        retryAfterSeconds: 42,
      },
      retryable: true,
    });
    expect(counted).toEqual([
      'refused {"tenant":"acme","quota":"tasksPerMinute","scope":"user"}',
      'limited {"limit":"quota"}',
    ]);
    expect(adopted).toEqual([]);
  });

  it("answers the rate limiter's and the stream cap's own refusals", async () => {
    await expect(setup(['rate', 601, 1_500]).sut.admit(ada, 't')).rejects.toThrow('rate 2');
    await expect(setup(['streams']).sut.admit(ada, 't', { slot: 'sse' })).rejects.toThrow(
      'streams',
    );
  });

  it('while Redis is unreachable: a tenant under a quota gets the 503, counted; any other is let through', async () => {
    const down = setup(new Error('Connection is closed.'), 'reconnecting');
    const slot = await down.sut.admit(ada, 'task-4', { slot: 'sse' });
    expect(slot).toBeDefined(); // as the stream cap alone did: let through
    expect(down.sent).toEqual([]);
    await down.quotas.setQuota('globex', { concurrentTasks: 1 }).catch(() => undefined);
    const under = setup(new Error('Connection is closed.'));
    // The tenant is known to be under a quota from an earlier reply.
    await under.sut.admit({ ...ada, tenantId: 'globex' }, 'first').catch(() => undefined);
    under.quotas.admissionVerdict({ tenantId: 'globex', userId: 'ada' }, [1, 1]);
    await expect(under.sut.admit({ ...ada, tenantId: 'globex' }, 'task-5')).rejects.toMatchObject({
      code: Tenancy.quotaUnavailableError('globex').code,
    });
    expect(under.counted).toContain(
      'refused {"tenant":"other","quota":"unavailable","scope":"tenant"}',
    );
  });

  it("releases the task's running slots and its stream slot in one pipeline", async () => {
    const { sut, pipelined } = setup(['ok', [1, 1]]);
    await sut.release(ada, 'task-6');
    expect(pipelined).toEqual([
      ['quota:running:acme', 'task-6'],
      ['quota:running:acme:u:ada', 'task-6'],
      ['streams:ada', 'task-6'],
    ]);
  });
});
