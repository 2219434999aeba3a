import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { A2a, type Actor, DomainError } from '@switchboard/contracts';
import { LOGGER, type Logger, withSpan } from '@switchboard/observability';
import type { A2aEnv } from '../../config/a2a.env.js';
import { DelegationQuota } from '../../quotas/delegation.quota.js';
import { DelegationApprovalChecker } from '../delegation-approval.checker.js';
import { DelegationLedger } from '../delegation-ledger.js';
import { RunningDelegations } from '../running-delegations.js';
import { delegationBudget, DelegationDriver } from './delegation.driver.js';

/**
 * Delegates one message to a remote agent (DelegationDriver runs it, phase by phase). A keyed repeat
 * is attached to the delegation it repeats (DelegationLedger); a delegation this replica does not
 * know that names its remote task (the replica that ran it was lost) follows that task instead of
 * asking the agent again. A delegation to an agent with an approval policy goes nowhere unless it
 * carries an approval the orchestrator confirms (DelegationApprovalChecker), checked on every request,
 * repeats included, and before the ledger: a refusal is not the delegation's outcome. A new delegation
 * takes one of its tenant's `delegationsPerDay` (DelegationQuota), also before the ledger.
 */
@Injectable()
export class DelegateUseCase {
  constructor(
    @Inject(APP_CONFIG) private readonly config: A2aEnv,
    private readonly driver: DelegationDriver,
    private readonly running: RunningDelegations,
    private readonly ledger: DelegationLedger,
    private readonly approvals: DelegationApprovalChecker,
    private readonly quota: DelegationQuota,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The delegation is one span of the task's trace; each HTTP exchange with the agent hangs below. */
  async execute(
    request: A2a.DelegateRequest,
    actor: Actor | undefined,
  ): Promise<A2a.DelegationResult> {
    if (!actor) throw new DomainError('UNAUTHORIZED', 'a delegation needs an acting user');
    await this.approvals.assertApproved(request);
    const attributes = {
      'switchboard.agent': request.agent,
      'switchboard.delegation_id': request.delegationId,
      'switchboard.task_id': request.taskId,
      'switchboard.step_id': request.stepId,
    };
    const earlier = this.ledger.find(request, actor);
    if (earlier) {
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, delegationId: request.delegationId },
        'a repeated delegation request waits for the delegation it repeats',
      );
      return withSpan('a2a delegate (repeat)', attributes, () => earlier);
    }
    return this.repeatOrStart(request, actor, attributes);
  }

  /**
   * A repeat of a delegation another replica runs or ran: its recorded outcome, or — its replica gone
   * — carried on here, following the agent's task; anything else starts now.
   */
  private async repeatOrStart(
    request: A2a.DelegateRequest,
    actor: Actor,
    attributes: Record<string, string>,
  ): Promise<A2a.DelegationResult> {
    const recorded =
      request.repeat && request.idempotencyKey
        ? await this.ledger.recorded(request, actor, delegationBudget(this.config, request))
        : ({ kind: 'none' } as const);
    if (recorded.kind === 'outcome') {
      this.logger.info(
        { agent: request.agent, taskId: request.taskId, delegationId: request.delegationId },
        'a repeated delegation request is answered with the recorded outcome',
      );
      return withSpan('a2a delegate (repeat)', attributes, () => recorded.outcome);
    }
    // Only a delegation that starts here and now is new: not one taken over from a replica that is
    // gone, nor one following the agent's task (counted when they started).
    if (recorded.kind === 'none' && !request.remoteTaskId) await this.quota.take(request, actor);
    const remoteTaskId =
      (recorded.kind === 'take-over' ? recorded.remoteTaskId : undefined) ?? request.remoteTaskId;
    const effective = remoteTaskId ? { ...request, remoteTaskId } : request;
    return this.ledger.start(
      effective,
      actor,
      () =>
        withSpan('a2a delegate', attributes, async (span) => {
          const result = await this.driver.delegate(effective, actor);
          span.setAttributes({
            'switchboard.transport': result.transport,
            'switchboard.remote_state': result.state,
            'switchboard.attempts': result.attempts,
          });
          return result;
        }),
      () => this.running.remoteTaskOf(request.delegationId),
    );
  }
}
