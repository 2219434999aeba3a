import { jest } from '@jest/globals';
import { Approvals, DomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import { approvalArgsHash } from '@switchboard/runtime';
import { TenantRefusals } from '../../tenancy/tenant-refusals.js';
import { ALL_TENANTS, type TenantScope } from '../../tenancy/tenant-scope.js';
import type { ApprovalMetrics } from '../approval.metrics.js';
import type { ApprovalRepository, Decision, StoredApproval } from '../approval.repository.js';
import type { TaskResumer } from '../task-resumer.js';
import { DecideApprovalUseCase } from './decide-approval.use-case.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const ID = '22222222-2222-4222-8222-222222222222';

function pending(policy: Approvals.ApprovalPolicyInput = {}, tenantId = 'default'): StoredApproval {
  const input = { content: '391' };
  return {
    tenantId,
    view: {
      approvalId: ID,
      taskId: TASK,
      stepId: 's2',
      kind: 'tool',
      target: 'notes.add',
      input,
      argsHash: approvalArgsHash('notes.add', input),
      reason: 'save the result',
      policy: Approvals.ApprovalPolicy.parse(policy),
      status: 'pending',
      requestedBy: 'ann',
      requestedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: '2026-11-25T10:00:00.000Z',
      inputSchema: {
        type: 'object',
        properties: { content: { type: 'string' } },
        required: ['content'],
        additionalProperties: false,
      },
    },
    runInput: input,
    approvedHash: undefined,
  };
}

function setup(stored: StoredApproval | undefined, wins = true) {
  const decisions: Decision[] = [];
  const audits: Record<string, unknown>[] = [];
  const resumed: string[] = [];
  // Reads as the repository's where clause does: in the scope's tenant only.
  const repository = {
    get: async (_task: string, _id: string, scope: TenantScope) =>
      stored && (scope === ALL_TENANTS || scope === stored.tenantId) ? stored : undefined,
    tenantOfApproval: async () => stored?.tenantId,
    decide: async (_id: string, d: Decision) => {
      decisions.push(d);
      if (!wins || !stored) return undefined;
      return {
        ...stored,
        view: {
          ...stored.view,
          status: d.status,
          decidedBy: d.decidedBy,
          decidedAt: '2026-11-24T10:01:00.000Z',
          ...(d.editedInput ? { editedInput: d.editedInput } : {}),
        },
        approvedHash: d.approvedHash,
      };
    },
  } as unknown as ApprovalRepository;
  const counter = { inc: jest.fn() };
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
  } as unknown as AuditTrail;
  const useCase = new DecideApprovalUseCase(
    repository,
    { resumeIfDecided: async (t: string) => resumed.push(t) } as unknown as TaskResumer,
    audit,
    { decided: counter, secondsToDecision: { observe: jest.fn() } } as unknown as ApprovalMetrics,
    new TenantRefusals(audit, { warn: jest.fn() } as unknown as Logger),
  );
  return { useCase, decisions, audits, resumed };
}

const ann = { userId: 'ann', role: 'user' };
const approve = { taskId: TASK, approvalId: ID, decision: 'approve' as const };

/** What a refused call answered, as the client sees it. */
async function answerOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (e) {
    return e instanceof DomainError
      ? { code: e.code, message: e.message }
      : { code: String(e), message: '' };
  }
}

/** Lets the refusals' background checks finish. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
}

describe('DecideApprovalUseCase', () => {
  it('approves for the requester, records it and resumes the task', async () => {
    const { useCase, decisions, audits, resumed } = setup(pending());
    const view = await useCase.execute(approve, ann);
    expect(view).toMatchObject({ status: 'approved', decidedBy: 'ann' });
    expect(decisions[0]?.approvedHash).toBe(approvalArgsHash('notes.add', { content: '391' }));
    expect(audits).toEqual([
      expect.objectContaining({ category: 'approval', action: 'approval.approved' }),
    ]);
    expect(resumed).toEqual([TASK]);
  });

  it('approves edited arguments under the hash of the edit', async () => {
    const { useCase, decisions } = setup(pending());
    await useCase.execute({ ...approve, input: { content: '392' } }, ann);
    expect(decisions[0]).toMatchObject({
      editedInput: { content: '392' },
      approvedHash: approvalArgsHash('notes.add', { content: '392' }),
    });
  });

  it('refuses edited arguments the tool schema refuses, storing nothing', async () => {
    const { useCase, decisions } = setup(pending());
    const p = useCase.execute({ ...approve, input: { content: 7 } }, ann);
    await expect(p).rejects.toThrow(/content/);
    expect(await codeOf(p)).toBe('VALIDATION');
    expect(decisions).toEqual([]);
  });

  it('answers NOT_FOUND (audited) to a user who is neither the requester nor an approver', async () => {
    const { useCase, decisions, audits } = setup(pending());
    expect(await codeOf(useCase.execute(approve, { userId: 'bob', role: 'user' }))).toBe(
      'NOT_FOUND',
    );
    expect(decisions).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ outcome: 'denied', actor: { userId: 'bob', role: 'user' } }),
    ]);
  });

  it('refuses (FORBIDDEN, audited) the requester where the policy forbids approving their own call', async () => {
    const policy = { approvers: { requester: false, roles: ['finance'] }, allowSelf: false };
    const { useCase, decisions, audits } = setup(pending(policy));
    expect(await codeOf(useCase.execute(approve, { userId: 'ann', role: 'finance' }))).toBe(
      'FORBIDDEN',
    );
    expect(decisions).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ action: 'approval.decide', outcome: 'denied' }),
    ]);
    // …and a role holder may, as an approver of someone else's call.
    expect(
      await codeOf(
        setup(pending(policy)).useCase.execute(approve, { userId: 'bob', role: 'finance' }),
      ),
    ).toBe('ok');
  });

  it('refuses a role approval to someone without the role, audited', async () => {
    const policy = {
      approvers: { requester: false, roles: ['finance'], users: ['carol'] },
      allowSelf: false,
    };
    const { useCase, audits } = setup(pending(policy));
    // dan is not named and lacks the role: he cannot see it either
    expect(await codeOf(useCase.execute(approve, { userId: 'dan', role: 'user' }))).toBe(
      'NOT_FOUND',
    );
    expect(audits).toEqual([
      expect.objectContaining({ action: 'approval.decide', outcome: 'denied' }),
    ]);
  });

  it('answers CONFLICT when it is decided already, or someone decided it first', async () => {
    const decided = pending();
    decided.view.status = 'approved';
    expect(await codeOf(setup(decided).useCase.execute(approve, ann))).toBe('CONFLICT');
    const race = setup(pending(), false);
    expect(await codeOf(race.useCase.execute(approve, ann))).toBe('CONFLICT');
    expect(race.resumed).toEqual([]);
  });

  describe('tenants', () => {
    const acmeAdmin = { userId: 'root', role: 'admin', tenantId: 'acme' };

    it("answers an admin deciding another tenant's approval exactly as a missing one, and audits it", async () => {
      const other = setup(pending({}, 'globex'));
      const answer = await answerOf(other.useCase.execute(approve, acmeAdmin));
      const missing = setup(undefined);
      expect(answer).toEqual(await answerOf(missing.useCase.execute(approve, acmeAdmin)));
      expect(answer.code).toBe('NOT_FOUND');
      await settled();
      expect(other.decisions).toEqual([]);
      expect(other.resumed).toEqual([]);
      // In the actor's tenant, naming nothing of the other tenant's (not even who asked for the call).
      expect(other.audits).toEqual([
        {
          category: 'approval',
          action: 'approval.decide',
          outcome: 'denied',
          resource: ID,
          taskId: TASK,
          actor: { userId: 'root', role: 'admin' },
          tenantId: 'acme',
          details: { approvalId: ID, reason: 'other_tenant' },
        },
      ]);
      expect(missing.audits).toEqual([]);
    });

    it("lets the platform operator decide any tenant's approval, recorded in the approval's tenant", async () => {
      const { useCase, audits, resumed } = setup(pending({}, 'globex'));
      const operator = { userId: 'ops', role: 'platform-admin', tenantId: 'acme' };
      expect(await useCase.execute(approve, operator)).toMatchObject({ status: 'approved' });
      expect(audits).toEqual([
        expect.objectContaining({ action: 'approval.approved', tenantId: 'globex' }),
      ]);
      expect(resumed).toEqual([TASK]);
    });

    it('takes an actor without a tenant as one of the default tenant', async () => {
      expect(await codeOf(setup(pending()).useCase.execute(approve, ann))).toBe('ok');
      const acme = setup(pending({}, 'acme'));
      expect(await codeOf(acme.useCase.execute(approve, { userId: 'root', role: 'admin' }))).toBe(
        'NOT_FOUND',
      );
    });
  });
});
