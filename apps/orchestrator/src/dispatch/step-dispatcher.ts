import { Injectable } from '@nestjs/common';
import type { Tasks } from '@switchboard/contracts';
import { failSpan, withSpan } from '@switchboard/observability';
import { AgentStepRunner } from './agent-step.runner.js';
import type { RecordedStepEvent } from '../tasks/task.repository.js';
import { ToolStepRunner } from './tool-step.runner.js';

/** The events a step's runner emits (its tool's or its agent's), recorded with the step. */
const RECORDED = /^(mcp\.task|a2a\.delegation)\./;
import {
  AgentInputRequired,
  BlockedStepOutput,
  type DispatchContext,
  type StepResult,
  toBody,
  ToolInputRequired,
} from './dispatch.context.js';

/**
 * Runs one planned action (a tool call or a delegation) and reports it as step events. The runners
 * have passed the step's output through the output guardrail before anything here sees it.
 */
@Injectable()
export class StepDispatcher {
  constructor(
    private readonly tools: ToolStepRunner,
    private readonly agents: AgentStepRunner,
  ) {}

  async dispatch(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<StepResult> {
    const ref = { stepId: action.id, index: ctx.index, kind: action.kind, target: action.target };
    ctx.events.emit(
      'orchestrator.step.dispatching',
      { ...ref, input },
      `dispatching ${action.kind} ${action.target}`,
    );
    const started = performance.now();
    // What the runner reports of this step is kept with it: a replay re-emits it (docs/replay.md).
    const recorded: RecordedStepEvent[] = [];
    const untap = ctx.events.tap((e) => {
      const data = e.data as Record<string, unknown>;
      if (RECORDED.test(e.name) && data['stepId'] === action.id)
        recorded.push({ name: e.name, data, ...(e.message ? { message: e.message } : {}) });
    });
    const result = await withSpan(
      `step ${action.kind}`,
      {
        'switchboard.step_id': action.id,
        'switchboard.step.index': ctx.index,
        'switchboard.step.target': action.target,
      },
      async (span) => {
        const r = await this.run(action, input, ctx).then(
          (output): StepResult => ({ ok: true, output, durationMs: performance.now() - started }),
          (e: unknown): StepResult => ({
            ok: false,
            error: toBody(e),
            ...(e instanceof BlockedStepOutput ? { output: e.output } : {}),
            ...(e instanceof AgentInputRequired
              ? { inputRequired: { question: e.question, remoteTaskId: e.remoteTaskId } }
              : {}),
            ...(e instanceof ToolInputRequired ? { toolQuestion: e.question } : {}),
            durationMs: performance.now() - started,
          }),
        );
        span.setAttribute('switchboard.outcome', r.ok ? 'ok' : r.error.code);
        if (!r.ok) failSpan(span, `${r.error.code}: ${r.error.message}`);
        return r;
      },
    ).finally(untap);
    result.events = recorded;
    // The agent's (or the tool's server's) question: the step goes on once a person answered (the approval event says so).
    if (!result.ok && (result.inputRequired || result.toolQuestion)) return result;
    if (result.ok) {
      ctx.events.emit('orchestrator.step.completed', {
        ...ref,
        output: result.output,
        durationMs: result.durationMs,
      });
    } else {
      ctx.events.emit(
        'orchestrator.step.failed',
        { ...ref, error: result.error },
        result.error.message,
      );
    }
    return result;
  }

  private run(
    action: Tasks.PlanAction,
    input: Record<string, unknown>,
    ctx: DispatchContext,
  ): Promise<unknown> {
    return action.kind === 'agent'
      ? this.agents.run(action, input, ctx)
      : this.tools.run(action, input, ctx);
  }
}
