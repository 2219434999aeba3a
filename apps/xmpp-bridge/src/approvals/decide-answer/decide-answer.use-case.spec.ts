import { describe, expect, it, jest } from '@jest/globals';
import { type Actor, Approvals, DomainError } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import { DecideAnswerUseCase } from './decide-answer.use-case.js';

const APPROVAL = '1a2b3c4d-0000-4000-8000-000000000001';
const OTHER = '1a2b9999-0000-4000-8000-000000000003';
const TASK = '9f8e7d6c-0000-4000-8000-000000000002';
const ALICE: Actor = { userId: 'xmpp:alice@x', role: 'admin' };

const view = (over: Partial<Approvals.ApprovalView> = {}) =>
  ({
    approvalId: APPROVAL,
    taskId: TASK,
    target: 'notes.add',
    status: 'approved',
    ...over,
  }) as Approvals.ApprovalView;

function setUp(answer: (subject: string, req: unknown) => unknown) {
  const request = jest.fn(async (contract: { subject: string }, req: unknown, opts: unknown) => {
    void opts;
    return answer(contract.subject, req);
  });
  return { request, useCase: new DecideAnswerUseCase({ request } as unknown as NatsBus) };
}

describe('DecideAnswerUseCase', () => {
  it('decides a submitted form as the configured actor', async () => {
    const { request, useCase } = setUp(() => view());
    const out = await useCase.execute(
      { kind: 'form', approvalId: APPROVAL, taskId: TASK, decision: 'approve' },
      ALICE,
    );
    expect(out).toEqual({
      decided: true,
      approvalId: APPROVAL,
      text: 'Approved notes.add (approval 1a2b3c4d): the task goes on.',
    });
    expect(request).toHaveBeenCalledWith(
      Approvals.ApprovalDecide,
      { approvalId: APPROVAL, taskId: TASK, decision: 'approve' },
      { actor: ALICE },
    );
  });

  it('finds a typed short id among the pending approvals the actor may decide', async () => {
    const { request, useCase } = setUp((subject) =>
      subject === Approvals.ApprovalList.subject
        ? { approvals: [view({ status: 'pending' }), view({ approvalId: OTHER })] }
        : view({ status: 'rejected', comment: 'too much' }),
    );
    const out = await useCase.execute(
      { kind: 'command', shortId: '1a2b3c4d', decision: 'reject', reason: 'too much' },
      ALICE,
    );
    expect(out.text).toBe('Rejected notes.add (approval 1a2b3c4d): too much.');
    expect(request).toHaveBeenLastCalledWith(
      Approvals.ApprovalDecide,
      { approvalId: APPROVAL, taskId: TASK, decision: 'reject', reason: 'too much' },
      { actor: ALICE },
    );
  });

  it('asks for more of an id that names several, and says when it names none', async () => {
    const { useCase } = setUp(() => ({ approvals: [view(), view({ approvalId: OTHER })] }));
    expect(
      (await useCase.execute({ kind: 'command', shortId: '1a2b', decision: 'approve' }, ALICE))
        .text,
    ).toContain('names 2 approvals');
    expect(
      (await useCase.execute({ kind: 'command', shortId: 'ffff', decision: 'approve' }, ALICE))
        .text,
    ).toContain('no pending approval ffff');
  });

  it.each([
    [
      new DomainError('CONFLICT', `approval ${APPROVAL} is approved already (by xmpp:bob@x)`),
      `Already decided: approval ${APPROVAL} is approved already (by xmpp:bob@x).`,
    ],
    [
      new DomainError(
        'FORBIDDEN',
        `you may not decide approval ${APPROVAL}: deciding needs the role finance`,
      ),
      'You may not decide this: deciding needs the role finance.',
    ],
    [
      new DomainError('NOT_FOUND', 'nope'),
      'Not decided: no approval 1a2b3c4d that you may decide.',
    ],
    [
      new DomainError('TIMEOUT', 'slow'),
      'Not decided: the platform did not answer (TIMEOUT); try again.',
    ],
    [new Error('boom'), 'Not decided: something went wrong deciding 1a2b3c4d; try again.'],
  ])('tells the person why it was not decided (%s)', async (error, text) => {
    const { useCase } = setUp(() => {
      throw error;
    });
    expect(
      await useCase.execute(
        { kind: 'form', approvalId: APPROVAL, taskId: TASK, decision: 'approve' },
        ALICE,
      ),
    ).toEqual({ decided: false, text });
  });
});
