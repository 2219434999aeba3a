import { Inject, Injectable } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { APP_CONFIG } from '@switchboard/config';
import {
  type Actor,
  Approvals,
  isDomainError,
  type Tasks,
  type Tools,
} from '@switchboard/contracts';
import { LOGGER, type Logger, requestContext } from '@switchboard/observability';
import type { GatewayEnv } from '../config/gateway.env.js';
import type { CallThread } from './mcp.translator.js';
import type { TaskSession } from '../tasks/session/task-session.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import {
  abandonedResult,
  DecisionForm,
  directCallTask,
  elicitationMessage,
  outcomeResult,
  rejectedResult,
  stillRunningResult,
  type WaitingCall,
  waitingResult,
} from './mcp-approval.text.js';

/** Longest an MCP request waits for the person answering an elicitation (capped by the expiry). */
export const ELICITATION_TIMEOUT_MS = 10 * 60_000;
/** The rejection reason when the form was declined without one. */
export const DECLINED_REASON = 'declined in the MCP client';

/** An elicitation's answer, as MCP defines it (form mode). */
export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown> | undefined;
}

/** Asks the MCP client's user (elicitation/create on the call's own stream). */
export type Elicit = (message: string, timeoutMs: number) => Promise<ElicitAnswer>;

/**
 * A call through the MCP endpoint that runs as a one-call task: of a tool whose policy needs
 * approval, or on a thread (`_meta["dev.switchboard/thread"]`).
 */
export interface GatedCall {
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
  /** As the caller's manifest offers it, with its policy when it has one. */
  tool: Tools.ManifestTool;
  input: Record<string, unknown>;
  /** The thread the call joins, under its policy (absent: THREAD_POLICY_DEFAULT). */
  thread?: CallThread | undefined;
  /** Present when the client declared form elicitation. */
  elicit: Elicit | undefined;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
}

/**
 * Runs a call that needs approval, or a call on a thread (which then waits for, refuses or displaces
 * the thread's running task as its policy says, like any message), as a one-call task (TaskSubmission `call`: the orchestrator plans it
 * without a model, and its approval gate holds it like any task's call), then asks the caller by
 * elicitation when the client can ask and the policy lets the caller decide; otherwise — or when the
 * form is dismissed — answers how to approve it elsewhere. An approved call's task is followed to its
 * end for at most RESULT_TIMEOUT_MS, as POST /orchestrate waits; then its id is the answer.
 */
@Injectable()
export class McpApprovals {
  constructor(
    private readonly sessions: TaskSessions,
    @Inject(APP_CONFIG) private readonly config: Pick<GatewayEnv, 'RESULT_TIMEOUT_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async call(c: GatedCall): Promise<CallToolResult> {
    const { actor, tool } = c;
    const session = this.sessions.create(actor);
    const { taskId } = session;
    session.leaveWhen(c.signal);
    try {
      // Followed before it is submitted, so no event is missed.
      await session.start();
      const submitted = await session.submit(
        {
          task: directCallTask(tool.name, tool.approval !== undefined),
          ...(c.constraints ? { tool_constraints: c.constraints } : {}),
          ...(c.thread ? { thread_id: c.thread.id } : {}),
          ...(c.thread?.policy ? { thread_policy: c.thread.policy } : {}),
        },
        requestContext.get()?.correlationId ?? taskId,
        { tool: tool.name, input: c.input },
      );
      // Gone before the task was accepted: it is not submitted (nobody could learn its id).
      if (!submitted) return abandonedResult(tool.name);
      const first = await session.outcome({
        timeoutMs: this.config.RESULT_TIMEOUT_MS,
        pause: 'requested',
      });
      // The policy went away meanwhile: the call ran at once.
      if (first.kind === 'answered' || first.kind === 'failed')
        return outcomeResult(tool.name, first.event, undefined);
      if (first.kind !== 'waiting') return stillRunningResult(tool.name, taskId);
      // A policy that appeared meanwhile (a call on a thread of a tool that had none): not known here.
      if (!tool.approval) return stillRunningResult(tool.name, taskId, first.event.data.approvalId);
      const waiting: WaitingCall = {
        taskId,
        approval: first.event.data,
        tool,
        policy: tool.approval,
      };
      if (!c.elicit) return waitingResult(waiting);
      const refusal = Approvals.approvalRefusal(tool.approval, actor.userId, actor);
      if (refusal) return waitingResult(waiting, `You may not decide it yourself: ${refusal}.`);
      return await this.askCaller(c.elicit, waiting, session);
    } finally {
      session.close();
    }
  }

  /** The elicitation, the decision it gives, and the approved call's outcome. */
  private async askCaller(
    elicit: Elicit,
    w: WaitingCall,
    session: TaskSession,
  ): Promise<CallToolResult> {
    const left = Date.parse(w.approval.expiresAt) - Date.now();
    let answer: ElicitAnswer;
    try {
      answer = await elicit(
        elicitationMessage(w),
        Math.max(1_000, Math.min(ELICITATION_TIMEOUT_MS, left)),
      );
    } catch (e) {
      this.logger.debug({ err: e, taskId: w.taskId }, 'the MCP client did not answer the form');
      return waitingResult(w, 'The MCP client did not answer the approval request.');
    }
    if (answer.action === 'cancel')
      return waitingResult(w, 'The approval request was dismissed in the MCP client.');
    const form = answer.action === 'accept' ? DecisionForm.safeParse(answer.content) : undefined;
    if (form && !form.success)
      return waitingResult(w, 'The MCP client answered without a decision (approve or reject).');
    const decision = form?.data.decision ?? 'reject';
    const given = form?.data.reason?.trim();
    const reason = given || (decision === 'reject' ? DECLINED_REASON : undefined);
    const refused = await this.decide(session, w, decision, reason);
    if (refused === 'conflict') return this.outcome(w, session); // decided elsewhere meanwhile
    if (refused) return refused;
    if (decision === 'reject') return rejectedResult(w, reason ?? DECLINED_REASON);
    return this.outcome(w, session);
  }

  /** Undefined once decided; 'conflict' when someone decided first; the answer when it was refused. */
  private async decide(
    session: TaskSession,
    w: WaitingCall,
    decision: Approvals.ApprovalDecision,
    reason: string | undefined,
  ): Promise<CallToolResult | 'conflict' | undefined> {
    try {
      await session.decide({
        approvalId: w.approval.approvalId,
        decision,
        ...(reason ? { reason } : {}),
      });
      return undefined;
    } catch (e) {
      if (isDomainError(e) && e.code === 'CONFLICT') return 'conflict';
      const why = isDomainError(e) ? `${e.code}: ${e.message}` : 'the decision could not be sent';
      if (!isDomainError(e)) this.logger.warn({ err: e, taskId: w.taskId }, 'decision failed');
      return waitingResult(w, `Your decision was not taken (${why}).`);
    }
  }

  /** The task's end within RESULT_TIMEOUT_MS, as the call's result. */
  private async outcome(w: WaitingCall, session: TaskSession): Promise<CallToolResult> {
    const end = await session.outcome({ timeoutMs: this.config.RESULT_TIMEOUT_MS });
    const { approvalId } = w.approval;
    return end.kind === 'answered' || end.kind === 'failed'
      ? outcomeResult(w.tool.name, end.event, approvalId)
      : stillRunningResult(w.tool.name, w.taskId, approvalId);
  }
}
