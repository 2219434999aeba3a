import { type BaseEvent, EventType } from '@ag-ui/core';
import { EventEncoder } from '@ag-ui/encoder';
import { Tasks } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import type { EventFormat } from '../tasks/event-format.js';
import {
  heldToolCallId,
  interruptOf,
  type PendingCall,
  toolCallNameOf,
} from './agui-interrupts.js';

/** How a run of a task that waited for approvals starts: after the decisions of these approvals. */
export interface ResumedRun {
  /** The approvals this run answered: its events start at the first `approval.decided` of one. */
  approvalIds: ReadonlySet<string>;
}

/**
 * Translates one task's events into a valid AG-UI 1.0 run (the order `@ag-ui/client` verifies):
 * RUN_STARTED first; each step as a tool call (START, ARGS, END) whose outcome is a TOOL_CALL_RESULT;
 * planning rounds as STEP_STARTED/FINISHED, all closed before the end; the answer as one assistant
 * text message; then RUN_FINISHED (success or cancelled) or RUN_ERROR last.
 *
 * A call held for approval (docs/approvals.md) is shown as its tool call (START, ARGS, END) when it is
 * asked for; the run then ends with RUN_FINISHED `outcome: interrupt` (see `interrupt`), and the run
 * that resumes it (`resumed`) carries the call's TOOL_CALL_RESULT under the same tool call id.
 */
export class AgUiRunTranslator {
  private readonly openSteps = new Set<string>();
  private readonly toolCalls = new Map<string, string>();
  /** Calls held for approval by step id: their tool call id (shown, or shown by the run that asked). */
  private readonly held = new Map<string, string>();
  /** The calls this run saw asked for, in order. */
  private readonly asked: PendingCall[] = [];
  private finished = false;
  /** A resumed run skips what the run before it showed: until a decision of one of its approvals. */
  private skipping: boolean;

  constructor(
    private readonly threadId: string,
    private readonly runId: string,
    private readonly taskId: string,
    private readonly newId: () => string = randomUUID,
    private readonly resumed?: ResumedRun,
  ) {
    this.skipping = resumed !== undefined;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The calls this run saw asked for (what it interrupts for when the orchestrator cannot be asked). */
  get askedCalls(): readonly PendingCall[] {
    return this.asked;
  }

  /** The task stopped for a decision (an approval was asked for): the run ends with `interrupt`. */
  get isInterrupted(): boolean {
    return !this.finished && this.asked.length > 0;
  }

  /**
   * Ends the run with RUN_FINISHED `outcome: {type: "interrupt"}`, one interrupt per pending approval
   * (`pending`: what the orchestrator says waits; a call it holds that this run did not see asked for
   * gets its tool call here, unless `show` is false: a resumed run's calls were shown by the run that
   * asked). Nothing when none is pending: they were decided meanwhile, the task goes on, and so does
   * the run.
   */
  interrupt(pending: readonly PendingCall[], { show = true } = {}): BaseEvent[] {
    if (this.finished) return [];
    if (pending.length === 0) {
      this.asked.length = 0;
      return [];
    }
    this.finished = true;
    const order = new Map(this.asked.map((c, i) => [c.approvalId, i]));
    const calls = [...pending].sort(
      (a, b) => (order.get(a.approvalId) ?? order.size) - (order.get(b.approvalId) ?? order.size),
    );
    return [
      ...this.closeAllSteps(),
      ...calls.flatMap((c) => (!show || this.held.has(c.stepId) ? [] : this.showHeld(c))),
      {
        type: EventType.RUN_FINISHED,
        threadId: this.threadId,
        runId: this.runId,
        result: { taskId: this.taskId, status: 'waiting_approval' },
        outcome: { type: 'interrupt', interrupts: calls.map((c) => interruptOf(this.taskId, c)) },
      } as BaseEvent,
    ];
  }

  /** Ends the run with RUN_ERROR (e.g. a decision the orchestrator refused). */
  error(code: string, message: string): BaseEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [{ type: EventType.RUN_ERROR, message, code } as BaseEvent];
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
    if (this.finished || this.skipped(e)) return [];
    switch (e.name) {
      case Tasks.TaskEventName.PlanningStarted:
        return this.openStep(`planning-${e.data.iteration}`);
      case Tasks.TaskEventName.PlanningCompleted:
        return this.closeStep(`planning-${e.data.iteration}`);
      case Tasks.TaskEventName.ApprovalRequested:
        return this.approvalRequested(e.data);
      case Tasks.TaskEventName.ApprovalDecided:
        return this.approvalDecided(e.data);
      case Tasks.TaskEventName.StepDispatching:
        return this.dispatching(e.taskId, e.data);
      case Tasks.TaskEventName.StepCompleted:
        return this.toolResult(
          `${e.data.index}:${e.data.stepId}`,
          JSON.stringify(e.data.output ?? null),
        );
      case Tasks.TaskEventName.StepFailed: {
        const key = `${e.data.index}:${e.data.stepId}`;
        // A rejected call fails without being dispatched: its result goes to the call shown.
        this.adoptHeld(e.data.stepId, key);
        return this.toolResult(
          key,
          JSON.stringify({ error: { code: e.data.error.code, message: e.data.error.message } }),
        );
      }
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

  /** A resumed run skips what the run before it showed: until a decision of one of its approvals. */
  private skipped(e: Tasks.TaskEvent): boolean {
    if (!this.skipping) return false;
    const decidedHere =
      e.name === Tasks.TaskEventName.ApprovalDecided &&
      this.resumed?.approvalIds.has(e.data.approvalId);
    if (!decidedHere && !Tasks.isTerminalTaskEvent(e)) return true;
    this.skipping = false;
    return false;
  }

  private approvalRequested(call: PendingCall): BaseEvent[] {
    if (!this.asked.some((c) => c.approvalId === call.approvalId)) this.asked.push(call);
    return this.held.has(call.stepId) ? [] : this.showHeld(call);
  }

  private approvalDecided(
    d: Tasks.TaskEventPayload<typeof Tasks.TaskEventName.ApprovalDecided>,
  ): BaseEvent[] {
    // The call was shown by the run that asked for it: its result comes under the same id.
    if (!this.held.has(d.stepId))
      this.held.set(d.stepId, heldToolCallId(this.taskId, d.stepId, d.approvalId));
    return [
      {
        type: EventType.CUSTOM,
        name: 'switchboard.approval_decided',
        value: {
          approvalId: d.approvalId,
          toolCallId: this.held.get(d.stepId),
          status: d.status,
          ...(d.decidedBy ? { decidedBy: d.decidedBy } : {}),
          edited: d.edited,
        },
      } as BaseEvent,
    ];
  }

  /** A step as its tool call (START, ARGS, END); a call held for approval was shown when asked for. */
  private dispatching(
    taskId: string,
    d: Tasks.TaskEventPayload<typeof Tasks.TaskEventName.StepDispatching>,
  ): BaseEvent[] {
    const key = `${d.index}:${d.stepId}`;
    if (this.toolCalls.has(key) || this.adoptHeld(d.stepId, key)) return [];
    const toolCallId = `call_${taskId.slice(0, 8)}_${d.index}_${d.stepId}`;
    this.toolCalls.set(key, toolCallId);
    const toolCallName = d.kind === 'agent' ? `a2a.${d.target}` : d.target;
    return [
      { type: EventType.TOOL_CALL_START, toolCallId, toolCallName } as BaseEvent,
      {
        type: EventType.TOOL_CALL_ARGS,
        toolCallId,
        delta: JSON.stringify(d.input ?? {}),
      } as BaseEvent,
      { type: EventType.TOOL_CALL_END, toolCallId } as BaseEvent,
    ];
  }

  /** The step takes the tool call shown when its approval was asked for, if it had one. */
  private adoptHeld(stepId: string, key: string): boolean {
    const heldId = this.held.get(stepId);
    if (!heldId || this.toolCalls.has(key)) return false;
    this.held.delete(stepId);
    this.toolCalls.set(key, heldId);
    return true;
  }

  /** The tool call of a call held for approval, as the planner proposed it. */
  private showHeld(call: PendingCall): BaseEvent[] {
    const toolCallId = heldToolCallId(this.taskId, call.stepId, call.approvalId);
    this.held.set(call.stepId, toolCallId);
    return [
      {
        type: EventType.TOOL_CALL_START,
        toolCallId,
        toolCallName: toolCallNameOf(call),
      } as BaseEvent,
      {
        type: EventType.TOOL_CALL_ARGS,
        toolCallId,
        delta: JSON.stringify(call.input ?? {}),
      } as BaseEvent,
      { type: EventType.TOOL_CALL_END, toolCallId } as BaseEvent,
    ];
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

  constructor(readonly translator: AgUiRunTranslator) {}

  encode(events: readonly BaseEvent[]): string[] {
    return events.map((e) => this.encoder.encodeSSE(e));
  }

  opening(): string[] {
    return this.translator.start().map((e) => this.encoder.encodeSSE(e));
  }

  frames(event: Tasks.TaskEvent): string[] {
    return this.translator.translate(event).map((e) => this.encoder.encodeSSE(e));
  }
}
