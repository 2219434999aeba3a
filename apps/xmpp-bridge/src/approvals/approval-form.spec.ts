import { describe, expect, it } from '@jest/globals';
import type { Approvals } from '@switchboard/contracts';
import { type Element, xml } from '@xmpp/xml';
import {
  APPROVAL_FORM_TYPE,
  approvalRequestMessage,
  chatReply,
  NS_DATA,
  readApprovalAnswer,
} from './approval-form.js';

const APPROVAL = '1a2b3c4d-0000-4000-8000-000000000001';
const TASK = '9f8e7d6c-0000-4000-8000-000000000002';

const notice = (over: Partial<Approvals.ApprovalRequestedPayload> = {}) =>
  ({
    approvalId: APPROVAL,
    taskId: TASK,
    stepId: 'step-2',
    kind: 'tool',
    target: 'notes.add',
    input: { content: '391', note: 'a\u0001b' },
    argsHash: 'a'.repeat(64),
    reason: 'save the result',
    policy: {
      approvers: { requester: false, roles: ['admin'], users: [] },
      allowSelf: true,
      expiresInMs: 60_000,
      onExpiry: 'reject',
    },
    requestedBy: 'ann',
    requestedAt: '2026-11-25T10:00:00.000Z',
    expiresAt: '2026-11-25T10:01:00.000Z',
    ...over,
  }) as Approvals.ApprovalRequestedPayload;

const submitted = (fields: Record<string, string | undefined>, type = 'submit') =>
  xml(
    'message',
    { type: 'chat', from: 'alice@example.org/phone' },
    xml(
      'x',
      { xmlns: NS_DATA, type },
      ...Object.entries(fields).map(([k, v]) =>
        xml('field', { var: k }, ...(v === undefined ? [] : [xml('value', {}, v)])),
      ),
    ),
  );

const typed = (body: string) =>
  xml('message', { type: 'chat', from: 'alice@example.org/phone' }, xml('body', {}, body));

describe('the approval request message', () => {
  const message = approvalRequestMessage(notice(), 'alice@example.org');

  it('is a chat message with a readable body naming the call, how to answer, and the expiry', () => {
    expect(message.attrs).toMatchObject({ type: 'chat', to: 'alice@example.org' });
    const body = message.getChildText('body')!;
    expect(body).toContain('tool notes.add');
    expect(body).toContain('"content":"391"');
    expect(body).toContain('Reason: save the result');
    expect(body).toContain('expires 2026-11-25T10:01:00.000Z');
    expect(body).toContain('"approve 1a2b3c4d" / "reject 1a2b3c4d <reason>"');
    // no control character reaches the XML
    expect(message.toString()).not.toContain('\u0001');
    expect(message.getChildText('thread')).toBe(APPROVAL);
  });

  it('carries an XEP-0004 form: FORM_TYPE, hidden ids, a decision to choose and a reason', () => {
    const form = message.getChild('x', NS_DATA)!;
    expect(form.attrs['type']).toBe('form');
    const fields: Record<string, Element> = Object.fromEntries(
      form.getChildren('field').map((f) => [f.attrs['var'], f]),
    );
    expect(fields['FORM_TYPE']!.attrs['type']).toBe('hidden');
    expect(fields['FORM_TYPE']!.getChildText('value')).toBe(APPROVAL_FORM_TYPE);
    expect(fields['approvalId']!.getChildText('value')).toBe(APPROVAL);
    expect(fields['taskId']!.getChildText('value')).toBe(TASK);
    expect(fields['decision']!.attrs['type']).toBe('list-single');
    expect(fields['decision']!.getChild('required')).toBeDefined();
    expect(fields['decision']!.getChildren('option').map((o) => o.getChildText('value'))).toEqual([
      'approve',
      'reject',
    ]);
    expect(fields['reason']!.attrs['type']).toBe('text-single');
  });

  it('survives a round trip: the form it sends, submitted, reads as the answer', () => {
    const form = message.getChild('x', NS_DATA)!;
    const answer = xml(
      'message',
      { type: 'chat', from: 'a@x/r' },
      xml(
        'x',
        { xmlns: NS_DATA, type: 'submit' },
        ...form.getChildren('field').filter((f) => f.attrs['type'] === 'hidden'),
        xml('field', { var: 'decision' }, xml('value', {}, 'approve')),
      ),
    );
    expect(readApprovalAnswer(answer)).toEqual({
      kind: 'form',
      approvalId: APPROVAL,
      taskId: TASK,
      decision: 'approve',
    });
  });

  it('a reply is a chat message in the same thread', () => {
    const reply = chatReply('alice@example.org/phone', 'Approved', 'thread-1');
    expect(reply.attrs).toMatchObject({ type: 'chat', to: 'alice@example.org/phone' });
    expect(reply.getChildText('body')).toBe('Approved');
    expect(reply.getChildText('thread')).toBe('thread-1');
  });
});

describe('reading an answer', () => {
  const ok = { FORM_TYPE: APPROVAL_FORM_TYPE, approvalId: APPROVAL, taskId: TASK };

  it('reads a submitted form, with a reason', () => {
    expect(
      readApprovalAnswer(submitted({ ...ok, decision: 'reject', reason: '  not today ' })),
    ).toEqual({
      kind: 'form',
      approvalId: APPROVAL,
      taskId: TASK,
      decision: 'reject',
      reason: 'not today',
    });
  });

  it('names the field of a malformed form', () => {
    expect(readApprovalAnswer(submitted({ ...ok, decision: 'maybe' }))).toEqual({
      kind: 'invalid',
      message: 'decision: choose "approve" or "reject"',
    });
    expect(readApprovalAnswer(submitted({ ...ok, approvalId: 'x', decision: 'approve' }))).toEqual({
      kind: 'invalid',
      message: 'approvalId: missing or not an approval id',
    });
    expect(
      readApprovalAnswer(submitted({ ...ok, taskId: undefined, decision: 'approve' })),
    ).toEqual({ kind: 'invalid', message: 'taskId: missing or not a task id' });
    expect(
      readApprovalAnswer(submitted({ ...ok, decision: 'reject', reason: 'x'.repeat(1_001) })),
    ).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/^reason: /) });
    expect(readApprovalAnswer(submitted({ ...ok, decision: 'approve' }, 'result'))).toMatchObject({
      kind: 'invalid',
    });
  });

  it('takes a cancelled form as cancelled, and another form as not ours', () => {
    expect(readApprovalAnswer(submitted(ok, 'cancel'))).toEqual({ kind: 'cancel' });
    expect(
      readApprovalAnswer(submitted({ ...ok, FORM_TYPE: 'urn:other', decision: 'approve' })),
    ).toEqual({ kind: 'none' });
  });

  it('reads typed commands, case-insensitive, with the reason after the id', () => {
    expect(readApprovalAnswer(typed('approve 1A2B3C4D'))).toEqual({
      kind: 'command',
      shortId: '1a2b3c4d',
      decision: 'approve',
    });
    expect(readApprovalAnswer(typed('Reject 1a2b3c4d too expensive\nsorry'))).toEqual({
      kind: 'command',
      shortId: '1a2b3c4d',
      decision: 'reject',
      reason: 'too expensive\nsorry',
    });
  });

  it('explains what it did not understand', () => {
    expect(readApprovalAnswer(typed('yes please'))).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('"approve <id>"'),
    });
    expect(readApprovalAnswer(typed('approve'))).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('name the approval'),
    });
    expect(readApprovalAnswer(typed('approve zz!'))).toMatchObject({ kind: 'invalid' });
  });

  it('ignores messages with neither a body nor our form (chat states, receipts)', () => {
    expect(
      readApprovalAnswer(
        xml(
          'message',
          { from: 'a@x/r' },
          xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }),
        ),
      ),
    ).toEqual({ kind: 'none' });
    expect(readApprovalAnswer(typed('   '))).toEqual({ kind: 'none' });
  });
});
