import { ApprovalDecisionBody, ApprovalPolicy, approvalRefusal } from './approval.schemas.js';

describe('ApprovalPolicy', () => {
  it('defaults to the requester deciding within a day, expiry rejecting the call', () => {
    expect(ApprovalPolicy.parse({})).toEqual({
      approvers: { requester: true, roles: [], users: [] },
      allowSelf: true,
      expiresInMs: 86_400_000,
      onExpiry: 'reject',
    });
  });

  it('refuses a policy whose requester approves but may not approve themselves, naming the field', () => {
    const r = ApprovalPolicy.safeParse({ allowSelf: false });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['allowSelf']);
  });

  it('refuses a policy that names nobody', () => {
    const r = ApprovalPolicy.safeParse({ approvers: { requester: false } });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['approvers']);
  });

  it('refuses unknown fields and expiries out of range', () => {
    expect(ApprovalPolicy.safeParse({ approver: 'ann' }).success).toBe(false);
    expect(ApprovalPolicy.safeParse({ expiresInMs: 10 }).success).toBe(false);
  });
});

describe('approvalRefusal', () => {
  const fourEyes = ApprovalPolicy.parse({
    approvers: { requester: false, roles: ['finance'], users: ['carol'] },
    allowSelf: false,
  });
  const own = ApprovalPolicy.parse({});

  it.each([
    ['the requester, by default', own, { userId: 'ann', role: 'user' }, undefined],
    ['another user, by default', own, { userId: 'bob', role: 'user' }, 'only the user'],
    ['a role holder', fourEyes, { userId: 'bob', role: 'finance' }, undefined],
    ['a named user', fourEyes, { userId: 'carol', role: 'user' }, undefined],
    ['an admin', fourEyes, { userId: 'root', role: 'admin' }, undefined],
    ['someone without the role', fourEyes, { userId: 'dan', role: 'user' }, 'the role finance'],
    ['the requester holding the role', fourEyes, { userId: 'ann', role: 'finance' }, 'own call'],
    ['the requester as admin', fourEyes, { userId: 'ann', role: 'admin' }, 'own call'],
  ])('%s', (_, policy, actor, refused) => {
    const why = approvalRefusal(policy, 'ann', actor);
    if (refused === undefined) expect(why).toBeUndefined();
    else expect(why).toContain(refused);
  });
});

describe('ApprovalDecisionBody', () => {
  it('lets only an approval edit the arguments', () => {
    const r = ApprovalDecisionBody.safeParse({ decision: 'reject', input: { a: 1 } });
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['input']);
    expect(ApprovalDecisionBody.safeParse({ decision: 'approve', input: { a: 1 } }).success).toBe(
      true,
    );
  });
});
