import { Inject, Injectable } from '@nestjs/common';
import {
  type Audit,
  DEFAULT_TENANT,
  isDomainError,
  type Tasks,
  tenantOf,
  Tools,
} from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import {
  abortable,
  BlockedStepOutput,
  type DispatchContext,
  screenedError,
  toBody,
  ToolInputRequired,
} from './dispatch.context.js';

/**
 * Tool steps go to mcp-tools with an idempotency key derived from the task and action, so a re-run
 * after a crash never repeats a completed call. Reported as mcp.task.* events, after the output
 * guardrail has seen the result (or error): a blocked result is reported as the placeholder.
 *
 * The request waits at most the bus limit (`ToolsCall.timeoutMs`) or what is left of the task's time;
 * mcp-tools caps every tool's own timeout below the bus limit, so a slow tool answers TIMEOUT itself.
 * A call whose reply never came (no responders, no reply in time, NATS lost) is sent again with the
 * same key within the task's retry budget: mcp-tools answers a repeat with the first call's stored
 * outcome, or waits for it while it still runs, so the tool never runs twice.
 *
 * A tool of an external MCP server may ask a question instead of answering (`input_required`): the
 * step then throws ToolInputRequired (the task asks a person), and once answered the call is sent
 * again with the answer, under a key of its own (`…:answer:<approvalId>`): the asking call's outcome
 * is stored under the first key, and each answer is sent once however often it is asked for.
 *
 * A call's success audit record comes back in its reply (`auditInReply`) and is owed with the step
 * (TaskEventSequence.owe): the statement that stores the step journals it in JournalOutbox and the
 * audit relay chains it after that commit, instead of mcp-tools publishing it to SB_AUDIT. A record
 * that is not mcp-tools' record of a call of this task is not owed (logged).
 */
@Injectable()
export class ToolStepRunner {
  constructor(
    private readonly bus: NatsBus,
    @Inject(LOGGER) private readonly logger?: Pick<Logger, 'warn' | 'error'>,
  ) {}

  async run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<unknown> {
    const stepId = action.id;
    const { answer } = ctx;
    ctx.events.emit('mcp.task.started', { stepId, tool: action.target, input });
    const call = this.bus.request(
      Tools.ToolsCall,
      {
        tool: action.target,
        input,
        ...(ctx.constraints ? { constraints: ctx.constraints } : {}),
        taskId: ctx.taskId,
        stepId,
        idempotencyKey: answer
          ? `${ctx.taskId}:${stepId}:answer:${answer.approvalId}`
          : `${ctx.taskId}:${stepId}`,
        ...(ctx.approval
          ? { approval: { id: ctx.approval.id, argsHash: ctx.approval.argsHash } }
          : {}),
        ...(answer ? { answer } : {}),
        auditInReply: true,
      },
      {
        actor: ctx.actor,
        timeoutMs: Math.max(1, Math.min(ctx.timeoutMs, Tools.ToolsCall.timeoutMs)),
        ...ctx.retry,
        onRetry: (e, attempt, delayMs) =>
          this.logger?.warn(
            {
              taskId: ctx.taskId,
              stepId,
              tool: action.target,
              attempt,
              delayMs,
              reason: e.message,
            },
            'tool call got no reply; sending it again with the same idempotency key',
          ),
      },
    );
    let res: Tools.ToolCallResult;
    try {
      res = await abortable(call, ctx.signal);
    } catch (e) {
      const question = isDomainError(e) ? Tools.toolInputRequiredOf(e.details) : undefined;
      if (question) {
        // What the server asks is shown to people: it passes the output guardrail, as an answer would.
        const blocked = ctx.screen(stepId, { question: question.question, input: question.input });
        if (!blocked) throw new ToolInputRequired(action.target, question);
        ctx.events.emit('mcp.task.failed', {
          stepId,
          tool: action.target,
          error: blocked.toBody(),
        });
        throw new BlockedStepOutput(blocked);
      }
      const error = screenedError(ctx, stepId, e);
      ctx.events.emit('mcp.task.failed', { stepId, tool: action.target, error: toBody(error) });
      throw error;
    }
    // Owed before the step's completion is emitted: the statement storing the step journals both.
    if (res.audit) this.owe(res.audit, ctx, stepId);
    const blocked = ctx.screen(stepId, res.output);
    const reported = blocked ? new BlockedStepOutput(blocked) : undefined;
    // The call did complete (its effects happened); only its output is withheld.
    ctx.events.emit('mcp.task.completed', {
      stepId,
      tool: action.target,
      output: reported ? reported.output : res.output,
      durationMs: res.durationMs,
    });
    if (reported) throw reported;
    return res.output;
  }

  /**
   * Owes the call's record if it is mcp-tools' success record of a tool call of this task, in its
   * user's tenant: anything else in a reply is not this task's to journal, and would be chained as if
   * it were (the relay sends what the journal holds).
   */
  private owe(record: Audit.AuditRecord, ctx: DispatchContext, stepId: string): void {
    const own =
      record.taskId === ctx.taskId &&
      record.category === 'tool' &&
      record.action === 'tool.call' &&
      record.outcome === 'success' &&
      record.source === Tools.ToolsCall.service &&
      (record.tenantId ?? DEFAULT_TENANT) === tenantOf(ctx.actor);
    if (own) ctx.events.owe(record);
    else
      this.logger?.error(
        {
          taskId: ctx.taskId,
          stepId,
          auditId: record.id,
          recordTaskId: record.taskId,
          category: record.category,
          action: record.action,
          source: record.source,
        },
        "a tool call's reply carried an audit record that is not this call's; not journaled",
      );
  }
}
