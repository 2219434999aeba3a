import { Injectable } from '@nestjs/common';
import { Approvals, DomainError, type ErrorBody, type Tasks } from '@switchboard/contracts';
import { AuditTrail } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { TaskRun } from '../tasks/run-task/task-run.js';
import { ApprovalMetrics } from './approval.metrics.js';
import { ApprovalRepository, type StoredApproval } from './approval.repository.js';

/** What the gate says about one call, in the order the dispatcher meets them. */
export type Gate =
  /** No approval needed: run it as planned. */
  | { kind: 'free' }
  /** Needs one and has none yet: the round stops here and asks. */
  | { kind: 'ask'; policy: Approvals.ApprovalPolicy }
  /** Decided, still open: the task waits. */
  | { kind: 'wait' }
  /** Approved: run it with these arguments (the approver's edit, if any) under this approval. */
  | { kind: 'run'; input: Record<string, unknown>; approval: { id: string; argsHash: string } }
  /** Rejected, or expired where expiry rejects: the step fails with this, and the planner hears it. */
  | { kind: 'refused'; error: ErrorBody };

/** A call of the round that needs a decision, with its arguments resolved. */
export interface HeldCall {
  action: Tasks.PlanAction;
  input: Record<string, unknown>;
  policy: Approvals.ApprovalPolicy;
}

/**
 * Which calls need a person's decision and what was decided (docs/approvals.md). A tool's policy comes
 * from mcp-tools with the manifest; a request can add tools and agents (`approval.tools`), never drop
 * one. Approvals are read once per run: a run only meets decisions made before it started.
 */
@Injectable()
export class ApprovalGate {
  private readonly decided = new WeakMap<TaskRun, Promise<Map<string, StoredApproval>>>();

  constructor(
    private readonly repository: ApprovalRepository,
    private readonly audit: AuditTrail,
    private readonly metrics: ApprovalMetrics,
  ) {}

  /** The policy a call of `action` runs under, if it needs approval. */
  policyOf(run: TaskRun, action: Tasks.PlanAction): Approvals.ApprovalPolicy | undefined {
    const offered = action.kind === 'tool' ? run.offered?.get(action.target)?.approval : undefined;
    if (offered) return offered;
    const asked = run.submission.request.approval?.tools.includes(action.target);
    return asked ? Approvals.REQUESTED_APPROVAL_POLICY : undefined;
  }

  async check(run: TaskRun, action: Tasks.PlanAction): Promise<Gate> {
    const policy = this.policyOf(run, action);
    if (!policy) return { kind: 'free' };
    const stored = (await this.approvalsOf(run)).get(action.id);
    if (!stored) return { kind: 'ask', policy };
    const { view } = stored;
    switch (view.status) {
      case 'pending':
        return { kind: 'wait' };
      case 'approved':
        this.announce(run, view);
        return {
          kind: 'run',
          input: stored.runInput,
          approval: { id: view.approvalId, argsHash: stored.approvedHash ?? view.argsHash },
        };
      case 'expired':
        this.announce(run, view);
        if (view.policy.onExpiry === 'fail')
          throw new DomainError(
            'TIMEOUT',
            `nobody decided the call of ${view.target} before its approval expired at ${view.expiresAt}`,
          );
        return { kind: 'refused', error: refusal(view) };
      default:
        this.announce(run, view);
        return { kind: 'refused', error: refusal(view) };
    }
  }

  /** Records the round's calls that need a decision as pending approvals and says so. */
  async hold(run: TaskRun, calls: HeldCall[]): Promise<void> {
    const { taskId, actor } = run.submission;
    const held = await this.repository.request(
      calls.map((c) => ({
        taskId,
        action: c.action,
        input: c.input,
        argsHash: approvalArgsHash(c.action.target, c.input),
        policy: c.policy,
        inputSchema: run.offered?.get(c.action.target)?.inputSchema,
        requestedBy: actor.userId,
      })),
    );
    for (const { view } of held) {
      if (view.status !== 'pending') continue;
      run.events.emit(
        'orchestrator.approval.requested',
        {
          approvalId: view.approvalId,
          stepId: view.stepId,
          kind: view.kind,
          target: view.target,
          input: view.input,
          argsHash: view.argsHash,
          reason: view.reason,
          expiresAt: view.expiresAt,
        },
        `waiting for approval of ${view.kind} ${view.target}`,
      );
      this.metrics.requested.inc({ target: view.target });
      void this.audit.record({
        category: 'approval',
        action: 'approval.requested',
        outcome: 'success',
        resource: view.approvalId,
        taskId,
        actor: { userId: actor.userId, role: actor.role },
        onceKey: `approval:${view.approvalId}:requested`,
        details: {
          approvalId: view.approvalId,
          stepId: view.stepId,
          target: view.target,
          argsHash: view.argsHash,
          expiresAt: view.expiresAt,
          policy: view.policy,
        },
      });
    }
  }

  private approvalsOf(run: TaskRun): Promise<Map<string, StoredApproval>> {
    let found = this.decided.get(run);
    if (!found) {
      // A new task has none; one resumed may.
      found = run.resumed
        ? this.repository.ofTask(run.submission.taskId)
        : Promise.resolve(new Map<string, StoredApproval>());
      this.decided.set(run, found);
    }
    return found;
  }

  private announce(run: TaskRun, view: Approvals.ApprovalView): void {
    run.events.emit(
      'orchestrator.approval.decided',
      {
        approvalId: view.approvalId,
        stepId: view.stepId,
        target: view.target,
        status: view.status as 'approved' | 'rejected' | 'expired' | 'cancelled',
        ...(view.decidedBy ? { decidedBy: view.decidedBy } : {}),
        edited: view.editedInput !== undefined,
        ...(view.comment ? { comment: view.comment } : {}),
      },
      `${view.target}: ${view.status}${view.decidedBy ? ` by ${view.decidedBy}` : ''}`,
    );
  }
}

function refusal(view: Approvals.ApprovalView): ErrorBody {
  const message =
    view.status === 'expired'
      ? `the call of ${view.target} was not approved: nobody decided before ${view.expiresAt}`
      : view.status === 'cancelled'
        ? `the call of ${view.target} was not run: its approval was cancelled`
        : `the call of ${view.target} was rejected by ${view.decidedBy ?? 'an approver'}${view.comment ? `: ${view.comment}` : ''}`;
  return new DomainError('FORBIDDEN', message).toBody();
}
