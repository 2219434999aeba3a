import { Injectable } from '@nestjs/common';
import { type Tasks, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import {
  abortable,
  BlockedStepOutput,
  type DispatchContext,
  screenedError,
  toBody,
} from './dispatch.context.js';

/**
 * Tool steps go to mcp-tools with an idempotency key derived from the task and action, so a re-run
 * after a crash never repeats a completed call. Reported as mcp.task.* events, after the output
 * guardrail has seen the result (or error): a blocked result is reported as the placeholder.
 *
 * The request waits at most the bus limit (`ToolsCall.timeoutMs`) or what is left of the task's time;
 * mcp-tools caps every tool's own timeout below the bus limit, so a slow tool answers TIMEOUT itself.
 */
@Injectable()
export class ToolStepRunner {
  constructor(private readonly bus: NatsBus) {}

  async run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<unknown> {
    const stepId = action.id;
    ctx.events.emit('mcp.task.started', { stepId, tool: action.target, input });
    const call = this.bus.request(
      Tools.ToolsCall,
      {
        tool: action.target,
        input,
        ...(ctx.constraints ? { constraints: ctx.constraints } : {}),
        taskId: ctx.taskId,
        stepId,
        idempotencyKey: `${ctx.taskId}:${stepId}`,
      },
      {
        actor: ctx.actor,
        timeoutMs: Math.max(1, Math.min(ctx.timeoutMs, Tools.ToolsCall.timeoutMs)),
      },
    );
    let res: Tools.ToolCallResult;
    try {
      res = await abortable(call, ctx.signal);
    } catch (e) {
      const error = screenedError(ctx, stepId, e);
      ctx.events.emit('mcp.task.failed', { stepId, tool: action.target, error: toBody(error) });
      throw error;
    }
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
}
