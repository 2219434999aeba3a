import { Approvals, parseOrThrow } from '@switchboard/contracts';
import { z } from 'zod';
import { get, HttpRelay, post } from '../http/http-relay.js';
import { taskOf } from '../http/task-id.param.js';

const ApprovalQuery = z
  .object({
    status: Approvals.ApprovalStatus.default('pending'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/**
 * Approvals (docs/approvals.md): what the caller may decide, a task's approvals, and the decision.
 * The orchestrator owns approvals and checks who may see and decide each; this only carries the call.
 */
export class ApprovalsController extends HttpRelay(
  '',
  // Approvals the caller may decide (their own tasks', their role's, naming them; admins: all).
  get('approvals', Approvals.ApprovalList, { query: ApprovalQuery }),
  // One task's approvals of a status (default pending): its owner, approvers and admins see them.
  get('tasks/:id/approvals', Approvals.ApprovalList, {
    query: ApprovalQuery,
    request: ({ params, query }) => ({ ...query, taskId: taskOf(params) }),
  }),
  // Approve (optionally with edited arguments) or reject; 409 when it is decided already.
  post('tasks/:id/approvals/:approvalId', Approvals.ApprovalDecide, {
    body: Approvals.ApprovalDecisionBody,
    status: 200,
    request: ({ params, body }) => {
      const taskId = taskOf(params);
      const approval = parseOrThrow(Approvals.ApprovalId, params['approvalId'], 'approval id');
      return { ...body, taskId, approvalId: approval };
    },
  }),
) {}
