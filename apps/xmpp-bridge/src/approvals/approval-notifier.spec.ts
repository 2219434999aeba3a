import { describe, expect, it, jest } from '@jest/globals';
import { Approvals } from '@switchboard/contracts';
import type { NatsBus } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import type { BridgeSettings } from '../config/bridge-settings.js';
import { type XmppApprover, xmppUserId } from '../config/xmpp-approvers.js';
import type { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { NS_DATA } from './approval-form.js';
import { ApprovalNotifier, approversFor } from './approval-notifier.js';

const role = (name: string, jid: string): XmppApprover => ({
  jid,
  key: `role:${name}`,
  kind: 'role',
  name,
  actor: { userId: xmppUserId(jid), role: name },
});
const user = (name: string, jid: string): XmppApprover => ({
  jid,
  key: `user:${name}`,
  kind: 'user',
  name,
  actor: { userId: name, role: 'user' },
});
const APPROVERS = [
  role('admin', 'root@x'),
  role('finance', 'fin@x'),
  user('ann', 'ann@x'),
  user('bob', 'bob@x'),
];

const notice = (policy: Approvals.ApprovalPolicyInput, requestedBy = 'ann') =>
  Approvals.ApprovalRequestedPayload.parse({
    approvalId: '1a2b3c4d-0000-4000-8000-000000000001',
    taskId: '9f8e7d6c-0000-4000-8000-000000000002',
    stepId: 'step-2',
    kind: 'tool',
    target: 'notes.add',
    input: { content: '391' },
    argsHash: 'a'.repeat(64),
    reason: 'save it',
    policy,
    requestedBy,
    requestedAt: '2026-11-25T10:00:00.000Z',
    expiresAt: '2026-11-25T10:01:00.000Z',
  });

const jidsFor = (policy: Approvals.ApprovalPolicyInput, requestedBy?: string) =>
  approversFor(notice(policy, requestedBy), APPROVERS).map((a) => a.jid);

describe('who is asked over XMPP', () => {
  it('the JIDs of the roles the policy names (admins only when named)', () => {
    expect(jidsFor({ approvers: { requester: false, roles: ['finance'] } })).toEqual(['fin@x']);
    expect(jidsFor({ approvers: { requester: false, roles: ['admin', 'finance'] } })).toEqual([
      'root@x',
      'fin@x',
    ]);
  });

  it('the named users, and the requester when the policy lets them decide', () => {
    expect(jidsFor({ approvers: { requester: false, users: ['bob'] } })).toEqual(['bob@x']);
    expect(jidsFor({}, 'ann')).toEqual(['ann@x']);
    expect(jidsFor({}, 'carl')).toEqual([]);
  });

  it('never the requester where four eyes forbid it', () => {
    expect(
      jidsFor({ approvers: { requester: false, users: ['ann', 'bob'] }, allowSelf: false }, 'ann'),
    ).toEqual(['bob@x']);
  });
});

describe('ApprovalNotifier', () => {
  const setUp = (send: (el: Element) => Promise<void>) => {
    const logger = { info: jest.fn(), warn: jest.fn(), debug: jest.fn() };
    const notifier = new ApprovalNotifier(
      { approvers: APPROVERS } as unknown as BridgeSettings,
      {} as NatsBus,
      { connection: { send } } as unknown as XmppSessionService,
      logger as unknown as Logger,
    );
    return { notifier, logger };
  };

  it('sends each approver one chat message with the form', async () => {
    const sent: Element[] = [];
    const { notifier } = setUp(async (el) => void sent.push(el));
    await notifier.notify(notice({ approvers: { requester: false, roles: ['admin'] } }));
    expect(sent.map((m) => m.attrs['to'])).toEqual(['root@x']);
    expect(sent[0]!.getChild('x', NS_DATA)?.attrs['type']).toBe('form');
  });

  it('logs, and does not throw, when the XMPP session is down', async () => {
    const { notifier, logger } = setUp(async () => {
      throw new Error('offline');
    });
    await expect(
      notifier.notify(notice({ approvers: { requester: false, roles: ['admin'] } })),
    ).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });
});
