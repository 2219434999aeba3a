import { Injectable } from '@nestjs/common';
import {
  type Actor,
  type Approvals,
  DomainError,
  type RequestOf,
  tenantOf,
  type Tools,
} from '@switchboard/contracts';
import { NatsBus, requireApproval } from '@switchboard/messaging';
import { approvalArgsHash } from '@switchboard/runtime';
import type { RegisteredTool } from '../registry/tool-registry.service.js';
import { ApprovalPoliciesService } from './approval-policies.service.js';

/** The approval a call runs under, as the orchestrator confirmed it. */
export interface ConfirmedApproval {
  approvalId: string;
  decidedBy: string;
}

/** Why a call that needs approval was refused (`details.reason` of the FORBIDDEN, and its audit). */
export type ApprovalRefusal =
  | 'approval-outside-task'
  | 'approval-missing'
  | 'approval-mismatch'
  | 'approval-not-confirmed'
  | 'answer-not-applicable';

/**
 * Lets a call of a tool whose effective policy needs approval run only under a decided approval of
 * exactly this call: it must carry `approval: {id, argsHash}`, the hash must be that of the tool and
 * the input this service was asked to run (before credentials are injected), and the orchestrator,
 * which holds the decisions, must confirm the approval for this task, tool and hash. Asked on every
 * attempt, a repeated idempotency key included: what was stored for a key never stands in for it.
 * The policy is the one of the caller's tenant (a tool call runs as its task's actor, so the task's):
 * its admins' override, else the definition's.
 */
@Injectable()
export class CallApprovalChecker {
  constructor(
    private readonly bus: NatsBus,
    private readonly policies: ApprovalPoliciesService,
  ) {}

  /** Undefined when the tool needs no approval; the confirmed approval when it does; throws otherwise. */
  async assertApproved(
    registered: RegisteredTool,
    req: Tools.ToolCallRequest,
    actor: Pick<Actor, 'tenantId'>,
  ): Promise<ConfirmedApproval | undefined> {
    if (!(await this.policies.effectiveOf(registered, tenantOf(actor)))) return undefined;
    const { tool, taskId, approval } = req;
    if (!taskId)
      throw refused(
        req,
        'approval-outside-task',
        `tool ${tool} needs a person's approval before each call, so it runs only inside a task (POST /orchestrate), where the call can be approved (POST /tasks/{id}/approvals/{approvalId}; see docs/approvals.md)`,
      );
    if (!approval)
      throw refused(
        req,
        'approval-missing',
        `tool ${tool} needs a person's approval before each call and this call carries none (docs/approvals.md)`,
      );
    const argsHash = approvalArgsHash(tool, req.input);
    if (approval.argsHash !== argsHash)
      throw refused(
        req,
        'approval-mismatch',
        `approval ${approval.id} does not cover this call of ${tool}: its arguments differ from the ones a person approved`,
      );
    return this.confirm(req, { approvalId: approval.id, taskId, target: tool, argsHash });
  }

  /**
   * Undefined when the call carries no answer; the approval a person answered the tool's MCP server's
   * question with when it does (docs/mcp.md): only for a tool of an external MCP server, inside the
   * task that asked, for exactly the answer approved (`argsHash` of the tool and `answer.input`) —
   * confirmed by the orchestrator as for any approval. The model never sets it: the orchestrator
   * sends it from the decided approval.
   */
  async assertAnswered(
    registered: RegisteredTool,
    req: Tools.ToolCallRequest,
  ): Promise<ConfirmedApproval | undefined> {
    const { answer, tool, taskId } = req;
    if (!answer) return undefined;
    if (registered.definition.handler.kind !== 'mcp' || !taskId)
      throw refused(
        req,
        'answer-not-applicable',
        `an answer goes only with a call of a tool of an external MCP server inside the task whose call asked for it, and ${tool} is ${taskId ? 'not one' : 'called outside a task'}`,
      );
    if (approvalArgsHash(tool, answer.input) !== answer.argsHash)
      throw refused(
        req,
        'approval-mismatch',
        `approval ${answer.approvalId} does not cover this answer to ${tool}: it differs from the one a person approved`,
      );
    return this.confirm(req, {
      approvalId: answer.approvalId,
      taskId,
      target: tool,
      argsHash: answer.argsHash,
    });
  }

  private confirm(
    req: Tools.ToolCallRequest,
    verify: RequestOf<typeof Approvals.ApprovalVerify>,
  ): Promise<ConfirmedApproval> {
    // Could not ask: the call does not run, and may be sent again.
    return requireApproval(
      this.bus,
      verify,
      {
        what: `this call of ${req.tool}`,
        consequence: 'so it did not run',
        details: {
          tool: req.tool,
          approvalId: verify.approvalId,
          ...(req.taskId ? { taskId: req.taskId } : {}),
        },
      },
      (why) =>
        refused(
          req,
          'approval-not-confirmed',
          `approval ${verify.approvalId} does not let this call of ${req.tool} run: ${why}`,
        ),
    );
  }
}

/** FORBIDDEN, refused before the tool ran; `reason` says which check failed. */
function refused(req: Tools.ToolCallRequest, reason: ApprovalRefusal, message: string) {
  return new DomainError('FORBIDDEN', message, {
    details: {
      tool: req.tool,
      ...(req.taskId ? { taskId: req.taskId } : {}),
      ...(req.approval ? { approvalId: req.approval.id } : {}),
      reason,
      refusal: 'not-permitted' satisfies Tools.ToolRefusal,
    },
  });
}
