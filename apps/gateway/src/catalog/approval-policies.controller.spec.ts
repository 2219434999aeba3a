import { describe, expect, it } from '@jest/globals';
import { type Actor, type DomainError, Tools } from '@switchboard/contracts';
import type { AuditTrail, NatsBus } from '@switchboard/messaging';
import { ApprovalPoliciesController } from './approval-policies.controller.js';

const root: Actor = { userId: 'root', role: 'admin' };
const ada: Actor = { userId: 'ada', role: 'user' };

/** The controller over a bus and an audit trail that record what they were given. */
function setup() {
  const sent: { subject: string; payload: unknown; actor: unknown }[] = [];
  const audits: Record<string, unknown>[] = [];
  const bus = {
    request: async (c: { subject: string }, payload: unknown, opts: { actor: unknown }) => {
      sent.push({ subject: c.subject, payload, actor: opts.actor });
      return {};
    },
  } as unknown as NatsBus;
  const audit = {
    record: async (r: Record<string, unknown>) => void audits.push(r),
  } as unknown as AuditTrail;
  return { sut: new ApprovalPoliciesController(bus, audit), sent, audits };
}

const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a throw');
};

describe(ApprovalPoliciesController.name, () => {
  it('refuses non-admins with 403 before judging the body, audited, and sends nothing', () => {
    const { sut, sent, audits } = setup();
    expect(thrown(() => sut.list(ada)).code).toBe('FORBIDDEN');
    expect(thrown(() => sut.set(ada, 'calculator', 'not a body')).code).toBe('FORBIDDEN');
    expect(sent).toEqual([]);
    expect(audits).toEqual([
      expect.objectContaining({ outcome: 'denied', resource: 'approval-policies' }),
      expect.objectContaining({ outcome: 'denied', resource: 'approval-policies' }),
    ]);
  });

  it('names the field of an invalid body or tool name', () => {
    const { sut, sent } = setup();
    expect(thrown(() => sut.set(root, 'calculator', { policy: { expiresInMs: 5 } })).message).toBe(
      'invalid request body: policy.expiresInMs: must be at least 1000 ms',
    );
    expect(thrown(() => sut.set(root, 'calculator', {})).message).toContain('policy');
    expect(thrown(() => sut.set(root, 'bad tool', { policy: null })).message).toContain(
      'path parameter tool',
    );
    expect(sent).toEqual([]);
  });

  it('sends the override, or its removal, as the acting admin', async () => {
    const { sut, sent } = setup();
    await sut.set(root, 'notes.add', { policy: { allowSelf: true } });
    await sut.set(root, 'notes.add', { policy: null });
    await sut.list(root);
    expect(sent).toEqual([
      {
        subject: Tools.ApprovalPolicySet.subject,
        payload: { tool: 'notes.add', policy: expect.objectContaining({ allowSelf: true }) },
        actor: root,
      },
      {
        subject: Tools.ApprovalPolicySet.subject,
        payload: { tool: 'notes.add', policy: null },
        actor: root,
      },
      { subject: Tools.ApprovalPolicyList.subject, payload: {}, actor: root },
    ]);
  });
});
