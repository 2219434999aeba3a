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
import { RUN_TASK_TOOL } from './run-task.tool.js';
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
  /**
   * A whole task to run instead of the one call (`switchboard.run_task`, run-task.tool.ts): planned
   * by the orchestrator; `input` and `thread` are then the task request's.
   */
  task?: Tasks.TaskRequest | undefined;
  /** How long the first wait lasts (default RESULT_TIMEOUT_MS): then the call goes on as its task. */
  waitMs?: number | undefined;
  /** Each event of the task until its first pause (the client's progress notifications). */
  onEvent?: ((event: Tasks.TaskEvent) => void) | undefined;
}

/** A gated call after its first pause: done (its result), or waiting for its approval. */
export type Begun =
  | { kind: 'done'; result: CallToolResult }
  | { kind: 'waiting'; waiting: WaitingCall; session: TaskSession; seq: number };

/** A caller's answer to a waiting call, given by calling again (MCP 2026-07-28). */
export interface Resumed {
  actor: Actor;
  taskId: string;
  approvalId: string;
  /** The seq of the approval request: the task is followed from there on. */
  seq: number;
  /** The tool as the caller's manifest offers it now. */
  tool: Tools.ManifestTool;
  /** Absent: the client answered without the decision (the call keeps waiting). */
  answer: ElicitAnswer | undefined;
  signal: AbortSignal;
}

/** Why the caller may not decide the approval themselves; undefined when they may. */
export function callerRefusal(actor: Actor, w: WaitingCall): string | undefined {
  return Approvals.approvalRefusal(w.policy, actor.userId, actor);
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
    const begun = await this.begin(c);
    if (begun.kind === 'done') return begun.result;
    const { waiting, session } = begun;
    try {
      if (!c.elicit) return waitingResult(waiting);
      const refusal = callerRefusal(c.actor, waiting);
      if (refusal) return waitingResult(waiting, `You may not decide it yourself: ${refusal}.`);
      return await this.askCaller(c.elicit, waiting, session);
    } finally {
      session.close();
    }
  }

  /**
   * Submits the call's one-call task and follows it to its first pause: the call's result when it
   * ended (or the wait did), or the approval it waits for — with the still open session, which the
   * caller closes.
   */
  async begin(c: Omit<GatedCall, 'elicit'>): Promise<Begun> {
    const { tool } = c;
    const session = this.sessions.create(c.actor);
    const { taskId } = session;
    session.leaveWhen(c.signal);
    const done = (result: CallToolResult): Begun => {
      session.close();
      return { kind: 'done', result };
    };
    try {
      // Followed before it is submitted, so no event is missed.
      await session.start();
      const submitted = await session.submit(
        c.task ?? {
          task: directCallTask(tool.name, tool.approval !== undefined),
          ...(c.constraints ? { tool_constraints: c.constraints } : {}),
          ...(c.thread ? { thread_id: c.thread.id } : {}),
          ...(c.thread?.policy ? { thread_policy: c.thread.policy } : {}),
        },
        requestContext.get()?.correlationId ?? taskId,
        c.task ? undefined : { tool: tool.name, input: c.input },
      );
      // Gone before the task was accepted: it is not submitted (nobody could learn its id).
      if (!submitted) return done(abandonedResult(tool.name));
      const first = await session.outcome({
        timeoutMs: c.waitMs ?? this.config.RESULT_TIMEOUT_MS,
        pause: 'requested',
        ...(c.onEvent ? { onEvent: c.onEvent } : {}),
      });
      // The policy went away meanwhile: the call ran at once.
      if (first.kind === 'answered' || first.kind === 'failed')
        return done(outcomeResult(tool.name, first.event, undefined, c.task !== undefined));
      if (first.kind !== 'waiting') return done(stillRunningResult(tool.name, taskId));
      const { approvalId } = first.event.data;
      // A whole task waits for a call of its own: that call's policy (as the orchestrator has it).
      const policy = c.task ? await policyOf(session, approvalId) : tool.approval;
      // A policy that appeared meanwhile (a call on a thread of a tool that had none): not known here.
      if (!policy) return done(stillRunningResult(tool.name, taskId, approvalId));
      const waiting = { taskId, approval: first.event.data, tool, policy };
      return { kind: 'waiting', waiting, session, seq: first.event.seq };
    } catch (e) {
      session.close();
      throw e;
    }
  }

  /**
   * The caller's answer to a call that waits (`input_required` answered by calling again, or
   * `tasks/update`, MCP 2026-07-28): its approval decided as the caller, exactly as the elicitation's
   * answer, and the call's outcome. The task is followed again from the approval request on (`seq`),
   * on whichever replica this is. The ids come from the client: nothing is trusted — the orchestrator
   * lets only those who may see and decide the approval do so (NOT_FOUND for anyone else's task).
   */
  async resume(r: Resumed): Promise<CallToolResult> {
    const session = this.sessions.create(r.actor, r.taskId);
    session.leaveWhen(r.signal);
    try {
      await session.attach({ afterSeq: r.seq, answered: new Set([r.approvalId]) });
      const view = (await session.pendingApprovals())?.find((a) => a.approvalId === r.approvalId);
      // Decided (or expired) meanwhile: the call's outcome is the task's.
      if (!view) return await this.outcomeOf(r.tool.name, r.approvalId, r.taskId, session);
      const policy = view.policy ?? r.tool.approval;
      if (!policy) return stillRunningResult(r.tool.name, r.taskId, r.approvalId);
      const waiting = {
        taskId: r.taskId,
        approval: Approvals.approvalRequestedOf(view),
        tool: r.tool,
        policy,
      };
      return await this.settle(r.answer, waiting, session);
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
    return this.settle(answer, w, session);
  }

  /** The form's answer: the decision it gives, taken as the caller, and the call's outcome. */
  async settle(
    answer: ElicitAnswer | undefined,
    w: WaitingCall,
    session: TaskSession,
  ): Promise<CallToolResult> {
    if (!answer || answer.action === 'cancel')
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
  private outcome(w: WaitingCall, session: TaskSession): Promise<CallToolResult> {
    return this.outcomeOf(w.tool.name, w.approval.approvalId, w.taskId, session);
  }

  private async outcomeOf(
    tool: string,
    approvalId: string,
    taskId: string,
    session: TaskSession,
  ): Promise<CallToolResult> {
    const end = await session.outcome({ timeoutMs: this.config.RESULT_TIMEOUT_MS });
    return end.kind === 'answered' || end.kind === 'failed'
      ? outcomeResult(tool, end.event, approvalId, tool === RUN_TASK_TOOL)
      : stillRunningResult(tool, taskId, approvalId);
  }
}

/** The policy of a pending approval of the session's task, as the orchestrator has it. */
async function policyOf(
  session: TaskSession,
  approvalId: string,
): Promise<Approvals.ApprovalPolicy | undefined> {
  return (await session.pendingApprovals())?.find((a) => a.approvalId === approvalId)?.policy;
}
