import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DelegationQuota } from '../quotas/delegation.quota.js';
import { DelegateUseCase } from './delegate/delegate.use-case.js';
import { DelegationDriver } from './delegate/delegation.driver.js';
import { DelegationApprovalChecker } from './delegation-approval.checker.js';
import { DelegationLedger } from './delegation-ledger.js';
import { DelegationHandler } from './delegation.handler.js';
import { DelegationReporter } from './delegation.reporter.js';
import { PushInbox } from './push-inbox.js';
import { RunningDelegations } from './running-delegations.js';

/**
 * Delegating a task step to a remote agent: once per step (the ledger), with retries, approval and
 * the tenant's daily quota, push notifications or polling, cancellation, and its report.
 */
@Module({
  imports: [AgentsModule],
  controllers: [DelegationHandler],
  providers: [
    DelegateUseCase,
    DelegationApprovalChecker,
    DelegationDriver,
    DelegationLedger,
    DelegationQuota,
    DelegationReporter,
    PushInbox,
    RunningDelegations,
  ],
})
export class DelegationModule {}
