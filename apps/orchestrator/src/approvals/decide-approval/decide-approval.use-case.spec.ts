import { jest } from '@jest/globals';
import { Approvals, DomainError } from '@switchboard/contracts';
import type { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { ApprovalMetrics } from '../approval.metrics.js';
import type { ApprovalRepository, Decision, StoredApproval } from '../approval.repository.js';
import type { TaskResumer } from '../task-resumer.js';
import { DecideApprovalUseCase } from './decide-approval.use-case.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const ID = '22222222-2222-4222-8222-222222222222';

function pending(policy: Approvals.ApprovalPolicyInput = {}): StoredApproval {
  const input = { content: '391' };
  return {
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
  const repository = {
    get: async () => stored,
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
  const useCase = new DecideApprovalUseCase(
    repository,
    { resumeIfDecided: async (t: string) => resumed.push(t) } as unknown as TaskResumer,
    { record: async (r: Record<string, unknown>) => void audits.push(r) } as unknown as AuditTrail,
    { decided: counter, secondsToDecision: { observe: jest.fn() } } as unknown as ApprovalMetrics,
  );
  return { useCase, decisions, audits, resumed };
}

const ann = { userId: 'ann', role: 'user' };
const approve = { taskId: TASK, approvalId: ID, decision: 'approve' as const };

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
});
