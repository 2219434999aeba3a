import { Injectable } from '@nestjs/common';
import { A2a, DomainError } from '@switchboard/contracts';
import { NatsBus, requireApproval } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import { AgentRegistry } from '../agents/agent-registry.service.js';
import { DelegationReporter } from './delegation.reporter.js';

/** The approval a delegation runs under, as the orchestrator confirmed it. */
export interface ConfirmedApproval {
  approvalId: string;
  decidedBy: string;
}

/** Why a delegation that needs approval was refused (`details.reason` of the FORBIDDEN, and its audit). */
export type DelegationApprovalRefusal =
  'approval-missing' | 'approval-mismatch' | 'approval-not-confirmed';

/**
 * Lets a delegation to an agent with an approval policy (A2A_AGENTS) go out only under a decided
 * approval of exactly this delegation: it must carry `approval: {id, argsHash}`, the hash must be that
 * of the agent and the arguments this service is about to send (A2a.delegationApprovalArgs), and the
 * orchestrator, which holds the decisions, must confirm the approval for this task, agent and hash.
 * Asked before anything reaches the agent; every refusal is audited as `denied` with its reason.
 */
@Injectable()
export class DelegationApprovalChecker {
  constructor(
    private readonly bus: NatsBus,
    private readonly registry: AgentRegistry,
    private readonly reporter: DelegationReporter,
  ) {}

  /** Undefined when the agent needs no approval; the confirmed approval when it does; throws otherwise. */
  async assertApproved(request: A2a.DelegateRequest): Promise<ConfirmedApproval | undefined> {
    if (!this.registry.require(request.agent).approval) return undefined;
    const { agent, approval } = request;
    if (!approval)
      throw this.refused(
        request,
        'approval-missing',
        `agent ${agent} needs a person's approval before each delegation and this one carries none (docs/approvals.md)`,
      );
    const argsHash = A2a.delegationApprovalArgs(request)
      .map((args) => approvalArgsHash(agent, args))
      .find((hash) => hash === approval.argsHash);
    if (!argsHash)
      throw this.refused(
        request,
        'approval-mismatch',
        `approval ${approval.id} does not cover this delegation to ${agent}: its arguments differ from the ones a person approved`,
      );
    // Could not ask: nothing is sent to the agent, and the delegation may be asked for again.
    return requireApproval(
      this.bus,
      { approvalId: approval.id, taskId: request.taskId, target: agent, argsHash },
      {
        what: `this delegation to ${agent}`,
        consequence: 'so it was not sent',
        details: { agent, approvalId: approval.id, taskId: request.taskId },
      },
      (why) =>
        this.refused(
          request,
          'approval-not-confirmed',
          `approval ${approval.id} does not let this delegation to ${agent} run: ${why}`,
        ),
    );
  }

  /** FORBIDDEN, before the agent was asked anything; audited with the check that failed. */
  private refused(
    request: A2a.DelegateRequest,
    reason: DelegationApprovalRefusal,
    message: string,
  ): DomainError {
    const approvalId = request.approval?.id;
    this.reporter.record(request, 'denied', { reason, ...(approvalId ? { approvalId } : {}) });
    return new DomainError('FORBIDDEN', message, {
      details: {
        agent: request.agent,
        taskId: request.taskId,
        ...(approvalId ? { approvalId } : {}),
        reason,
      },
    });
  }
}
