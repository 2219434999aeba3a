import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { type Actor, Approvals, parseOrThrow, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';

const ApprovalQuery = z
  .object({
    status: Approvals.ApprovalStatus.default('pending'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
type ApprovalQuery = z.infer<typeof ApprovalQuery>;

/**
 * Approvals (docs/approvals.md): what the caller may decide, a task's approvals, and the decision.
 * The orchestrator owns approvals and checks who may see and decide each; this only carries the call.
 */
@Controller()
@UseGuards(AuthGuard)
export class ApprovalsController {
  constructor(private readonly bus: NatsBus) {}

  /** Approvals the caller may decide (their own tasks', their role's, naming them; admins: all). */
  @Get('approvals')
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(ApprovalQuery)) q: ApprovalQuery,
  ): Promise<{ approvals: Approvals.ApprovalView[] }> {
    return this.bus.request(Approvals.ApprovalList, q, { actor });
  }

  /** One task's approvals of a status (default pending): its owner, approvers and admins see them. */
  @Get('tasks/:id/approvals')
  ofTask(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(ApprovalQuery)) q: ApprovalQuery,
  ): Promise<{ approvals: Approvals.ApprovalView[] }> {
    const taskId = parseOrThrow(Tasks.TaskId, id, 'task id');
    return this.bus.request(Approvals.ApprovalList, { ...q, taskId }, { actor });
  }

  /** Approve (optionally with edited arguments) or reject; 409 when it is decided already. */
  @Post('tasks/:id/approvals/:approvalId')
  @HttpCode(200)
  decide(
    @Param('id') id: string,
    @Param('approvalId') approvalId: string,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Approvals.ApprovalDecisionBody)) body: Approvals.ApprovalDecisionBody,
  ): Promise<Approvals.ApprovalView> {
    const taskId = parseOrThrow(Tasks.TaskId, id, 'task id');
    const approval = parseOrThrow(Approvals.ApprovalId, approvalId, 'approval id');
    return this.bus.request(
      Approvals.ApprovalDecide,
      { ...body, taskId, approvalId: approval },
      { actor },
    );
  }
}
