import { Tools } from '@switchboard/contracts';
import { CommandRelay, relayCall } from '@switchboard/messaging';
import { ApprovalPoliciesService } from './approval-policies.service.js';

/** Approval policy overrides' NATS commands: each one call of the service, for the acting user. */
export class ApprovalPoliciesRelay extends CommandRelay(
  relayCall(Tools.ApprovalPolicyList, ApprovalPoliciesService, async (policies, _req, actor) => ({
    policies: await policies.list(actor),
  })),
  relayCall(Tools.ApprovalPolicySet, ApprovalPoliciesService, (policies, req, actor) =>
    policies.set(actor, req.tool, req.policy),
  ),
) {}
