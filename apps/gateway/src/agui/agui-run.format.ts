import { type BaseEvent, EventType } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';
import { Tasks } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { EventFormat } from '../tasks/event-format.js';

/**
 * Translates one task's events into a valid AG-UI 1.0 run (the order `@ag-ui/client` verifies):
 * RUN_STARTED first; each step as a tool call (START, ARGS, END) whose outcome is a TOOL_CALL_RESULT;
 * planning rounds as STEP_STARTED/FINISHED, all closed before the end; the answer as one assistant
 * text message; then RUN_FINISHED (success or cancelled) or RUN_ERROR last.
 */
export class AgUiRunTranslator {
  private readonly openSteps = new Set<string>();
  private readonly toolCalls = new Map<string, string>();
  private finished = false;

  constructor(
    private readonly threadId: string,
    private readonly runId: string,
    private readonly taskId: string,
    private readonly newId: () => string = randomUUID,
  ) {}

  get isFinished(): boolean {
    return this.finished;
  }

  start(): BaseEvent[] {
    return [
      { type: EventType.RUN_STARTED, threadId: this.threadId, runId: this.runId } as BaseEvent,
      {
        type: EventType.CUSTOM,
        name: 'switchboard.task',
        value: {
          taskId: this.taskId,
          events: `/tasks/${this.taskId}/events`,
          cancel: `/tasks/${this.taskId}/cancel`,
        },
      } as BaseEvent,
    ];
  }

  // eslint-disable-next-line max-lines-per-function -- a table: one case per event or route
  translate(e: Tasks.TaskEvent): BaseEvent[] {
    if (this.finished) return [];
    switch (e.name) {
      case Tasks.TaskEventName.PlanningStarted:
        return this.openStep(`planning-${e.data.iteration}`);
      case Tasks.TaskEventName.PlanningCompleted:
        return this.closeStep(`planning-${e.data.iteration}`);
      case Tasks.TaskEventName.StepDispatching: {
        const key = `${e.data.index}:${e.data.stepId}`;
        if (this.toolCalls.has(key)) return [];
        const toolCallId = `call_${e.taskId.slice(0, 8)}_${e.data.index}_${e.data.stepId}`;
        this.toolCalls.set(key, toolCallId);
        const toolCallName = e.data.kind === 'agent' ? `a2a.${e.data.target}` : e.data.target;
        return [
          { type: EventType.TOOL_CALL_START, toolCallId, toolCallName } as BaseEvent,
          {
            type: EventType.TOOL_CALL_ARGS,
            toolCallId,
            delta: JSON.stringify(e.data.input ?? {}),
          } as BaseEvent,
          { type: EventType.TOOL_CALL_END, toolCallId } as BaseEvent,
        ];
      }
      case Tasks.TaskEventName.StepCompleted:
        return this.toolResult(
          `${e.data.index}:${e.data.stepId}`,
          JSON.stringify(e.data.output ?? null),
        );
      case Tasks.TaskEventName.StepFailed:
        return this.toolResult(
          `${e.data.index}:${e.data.stepId}`,
          JSON.stringify({ error: { code: e.data.error.code, message: e.data.error.message } }),
        );
      case Tasks.TaskEventName.GuardrailViolation:
        return [
          {
            type: EventType.CUSTOM,
            name: 'switchboard.guardrail_violation',
            value: { stage: e.data.stage, rule: e.data.rule },
          } as BaseEvent,
        ];
      case Tasks.TaskEventName.TaskCompleted: {
        const messageId = this.newId();
        this.finished = true;
        return [
          ...this.closeAllSteps(),
          { type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' } as BaseEvent,
          { type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta: e.data.result } as BaseEvent,
          { type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent,
          {
            type: EventType.RUN_FINISHED,
            threadId: this.threadId,
            runId: this.runId,
            result: {
              taskId: this.taskId,
              output: e.data.output ?? null,
              planner: e.data.planner,
              steps: e.data.steps,
            },
            outcome: { type: 'success' },
          } as BaseEvent,
        ];
      }
      case Tasks.TaskEventName.TaskCancelled:
        this.finished = true;
        return [
          ...this.closeAllSteps(),
          {
            type: EventType.RUN_FINISHED,
            threadId: this.threadId,
            runId: this.runId,
            result: { taskId: this.taskId, reason: e.data.reason },
            outcome: { type: 'cancelled' },
          } as BaseEvent,
        ];
      case Tasks.TaskEventName.TaskFailed:
        this.finished = true;
        return [
          {
            type: EventType.RUN_ERROR,
            message: e.data.error.message,
            code: e.data.error.code,
          } as BaseEvent,
        ];
      default:
        return [];
    }
  }

  private toolResult(key: string, content: string): BaseEvent[] {
    const toolCallId = this.toolCalls.get(key);
    if (!toolCallId) return [];
    this.toolCalls.delete(key);
    return [
      {
        type: EventType.TOOL_CALL_RESULT,
        messageId: this.newId(),
        toolCallId,
        content,
        role: 'tool',
      } as BaseEvent,
    ];
  }

  private openStep(stepName: string): BaseEvent[] {
    if (this.openSteps.has(stepName)) return [];
    this.openSteps.add(stepName);
    return [{ type: EventType.STEP_STARTED, stepName } as BaseEvent];
  }

  private closeStep(stepName: string): BaseEvent[] {
    if (!this.openSteps.delete(stepName)) return [];
    return [{ type: EventType.STEP_FINISHED, stepName } as BaseEvent];
  }

  private closeAllSteps(): BaseEvent[] {
    return [...this.openSteps].flatMap((s) => this.closeStep(s));
  }
}

/** AG-UI 1.0 over SSE, encoded by the official encoder (`data: <json>` frames, nulls omitted). */
export class AgUiRunFormat implements EventFormat {
  readonly kind = 'ag-ui';
  private readonly encoder = new EventEncoder();

  constructor(private readonly translator: AgUiRunTranslator) {}

  opening(): string[] {
    return this.translator.start().map((e) => this.encoder.encodeSSE(e));
  }

  frames(event: Tasks.TaskEvent): string[] {
    return this.translator.translate(event).map((e) => this.encoder.encodeSSE(e));
  }
}
