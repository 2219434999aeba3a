import { Controller } from '@nestjs/common';
import { type RequestOf, type ResponseOf, Tools } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { ApprovalPoliciesService } from './approval-policies.service.js';

/** NATS adapter for approval policy overrides: parse → service → reply; the actor comes from headers. */
@Controller()
export class ApprovalPoliciesHandler {
  constructor(private readonly policies: ApprovalPoliciesService) {}

  @HandleCommand(Tools.ApprovalPolicyList)
  async list(
    _req: RequestOf<typeof Tools.ApprovalPolicyList>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.ApprovalPolicyList>> {
    return { policies: await this.policies.list(requireActor(meta.actor)) };
  }

  @HandleCommand(Tools.ApprovalPolicySet)
  set(
    req: RequestOf<typeof Tools.ApprovalPolicySet>,
    meta: MessageMeta,
  ): Promise<ResponseOf<typeof Tools.ApprovalPolicySet>> {
    return this.policies.set(requireActor(meta.actor), req.tool, req.policy);
  }
}
