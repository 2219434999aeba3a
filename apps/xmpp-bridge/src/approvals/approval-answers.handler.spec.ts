import { describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@switchboard/observability';
import { type Element, xml } from '@xmpp/xml';
import type { BridgeSettings } from '../config/bridge-settings.js';
import type { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { ApprovalAnswersHandler } from './approval-answers.handler.js';
import { APPROVAL_FORM_TYPE, NS_DATA } from './approval-form.js';
import type { DecideAnswerUseCase } from './decide-answer/decide-answer.use-case.js';

const APPROVAL = '1a2b3c4d-0000-4000-8000-000000000001';
const TASK = '9f8e7d6c-0000-4000-8000-000000000002';
const ALICE = { userId: 'xmpp:alice@x', role: 'admin' };

function setUp(send: (el: Element) => Promise<void> = async () => undefined) {
  const sent: Element[] = [];
  const execute = jest.fn(async (_answer: unknown, _actor: unknown) => ({
    decided: true,
    text: 'Approved',
    approvalId: APPROVAL,
  }));
  const logger = { info: jest.fn(), warn: jest.fn(), debug: jest.fn() };
  const handler = new ApprovalAnswersHandler(
    {
      approvers: [{ jid: 'alice@x', key: 'role:admin', kind: 'role', name: 'admin', actor: ALICE }],
    } as unknown as BridgeSettings,
    {
      connection: {
        send: async (el: Element) => {
          sent.push(el);
          await send(el);
        },
      },
    } as unknown as XmppSessionService,
    { execute } as unknown as DecideAnswerUseCase,
    logger as unknown as Logger,
  );
  return { handler, sent, execute, logger };
}

const form = (from: string, decision: string, type = 'chat') =>
  xml(
    'message',
    { type, from },
    xml('thread', {}, APPROVAL),
    xml(
      'x',
      { xmlns: NS_DATA, type: 'submit' },
      xml('field', { var: 'FORM_TYPE' }, xml('value', {}, APPROVAL_FORM_TYPE)),
      xml('field', { var: 'approvalId' }, xml('value', {}, APPROVAL)),
      xml('field', { var: 'taskId' }, xml('value', {}, TASK)),
      xml('field', { var: 'decision' }, xml('value', {}, decision)),
    ),
  );

describe('ApprovalAnswersHandler', () => {
  it('decides a listed JID’s form as its actor and replies to the client that answered', async () => {
    const { handler, sent, execute } = setUp();
    await handler.handle(form('Alice@x/phone', 'approve'));
    expect(execute).toHaveBeenCalledWith(
      { kind: 'form', approvalId: APPROVAL, taskId: TASK, decision: 'approve' },
      ALICE,
    );
    expect(
      sent.map((m) => [m.attrs['to'], m.getChildText('body'), m.getChildText('thread')]),
    ).toEqual([['Alice@x/phone', 'Approved', APPROVAL]]);
  });

  it('ignores (and logs) a JID that XMPP_APPROVERS does not list, answering nothing', async () => {
    const { handler, sent, execute, logger } = setUp();
    expect(await handler.handle(form('mallory@x/r', 'approve'))).toBeUndefined();
    expect(execute).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ from: 'mallory@x' }),
      expect.stringContaining('XMPP_APPROVERS'),
    );
  });

  it('answers a malformed form with what is wrong, deciding nothing', async () => {
    const { handler, sent, execute } = setUp();
    await handler.handle(form('alice@x/phone', 'perhaps'));
    expect(execute).not.toHaveBeenCalled();
    expect(sent[0]!.getChildText('body')).toBe(
      'Not understood: decision: choose "approve" or "reject".',
    );
  });

  it('ignores errors, group chat and messages with nothing for it', async () => {
    const { handler, sent } = setUp();
    await handler.handle(form('alice@x/phone', 'approve', 'error'));
    await handler.handle(form('alice@x/phone', 'approve', 'groupchat'));
    await handler.handle(xml('message', { from: 'alice@x/phone' }));
    await handler.handle(xml('message', { type: 'chat' }, xml('body', {}, 'approve 1a2b3c4d')));
    expect(sent).toEqual([]);
  });

  it('never throws into the XMPP client: a failed reply is logged', async () => {
    const { handler, logger } = setUp(async () => {
      throw new Error('offline');
    });
    expect(() => handler.receive(form('alice@x/phone', 'approve'))).not.toThrow();
    await expect(handler.handle(form('alice@x/phone', 'approve'))).resolves.toMatchObject({
      decided: true,
    });
    expect(logger.warn).toHaveBeenCalled();
  });
});
