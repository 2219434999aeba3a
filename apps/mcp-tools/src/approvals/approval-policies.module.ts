import { Module } from '@nestjs/common';
import { ApprovalOverridesCache } from './approval-overrides.cache.js';
import { ApprovalPoliciesRelay } from './approval-policies.relay.js';
import { ApprovalPoliciesService } from './approval-policies.service.js';
import { ApprovalPolicyRepository } from './approval-policy.repository.js';
import { CallApprovalChecker } from './call-approval.checker.js';

/** Per-tenant approval policies of tools (docs/approvals.md) and the check a call passes before it runs. */
@Module({
  controllers: [ApprovalPoliciesRelay],
  providers: [
    ApprovalOverridesCache,
    ApprovalPoliciesService,
    ApprovalPolicyRepository,
    CallApprovalChecker,
  ],
  exports: [ApprovalPoliciesService, CallApprovalChecker],
})
export class ApprovalPoliciesModule {}
