import { Controller } from '@nestjs/common';
import { type Actor, Approvals, DomainError } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { TaskCore } from '../tasks/index.js';
import { TenantRefusals } from '../tenancy/tenant-refusals.js';
import { scopeOf } from '../tenancy/tenant-scope.js';
import { ApprovalRepository } from './approval.repository.js';
import { visibleTo } from './decide-approval/decide-approval.use-case.js';

/**
 * The approvals' NATS commands: list, and the check mcp-tools and a2a make before a call (deciding:
 * ApprovalRelay). Each reads in the actor's tenant only (the platform operator's: every tenant);
 * another tenant's approval answers as one that does not exist, and the attempt is audited.
 */
@Controller()
export class ApprovalHandler {
  constructor(
    private readonly repository: ApprovalRepository,
    private readonly refusals: TenantRefusals,
    private readonly tasks: TaskCore,
  ) {}

  /**
   * What the actor may decide (or, for one task, what they may see of it). Approvals are few and short
   * lived next to tasks, so candidates are read by tenant and status and filtered by the policy here.
   */
  @HandleCommand(Approvals.ApprovalList)
  async list(
    req: { status: Approvals.ApprovalStatus; taskId?: string; limit: number },
    meta: MessageMeta,
  ): Promise<{ approvals: Approvals.ApprovalView[] }> {
    const actor = requireActor(meta.actor);
    const { taskId } = req;
    const candidates = await this.repository.list({
      status: req.status,
      taskId,
      scope: scopeOf(actor),
      take: 1_000,
    });
    if (taskId && candidates.length === 0) {
      // Another tenant's task has no approvals for this actor, as a task that does not exist.
      void this.refusals.ifElsewhere(actor, () => this.tasks.tenantOfTask(taskId), {
        category: 'approval',
        action: 'approval.list',
        resource: taskId,
        taskId,
      });
    }
    const shown = candidates
      .map((c) => c.view)
      .filter((v) =>
        taskId
          ? visibleTo(v, actor)
          : Approvals.approvalRefusal(v.policy, v.requestedBy, actor) === undefined,
      );
    return { approvals: shown.slice(0, req.limit) };
  }

  /**
   * Approved, for this task and target, with exactly these arguments — else FORBIDDEN. Asked on behalf
   * of the task's actor: an approval of another tenant is answered as one that does not exist.
   */
  @HandleCommand(Approvals.ApprovalVerify)
  async verify(
    req: { approvalId: string; taskId: string; target: string; argsHash: string },
    meta: MessageMeta,
  ): Promise<{ approvalId: string; decidedBy: string }> {
    const found = await this.repository.get(req.taskId, req.approvalId, scopeOf(meta.actor));
    const refuse = (why: string) =>
      new DomainError('FORBIDDEN', `approval ${req.approvalId} does not cover this call: ${why}`);
    if (!found) {
      if (meta.actor) void this.refusedIfElsewhere(req, meta.actor, 'approval.verify');
      throw refuse('no such approval for this task');
    }
    const { view, approvedHash } = found;
    if (view.target !== req.target) throw refuse(`it approves ${view.target}`);
    if (view.status !== 'approved') throw refuse(`it is ${view.status}`);
    if (approvedHash !== req.argsHash) throw refuse('the arguments differ from the approved ones');
    return { approvalId: view.approvalId, decidedBy: view.decidedBy ?? '' };
  }

  private refusedIfElsewhere(
    req: { approvalId: string; taskId: string },
    actor: Actor,
    action: string,
  ): Promise<void> {
    return this.refusals.ifElsewhere(
      actor,
      () => this.repository.tenantOfApproval(req.taskId, req.approvalId),
      {
        category: 'approval',
        action,
        resource: req.approvalId,
        taskId: req.taskId,
        details: { approvalId: req.approvalId },
      },
    );
  }
}
