import { Injectable } from '@nestjs/common';
import { type Actor, Approvals, DomainError } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { type ApprovalAnswer, shortIdOf } from '../approval-form.js';

/** An answer that decides something: the form, or a typed command. */
export type DecidingAnswer = Extract<ApprovalAnswer, { kind: 'form' | 'command' }>;

/** What the person hears back, and whether it decided. */
export interface AnswerOutcome {
  decided: boolean;
  text: string;
  approvalId?: string;
}

/**
 * Decides an approval from a person's XMPP answer, as the actor their JID is configured as
 * (XMPP_APPROVERS): the orchestrator checks the policy as it does for every surface. Every failure
 * becomes a sentence for the person; nothing is thrown.
 */
@Injectable()
export class DecideAnswerUseCase {
  constructor(private readonly bus: NatsBus) {}

  async execute(answer: DecidingAnswer, actor: Actor): Promise<AnswerOutcome> {
    try {
      const target =
        answer.kind === 'form'
          ? { approvalId: answer.approvalId, taskId: answer.taskId }
          : await this.find(answer.shortId, actor);
      if ('text' in target) return { decided: false, text: target.text };
      const view = await this.bus.request(
        Approvals.ApprovalDecide,
        {
          ...target,
          decision: answer.decision,
          ...(answer.reason ? { reason: answer.reason } : {}),
        },
        { actor },
      );
      return { decided: true, text: decidedText(view), approvalId: view.approvalId };
    } catch (err) {
      const short = answer.kind === 'form' ? shortIdOf(answer.approvalId) : answer.shortId;
      return { decided: false, text: refusalText(err, short) };
    }
  }

  /** The pending approval the actor may decide whose id starts with `shortId`. */
  private async find(
    shortId: string,
    actor: Actor,
  ): Promise<{ approvalId: string; taskId: string } | { text: string }> {
    const { approvals } = await this.bus.request(
      Approvals.ApprovalList,
      { status: 'pending', limit: 200 },
      { actor },
    );
    const found = approvals.filter((a) => a.approvalId.startsWith(shortId));
    const [only] = found;
    if (only && found.length === 1) return { approvalId: only.approvalId, taskId: only.taskId };
    return {
      text:
        found.length === 0
          ? `Not decided: no pending approval ${shortId} that you may decide (decided already, expired, or not yours).`
          : `Not decided: ${shortId} names ${found.length} approvals; give more of its id.`,
    };
  }
}

function decidedText(view: Approvals.ApprovalView): string {
  const what = `${view.target} (approval ${shortIdOf(view.approvalId)})`;
  return view.status === 'approved'
    ? `Approved ${what}: the task goes on.`
    : `Rejected ${what}${view.comment ? `: ${view.comment}` : ''}.`;
}

/** The orchestrator's refusal in the person's words (its messages name no secret). */
function refusalText(err: unknown, short: string): string {
  if (!(err instanceof DomainError))
    return `Not decided: something went wrong deciding ${short}; try again.`;
  switch (err.code) {
    case 'CONFLICT':
      return `Already decided: ${err.message}.`;
    case 'FORBIDDEN':
      return /^you may not decide/i.test(err.message)
        ? `You may not decide this: ${err.message.replace(/^[^:]*:\s*/, '')}.`
        : `You may not decide this: ${err.message}.`;
    case 'NOT_FOUND':
      return `Not decided: no approval ${short} that you may decide.`;
    case 'VALIDATION':
      return `Not decided: ${err.message}`;
    default:
      return `Not decided: the platform did not answer (${err.code}); try again.`;
  }
}
