import { Injectable } from '@nestjs/common';
import { type Tasks, Tools } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { abortable, type DispatchContext, toBody } from './dispatch.context.js';

/**
 * Tool steps go to mcp-tools with an idempotency key derived from the task and action, so a re-run
 * after a crash never repeats a completed call. Reported as mcp.task.* events.
 */
@Injectable()
export class ToolStepRunner {
  constructor(private readonly bus: NatsBus) {}

  async run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<unknown> {
    ctx.events.emit('mcp.task.started', { stepId: action.id, tool: action.target, input });
    const call = this.bus.request(
      Tools.ToolsCall,
      {
        tool: action.target,
        input,
        ...(ctx.constraints ? { constraints: ctx.constraints } : {}),
        taskId: ctx.taskId,
        stepId: action.id,
        idempotencyKey: `${ctx.taskId}:${action.id}`,
      },
      {
        actor: ctx.actor,
        timeoutMs: Math.max(1, Math.min(ctx.timeoutMs, Tools.ToolsCall.timeoutMs)),
      },
    );
    try {
      const res = await abortable(call, ctx.signal);
      ctx.events.emit('mcp.task.completed', {
        stepId: action.id,
        tool: action.target,
        output: res.output,
        durationMs: res.durationMs,
      });
      return res.output;
    } catch (e) {
      ctx.events.emit('mcp.task.failed', {
        stepId: action.id,
        tool: action.target,
        error: toBody(e),
      });
      throw e;
    }
  }
}
