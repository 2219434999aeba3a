import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { ApprovalGate } from './approval.gate.js';
import { ApprovalHandler } from './approval.handler.js';
import { ApprovalRelay } from './approval.relay.js';
import { ApprovalMetrics } from './approval.metrics.js';
import { ApprovalRepository } from './approval.repository.js';
import { DecideApprovalUseCase } from './decide-approval/decide-approval.use-case.js';
import { ExpireApprovalsUseCase } from './expire-approvals/expire-approvals.use-case.js';
import { TaskResumer } from './task-resumer.js';

const providers = [
  ApprovalGate,
  ApprovalMetrics,
  ApprovalRepository,
  DecideApprovalUseCase,
  ExpireApprovalsUseCase,
  TaskResumer,
];

/** Approvals (docs/approvals.md): the call gate and the pending decisions the task core asks. */
@Module({
  imports: [AgentsModule],
  controllers: [ApprovalHandler, ApprovalRelay],
  providers,
  exports: providers,
})
export class ApprovalsModule {}
