import { describe, expect, it } from '@jest/globals';
import { type A2a, type Actor, DomainError } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import type { DailyUse, QuotaVerdict } from '@switchboard/runtime';
import { TenantDirectory } from '@switchboard/config';
import { AgentAccess } from '../../agents/agent-access.js';
import { A2aEnv } from '../../config/a2a.env.js';
import { DelegationQuota } from '../../quotas/delegation.quota.js';
import type { DelegationApprovalChecker } from '../delegation-approval.checker.js';
import type { DelegationLedger } from '../delegation-ledger.js';
import type { RunningDelegations } from '../running-delegations.js';
import { DelegateUseCase } from './delegate.use-case.js';
import type { DelegationDriver } from './delegation.driver.js';

const logger = createLogger({ service: 'a2a', instance: 'test', level: 'silent', pretty: false });
const user: Actor = { userId: 'u1', role: 'user' };

const request = (extra: Partial<A2a.DelegateRequest> = {}): A2a.DelegateRequest => ({
  delegationId: '11111111-2222-4333-8444-555555555555',
  taskId: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718',
  stepId: 's1',
  agent: 'researcher',
  message: 'NATS JetStream',
  ...extra,
});

const result = (remoteTaskId: string): A2a.DelegationResult =>
  ({
    state: 'TASK_STATE_COMPLETED',
    remoteTaskId,
    transport: 'http',
    attempts: 1,
  }) as A2a.DelegationResult;

/** A delegationsPerDay of `limit` (undefined: no quota), counting what it was asked. */
function fakeQuotas(limit?: number) {
  const taken: { tenantId: string; userId: string }[] = [];
  const quotas = {
    consumeDaily: async (use: DailyUse): Promise<QuotaVerdict> => {
      if (limit === undefined) return { ok: true, metered: false };
      if (taken.length >= limit)
        return {
          ok: false,
          refusal: {
            quota: 'delegationsPerDay',
            scope: 'tenant',
            tenantId: use.tenantId,
            limit,
            used: taken.length,
            retryAfterSeconds: 600,
          },
        };
      taken.push({ tenantId: use.tenantId, userId: use.userId });
      return { ok: true, metered: true };
    },
  };
  return { quotas, taken };
}

/** The use case over a ledger whose answers the test sets, and a driver that records what it ran. */
function setup(
  ledger: Partial<DelegationLedger>,
  refusal?: DomainError,
  opts: { limit?: number; policy?: string } = {},
) {
  const driven: A2a.DelegateRequest[] = [];
  const driver = {
    delegate: async (r: A2a.DelegateRequest) => {
      driven.push(r);
      return result(r.remoteTaskId ?? 'fresh');
    },
  } as unknown as DelegationDriver;
  const fullLedger = {
    find: () => undefined,
    recorded: async () => ({ kind: 'none' }),
    start: (_r: A2a.DelegateRequest, _a: Actor, run: () => Promise<A2a.DelegationResult>) => run(),
    ...ledger,
  } as unknown as DelegationLedger;
  const running = { remoteTaskOf: () => undefined } as unknown as RunningDelegations;
  const approvals = {
    assertApproved: async () => {
      if (refusal) throw refusal;
      return undefined;
    },
  } as unknown as DelegationApprovalChecker;
  const config = A2aEnv.parse(opts.policy ? { A2A_AGENT_POLICY: opts.policy } : {});
  const { quotas, taken } = fakeQuotas(opts.limit);
  const audits: Record<string, unknown>[] = [];
  const quota = new DelegationQuota(
    quotas,
    {
      names: () => ['researcher'],
      refusal: (actor, agent) =>
        new AgentAccess(config, new TenantDirectory()).refusal(actor, agent),
    },
    { record: (_r, outcome, details) => void audits.push({ outcome, ...details }) },
  );
  const sut = new DelegateUseCase(config, driver, running, fullLedger, approvals, quota, logger);
  return { sut, driven, taken, audits };
}

describe(DelegateUseCase.name, () => {
  it('refuses a delegation without an acting user', async () => {
    const { sut } = setup({});
    await expect(sut.execute(request(), undefined)).rejects.toThrow(/acting user/);
  });

  it('sends nothing, and records nothing in the ledger, when the approval check refuses', async () => {
    let started = 0;
    const refused = new DomainError('FORBIDDEN', 'agent billing needs an approval');
    const { sut, driven } = setup(
      {
        start: () => {
          started++;
          return Promise.reject(new Error('must not start'));
        },
      },
      refused,
    );
    await expect(sut.execute(request(), user)).rejects.toBe(refused);
    expect(driven).toEqual([]);
    expect(started).toBe(0);
  });

  it('runs a new delegation through the driver', async () => {
    const { sut, driven } = setup({});
    await expect(sut.execute(request(), user)).resolves.toMatchObject({ remoteTaskId: 'fresh' });
    expect(driven).toHaveLength(1);
  });

  it('attaches a repeat to the delegation it repeats in this replica, running nothing new', async () => {
    const earlier = Promise.resolve(result('earlier'));
    const { sut, driven } = setup({ find: () => earlier });
    await expect(sut.execute(request({ repeat: true }), user)).resolves.toMatchObject({
      remoteTaskId: 'earlier',
    });
    expect(driven).toHaveLength(0);
  });

  it('answers a keyed repeat with the outcome another replica recorded', async () => {
    const { sut, driven } = setup({
      recorded: async () => ({ kind: 'outcome', outcome: Promise.resolve(result('recorded')) }),
    });
    const repeat = request({ repeat: true, idempotencyKey: 'k1' });
    await expect(sut.execute(repeat, user)).resolves.toMatchObject({ remoteTaskId: 'recorded' });
    expect(driven).toHaveLength(0);
  });

  it('takes over a keyed repeat whose replica was lost: follows the agent’s task it recorded', async () => {
    const { sut, driven } = setup({
      recorded: async () => ({ kind: 'take-over', remoteTaskId: 'remote-7' }),
    });
    const repeat = request({ repeat: true, idempotencyKey: 'k1' });
    await expect(sut.execute(repeat, user)).resolves.toMatchObject({ remoteTaskId: 'remote-7' });
    expect(driven.map((r) => r.remoteTaskId)).toEqual(['remote-7']);
  });

  it('takes one of the tenant’s delegationsPerDay for a new delegation only: never for a repeat, a take-over or a follow', async () => {
    const acme: Actor = { ...user, tenantId: 'acme' };
    const fresh = setup({}, undefined, { limit: 10 });
    await fresh.sut.execute(request(), acme);
    expect(fresh.taken).toEqual([{ tenantId: 'acme', userId: 'u1' }]);

    const repeats = [
      setup({ find: () => Promise.resolve(result('earlier')) }, undefined, { limit: 10 }),
      setup(
        {
          recorded: async () => ({ kind: 'outcome', outcome: Promise.resolve(result('r')) }),
        },
        undefined,
        { limit: 10 },
      ),
      setup(
        { recorded: async () => ({ kind: 'take-over', remoteTaskId: 'remote-7' }) },
        undefined,
        { limit: 10 },
      ),
    ];
    for (const r of repeats)
      await r.sut.execute(request({ repeat: true, idempotencyKey: 'k1' }), acme);
    const follow = setup({}, undefined, { limit: 10 });
    await follow.sut.execute(request({ remoteTaskId: 'remote-8' }), acme);
    expect([...repeats, follow].flatMap((r) => r.taken)).toEqual([]);
  });

  it('refuses a delegation over delegationsPerDay as RATE_LIMITED naming the quota, audited denied, nothing sent or recorded', async () => {
    let started = 0;
    const { sut, driven, audits } = setup(
      {
        start: (_r: A2a.DelegateRequest, _a: Actor, run: () => Promise<A2a.DelegationResult>) => {
          started++;
          return run();
        },
      },
      undefined,
      { limit: 1 },
    );
    await sut.execute(request(), user);
    await expect(sut.execute(request(), user)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { quota: 'delegationsPerDay', limit: 1, used: 1 },
    });
    expect(driven).toHaveLength(1);
    expect(started).toBe(1);
    expect(audits).toEqual([
      expect.objectContaining({
        outcome: 'denied',
        reason: 'quota',
        code: 'RATE_LIMITED',
        quota: expect.objectContaining({ quota: 'delegationsPerDay' }),
      }),
    ]);
  });

  it('counts nothing for a delegation the driver refuses anyway (the caller’s policy, an unknown agent)', async () => {
    const denied = setup({}, undefined, { limit: 10, policy: 'user=archivist' });
    await denied.sut.execute(request(), user);
    const unknown = setup({}, undefined, { limit: 10 });
    await unknown.sut.execute(request({ agent: 'nobody' }), user);
    expect([...denied.taken, ...unknown.taken]).toEqual([]);
  });
});
