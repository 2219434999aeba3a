import { Controller } from '@nestjs/common';
import { type Actor, Approvals, DomainError } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta } from '@switchboard/messaging';
import { ApprovalRepository } from './approval.repository.js';
import { DecideApprovalUseCase, visibleTo } from './decide-approval/decide-approval.use-case.js';

/** The approvals' NATS commands: list, decide, and the check mcp-tools and a2a make before a call. */
@Controller()
export class ApprovalHandler {
  constructor(
    private readonly repository: ApprovalRepository,
    private readonly deciding: DecideApprovalUseCase,
  ) {}

  /**
   * What the actor may decide (or, for one task, what they may see of it). Approvals are few and short
   * lived next to tasks, so candidates are read by status and filtered by the policy here.
   */
  @HandleCommand(Approvals.ApprovalList)
  async list(
    req: { status: Approvals.ApprovalStatus; taskId?: string; limit: number },
    meta: MessageMeta,
  ): Promise<{ approvals: Approvals.ApprovalView[] }> {
    const actor = requireActor(meta);
    const candidates = await this.repository.list(req.status, req.taskId, 1_000);
    const shown = candidates
      .map((c) => c.view)
      .filter((v) =>
        req.taskId
          ? visibleTo(v, actor)
          : Approvals.approvalRefusal(v.policy, v.requestedBy, actor) === undefined,
      );
    return { approvals: shown.slice(0, req.limit) };
  }

  @HandleCommand(Approvals.ApprovalDecide)
  decide(
    req: Approvals.ApprovalDecisionRequest,
    meta: MessageMeta,
  ): Promise<Approvals.ApprovalView> {
    return this.deciding.execute(req, requireActor(meta));
  }

  /** Approved, for this task and target, with exactly these arguments — else FORBIDDEN. */
  @HandleCommand(Approvals.ApprovalVerify)
  async verify(req: {
    approvalId: string;
    taskId: string;
    target: string;
    argsHash: string;
  }): Promise<{ approvalId: string; decidedBy: string }> {
    const found = await this.repository.get(req.taskId, req.approvalId);
    const refuse = (why: string) =>
      new DomainError('FORBIDDEN', `approval ${req.approvalId} does not cover this call: ${why}`);
    if (!found) throw refuse('no such approval for this task');
    const { view, approvedHash } = found;
    if (view.target !== req.target) throw refuse(`it approves ${view.target}`);
    if (view.status !== 'approved') throw refuse(`it is ${view.status}`);
    if (approvedHash !== req.argsHash) throw refuse('the arguments differ from the approved ones');
    return { approvalId: view.approvalId, decidedBy: view.decidedBy ?? '' };
  }
}

function requireActor(meta: MessageMeta): Actor {
  if (!meta.actor) throw new DomainError('UNAUTHORIZED', 'no acting user on the request');
  return meta.actor;
}
