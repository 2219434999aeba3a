import { Injectable } from '@nestjs/common';
import { type Actor, Approvals, DomainError, isAdmin } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import { ArgumentValidator } from '../../planning/index.js';
import { TenantRefusals } from '../../tenancy/tenant-refusals.js';
import { scopeOf } from '../../tenancy/tenant-scope.js';
import { ApprovalMetrics } from '../approval.metrics.js';
import { ApprovalRepository, type StoredApproval } from '../approval.repository.js';
import { TaskResumer } from '../task-resumer.js';

/**
 * A person's decision on one pending approval. Who may decide is the policy's call, checked here, in
 * the service that owns approvals (approvalRefusal), in the actor's tenant only (another tenant's
 * approval does not exist for them; the platform operator's spans tenants); every refusal is
 * audited. The decision is one conditional update: of two concurrent deciders exactly one wins, the
 * other hears CONFLICT. When it was the task's last pending approval, the task goes back on the work
 * queue and resumes anywhere.
 */
@Injectable()
export class DecideApprovalUseCase {
  private readonly validator = new ArgumentValidator();

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly resumer: TaskResumer,
    private readonly audit: AuditTrail,
    private readonly metrics: ApprovalMetrics,
    private readonly refusals: TenantRefusals,
  ) {}

  async execute(
    req: Approvals.ApprovalDecisionRequest,
    actor: Actor,
  ): Promise<Approvals.ApprovalView> {
    const scope = scopeOf(actor);
    const found = await this.repository.get(req.taskId, req.approvalId, scope);
    // An approval the actor could neither decide nor see (not their task, not their tenant) does not
    // exist for them.
    if (!found || !visibleTo(found.view, actor)) {
      if (found) this.recordRefusal(found.view, actor, 'neither the requester nor an approver');
      else void this.refusedIfElsewhere(req, actor);
      throw new DomainError(
        'NOT_FOUND',
        `approval ${req.approvalId} of task ${req.taskId} not found`,
      );
    }
    const refusal = Approvals.approvalRefusal(found.view.policy, found.view.requestedBy, actor);
    if (refusal) {
      this.recordRefusal(found.view, actor, refusal);
      throw new DomainError(
        'FORBIDDEN',
        `you may not decide approval ${req.approvalId}: ${refusal}`,
      );
    }
    if (found.view.status !== 'pending') throw alreadyDecided(found.view);
    const edit = req.decision === 'approve' ? this.edited(found, req.input) : undefined;
    const decided = await this.repository.decide(req.approvalId, {
      status: req.decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: actor.userId,
      comment: req.reason,
      ...(edit ? { editedInput: edit } : {}),
      ...(req.decision === 'approve'
        ? { approvedHash: approvalArgsHash(found.view.target, edit ?? found.runInput) }
        : {}),
    });
    if (!decided) {
      const now = await this.repository.get(req.taskId, req.approvalId, scope);
      throw alreadyDecided(now?.view ?? found.view);
    }
    this.recordDecision(decided, actor);
    await this.resumer.resumeIfDecided(req.taskId);
    return decided.view;
  }

  /** The approver's arguments, checked against the tool's input schema; undefined when unchanged. */
  private edited(
    found: StoredApproval,
    input: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined {
    if (input === undefined) return undefined;
    const schema = found.view.inputSchema;
    const problems = schema ? this.validator.problems(schema, input) : [];
    if (problems.length > 0)
      throw new DomainError(
        'VALIDATION',
        `input does not match the input schema of ${found.view.target}: ${problems.join('; ')}`,
        {
          details: {
            issues: problems.map((p) => ({ path: `input.${p.split(':')[0]}`, message: p })),
          },
        },
      );
    return input;
  }

  /** An approval of another tenant: audited as this use case's other refusals are. */
  private refusedIfElsewhere(req: Approvals.ApprovalDecisionRequest, actor: Actor): Promise<void> {
    return this.refusals.ifElsewhere(
      actor,
      () => this.repository.tenantOfApproval(req.taskId, req.approvalId),
      {
        category: 'approval',
        action: 'approval.decide',
        resource: req.approvalId,
        taskId: req.taskId,
        details: { approvalId: req.approvalId },
      },
    );
  }

  private recordDecision(decided: StoredApproval, actor: Actor): void {
    const { view } = decided;
    const waitedS = (Date.parse(view.decidedAt ?? '') - Date.parse(view.requestedAt)) / 1000;
    this.metrics.decided.inc({ target: view.target, status: view.status });
    if (Number.isFinite(waitedS))
      this.metrics.secondsToDecision.observe({ status: view.status }, waitedS);
    void this.audit.record({
      category: 'approval',
      action: `approval.${view.status}`,
      outcome: 'success',
      resource: view.approvalId,
      taskId: view.taskId,
      actor: { userId: actor.userId, role: actor.role },
      // The approval's tenant's record, also when the platform operator decided it.
      tenantId: decided.tenantId,
      onceKey: `approval:${view.approvalId}:decided`,
      details: {
        approvalId: view.approvalId,
        stepId: view.stepId,
        target: view.target,
        requestedBy: view.requestedBy,
        decision: view.status,
        argsHash: view.argsHash,
        ...(decided.approvedHash ? { approvedHash: decided.approvedHash } : {}),
        edited: view.editedInput !== undefined,
        ...(view.editedInput ? { editedInput: view.editedInput } : {}),
        ...(view.comment ? { comment: view.comment } : {}),
      },
    });
  }

  private recordRefusal(view: Approvals.ApprovalView, actor: Actor, reason: string): void {
    void this.audit.record({
      category: 'approval',
      action: 'approval.decide',
      outcome: 'denied',
      resource: view.approvalId,
      taskId: view.taskId,
      actor: { userId: actor.userId, role: actor.role },
      details: {
        approvalId: view.approvalId,
        target: view.target,
        requestedBy: view.requestedBy,
        reason,
      },
    });
  }
}

/** The task's owner, an admin, and anyone the policy names see an approval. */
export function visibleTo(view: Approvals.ApprovalView, actor: Actor): boolean {
  if (view.requestedBy === actor.userId || isAdmin(actor)) return true;
  const { roles, users } = view.policy.approvers;
  return roles.includes(actor.role) || users.includes(actor.userId);
}

function alreadyDecided(view: Approvals.ApprovalView): DomainError {
  return new DomainError(
    'CONFLICT',
    `approval ${view.approvalId} is ${view.status} already${view.decidedBy ? ` (by ${view.decidedBy})` : ''}`,
    { details: { status: view.status } },
  );
}
