import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { bareOf } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { Element } from '@xmpp/xml';
import { BRIDGE_SETTINGS, type BridgeSettings } from '../config/bridge-settings.js';
import type { XmppApprover } from '../config/xmpp-approvers.js';
import { XmppSessionService } from '../xmpp/xmpp-session.service.js';
import { chatReply, readApprovalAnswer } from './approval-form.js';
import { type AnswerOutcome, DecideAnswerUseCase } from './decide-answer/decide-answer.use-case.js';

/** Message types a person's answer comes as (RFC 6121: absent means `normal`). */
const ANSWER_TYPES = new Set(['chat', 'normal']);

/**
 * The XMPP adapter of approval answers: reads each incoming message, and when one of the configured
 * approvers answers a request (the form, or "approve <id>"), decides it as that approver and tells
 * them the outcome. The sender is the server-stamped `from` (its bare JID must be in XMPP_APPROVERS):
 * anyone else is ignored and logged. Nothing here throws into the XMPP client's callback.
 */
@Injectable()
export class ApprovalAnswersHandler implements OnModuleInit {
  private readonly approvers: ReadonlyMap<string, XmppApprover>;

  constructor(
    @Inject(BRIDGE_SETTINGS) settings: BridgeSettings,
    private readonly session: XmppSessionService,
    private readonly deciding: DecideAnswerUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.approvers = new Map(settings.approvers.map((a) => [a.jid, a]));
  }

  onModuleInit(): void {
    this.session.onMessage((message) => this.receive(message));
  }

  /** The session's callback: never throws, never leaves a rejected promise behind. */
  receive(message: Element): void {
    this.handle(message).catch((err: unknown) =>
      this.logger.warn({ err, from: message.attrs['from'] }, 'could not handle an approval answer'),
    );
  }

  /** Resolves once the answer is decided and the person told (for tests); rejects only on bugs. */
  async handle(message: Element): Promise<AnswerOutcome | undefined> {
    const from = message.attrs['from'];
    if (!from || !ANSWER_TYPES.has(message.attrs['type'] ?? 'normal')) return undefined;
    const answer = readApprovalAnswer(message);
    if (answer.kind === 'none') return undefined;
    const sender = bareOf(from);
    const approver = this.approvers.get(sender);
    if (!approver) {
      this.logger.warn(
        { from: sender, kind: answer.kind },
        'ignored an approval answer from a JID that XMPP_APPROVERS does not list',
      );
      return undefined;
    }
    const outcome: AnswerOutcome =
      answer.kind === 'invalid'
        ? { decided: false, text: `Not understood: ${answer.message}.` }
        : answer.kind === 'cancel'
          ? { decided: false, text: 'Form cancelled: nothing was decided.' }
          : await this.deciding.execute(answer, approver.actor);
    this.logger.info(
      {
        from: sender,
        approver: approver.key,
        decided: outcome.decided,
        approvalId: outcome.approvalId,
      },
      'approval answer over XMPP',
    );
    const thread = message.getChildText('thread') ?? undefined;
    try {
      // To the full JID it came from: the client that answered hears the outcome.
      await this.session.connection.send(chatReply(from, outcome.text, thread));
    } catch (err) {
      this.logger.warn({ err, from: sender }, 'could not tell the approver the outcome');
    }
    return outcome;
  }
}
