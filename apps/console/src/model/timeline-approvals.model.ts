import type { TaskEvent } from './event-log';
import type { CardBase } from './timeline-card.model';

/**
 * A call that needed a person's decision: opened by `orchestrator.approval.requested`, updated by
 * `orchestrator.approval.decided`. Still `pending` when the task ended without a decision: the
 * ending cancelled it.
 */
export interface ApprovalCardFields {
  kind: 'approval';
  taskId: string;
  approvalId: string;
  stepId: string;
  callKind: 'tool' | 'agent';
  target: string;
  input: unknown;
  reason: string;
  expiresAt: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  decidedBy?: string;
  decidedAt?: string;
  edited?: boolean;
  comment?: string;
}

export type ApprovalCard = CardBase & ApprovalCardFields;

/** An ending closes the approvals still waiting: nobody can decide them any more. */
export function closeApprovals(approvals: Map<string, ApprovalCard>): void {
  for (const card of approvals.values()) if (card.status === 'pending') card.status = 'cancelled';
}

/**
 * Opens an approval's card on its request (returned, for the timeline to add); its decision updates
 * the same card (nothing returned).
 */
export function approval(
  approvals: Map<string, ApprovalCard>,
  e: Extract<
    TaskEvent,
    { name: 'orchestrator.approval.requested' | 'orchestrator.approval.decided' }
  >,
  b: CardBase,
): ApprovalCard | undefined {
  if (e.name === 'orchestrator.approval.requested') {
    const card: ApprovalCard = {
      ...b,
      kind: 'approval',
      taskId: e.taskId,
      approvalId: e.data.approvalId,
      stepId: e.data.stepId,
      callKind: e.data.kind,
      target: e.data.target,
      input: e.data.input,
      reason: e.data.reason,
      expiresAt: e.data.expiresAt,
      status: 'pending',
    };
    approvals.set(e.data.approvalId, card);
    return card;
  }
  const card = approvals.get(e.data.approvalId);
  if (!card) return undefined;
  Object.assign(card, {
    status: e.data.status,
    decidedAt: e.at,
    edited: e.data.edited,
    ...(e.data.decidedBy ? { decidedBy: e.data.decidedBy } : {}),
    ...(e.data.comment ? { comment: e.data.comment } : {}),
  });
  return undefined;
}
