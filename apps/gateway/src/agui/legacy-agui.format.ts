import { Tasks } from '@switchboard/contracts';
import { type EventFormat, sseFrame } from '../tasks/event-format.js';

/** The event types of the legacy AG-UI events format (`GET /ag-ui/events`). */
export type LegacyEventType =
  | 'AGENT_RESPONSE'
  | 'TOOL_CALL_START'
  | 'TOOL_OUTPUT'
  | 'A2A_DELEGATION_START'
  | 'A2A_DELEGATION_RESULT'
  | 'GUARDRAIL_VIOLATION'
  | 'ERROR';

/** One legacy AG-UI SSE event: `data: {"event_type", "data", "message"}`. */
export interface LegacyEvent {
  event_type: LegacyEventType;
  data: Record<string, unknown>;
  message: string;
}

/**
 * Maps the platform's task events onto the legacy AG-UI event shape. Planning and bookkeeping events
 * have no counterpart there and are not sent; every task ends with AGENT_RESPONSE or ERROR.
 */
// eslint-disable-next-line max-lines-per-function -- a table: one case per event or route
export function toLegacyEvent(e: Tasks.TaskEvent): LegacyEvent | undefined {
  const base = { task_id: e.taskId };
  switch (e.name) {
    case Tasks.TaskEventName.McpTaskStarted:
      return {
        event_type: 'TOOL_CALL_START',
        data: { ...base, tool: e.data.tool, input: e.data.input, step_id: e.data.stepId },
        message: e.message ?? `calling ${e.data.tool}`,
      };
    case Tasks.TaskEventName.McpTaskCompleted:
      return {
        event_type: 'TOOL_OUTPUT',
        data: {
          ...base,
          tool: e.data.tool,
          output: e.data.output,
          step_id: e.data.stepId,
          success: true,
          duration_ms: Tasks.roundDurationMs(e.data.durationMs),
        },
        message: e.message ?? `${e.data.tool} answered`,
      };
    case Tasks.TaskEventName.McpTaskFailed:
      return {
        event_type: 'TOOL_OUTPUT',
        data: {
          ...base,
          tool: e.data.tool,
          step_id: e.data.stepId,
          success: false,
          error: { code: e.data.error.code, message: e.data.error.message },
        },
        message: e.message ?? `${e.data.tool} failed: ${e.data.error.message}`,
      };
    case Tasks.TaskEventName.DelegationStarted:
      return {
        event_type: 'A2A_DELEGATION_START',
        data: {
          ...base,
          agent: e.data.agent,
          message: e.data.message,
          step_id: e.data.stepId,
          transport: e.data.transport,
        },
        message: e.message ?? `delegating to ${e.data.agent}`,
      };
    case Tasks.TaskEventName.DelegationResult:
      return {
        event_type: 'A2A_DELEGATION_RESULT',
        data: {
          ...base,
          agent: e.data.agent,
          state: e.data.state,
          text: e.data.text,
          artifacts: e.data.artifacts,
          step_id: e.data.stepId,
          transport: e.data.transport,
          duration_ms: Tasks.roundDurationMs(e.data.durationMs),
        },
        message: e.message ?? `${e.data.agent} answered`,
      };
    case Tasks.TaskEventName.GuardrailViolation:
      return {
        event_type: 'GUARDRAIL_VIOLATION',
        data: { ...base, stage: e.data.stage, rule: e.data.rule },
        message: e.message ?? `blocked by guardrail ${e.data.rule}`,
      };
    case Tasks.TaskEventName.TaskCompleted:
      return {
        event_type: 'AGENT_RESPONSE',
        data: {
          ...base,
          result: e.data.result,
          output: e.data.output,
          planner: e.data.planner,
          steps: e.data.steps,
        },
        message: e.data.result,
      };
    case Tasks.TaskEventName.TaskFailed:
      return {
        event_type: 'ERROR',
        data: { ...base, code: e.data.error.code, error: e.data.error.message },
        message: e.data.error.message,
      };
    case Tasks.TaskEventName.TaskCancelled:
      return {
        event_type: 'ERROR',
        data: { ...base, code: 'CANCELLED', reason: e.data.reason },
        message: `task cancelled: ${e.data.reason}`,
      };
    default:
      return undefined;
  }
}

/** `data:` frames of legacy AG-UI events; each carries its task event's seq as `id:` to resume. */
export class LegacyAgUiFormat implements EventFormat {
  readonly kind = 'ag-ui-events';

  opening(): string[] {
    return [];
  }

  frames(event: Tasks.TaskEvent): string[] {
    const legacy = toLegacyEvent(event);
    return legacy ? [sseFrame(legacy, { id: String(event.seq) })] : [];
  }
}
