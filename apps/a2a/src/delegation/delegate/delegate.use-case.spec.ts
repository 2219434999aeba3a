import { describe, expect, it } from '@jest/globals';
import { type A2a, type Actor, DomainError } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { A2aEnv } from '../../config/a2a.env.js';
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

/** The use case over a ledger whose answers the test sets, and a driver that records what it ran. */
function setup(ledger: Partial<DelegationLedger>, refusal?: DomainError) {
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
  const sut = new DelegateUseCase(A2aEnv.parse({}), driver, running, fullLedger, approvals, logger);
  return { sut, driven };
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
});
