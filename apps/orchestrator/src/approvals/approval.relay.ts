import { Approvals } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { DecideApprovalUseCase } from './decide-approval/decide-approval.use-case.js';

/** An approval's decision, the use case's whole work for the acting user (docs/approvals.md). */
export class ApprovalRelay extends CommandRelay(
  relay(Approvals.ApprovalDecide, DecideApprovalUseCase),
) {}
