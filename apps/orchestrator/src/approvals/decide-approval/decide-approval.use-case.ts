import { Injectable } from '@nestjs/common';
import { type Actor, Approvals, DomainError, isAdmin } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import { ArgumentValidator } from '../../planning/llm/argument-validator.js';
import { ApprovalMetrics } from '../approval.metrics.js';
import { ApprovalRepository, type StoredApproval } from '../approval.repository.js';
import { TaskResumer } from '../task-resumer.js';

/**
 * A person's decision on one pending approval. Who may decide is the policy's call, checked here, in
 * the service that owns approvals (approvalRefusal); every refusal is audited. The decision is one
 * conditional update: of two concurrent deciders exactly one wins, the other hears CONFLICT. When it
 * was the task's last pending approval, the task goes back on the work queue and resumes anywhere.
 */
@Injectable()
export class DecideApprovalUseCase {
  private readonly validator = new ArgumentValidator();

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly resumer: TaskResumer,
    private readonly audit: AuditTrail,
    private readonly metrics: ApprovalMetrics,
  ) {}

  async execute(
    req: Approvals.ApprovalDecisionRequest,
    actor: Actor,
  ): Promise<Approvals.ApprovalView> {
    const found = await this.repository.get(req.taskId, req.approvalId);
    // An approval the actor could neither decide nor see (not their task) does not exist for them.
    if (!found || !visibleTo(found.view, actor)) {
      if (found) this.recordRefusal(found.view, actor, 'neither the requester nor an approver');
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
      const now = await this.repository.get(req.taskId, req.approvalId);
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
