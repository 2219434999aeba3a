import {
  type Actor,
  DomainError,
  type ErrorBody,
  errorBodyOf,
  isDomainError,
  type Tasks,
  type Tools,
} from '@switchboard/contracts';
import type { RetryBudget } from '@switchboard/messaging';
import { abortable as abortableBy } from '@switchboard/runtime';
import { BLOCKED_PLACEHOLDER } from '../tasks/ports/content-screen.port.js';
import type { TaskEventSequence } from '../tasks/task-event.stream.js';
import type { RecordedStepEvent } from '../tasks/task.repository.js';

export interface DispatchContext {
  taskId: string;
  actor: Actor;
  constraints: Tasks.ToolConstraints | undefined;
  events: TaskEventSequence;
  index: number;
  signal: AbortSignal;
  /** Remaining wall-time budget. */
  timeoutMs: number;
  /** How requests that may be sent again ride out an outage (the task's deadline and patience). */
  retry: RetryBudget;
  /** The task was redelivered after a crash: a step may have started on the replica that died. */
  resumed: boolean;
  /**
   * The output guardrail for what a step brings back: undefined when `value` may be streamed and
   * stored, else the (already reported) error that fails the step. Runners call it before they emit
   * anything that carries the value.
   */
  screen(stepId: string, value: unknown): DomainError | undefined;
  /**
   * The decided approval the call runs under, when it needed one (mcp-tools and a2a check it); for a
   * delegation whose agent asked for input, with the person's reply (`answer`).
   */
  approval?: { id: string; argsHash: string; answer?: { reply: string; remoteTaskId: string } };
  /** For a tool call whose MCP server asked a question: the person's answer, sent with the call again. */
  answer?: Tools.ToolCallAnswer;
}

export type StepResult = (
  | { ok: true; output: unknown; durationMs: number }
  /**
   * `output`: what is kept instead of an output the guardrail blocked. `inputRequired`: not a failure
   * but a question — the delegated agent asks for input, and the task waits for a person's answer.
   */
  | {
      ok: false;
      error: ErrorBody;
      durationMs: number;
      output?: unknown;
      inputRequired?: { question: string; remoteTaskId: string };
      /** Not a failure either: the tool's MCP server asks a question a person answers (an approval). */
      toolQuestion?: Tools.ToolInputRequired;
    }
) & {
  /** What the step's runner reported (its mcp.task.* or a2a.delegation.* events), for the record. */
  events?: RecordedStepEvent[];
};

/**
 * The delegated agent stopped its task to ask for input (TASK_STATE_INPUT_REQUIRED): the step is not
 * over, the calling task waits for a person's answer (an approval), then replies on the agent's task.
 */
export class AgentInputRequired extends Error {
  constructor(
    readonly agent: string,
    readonly question: string,
    readonly remoteTaskId: string,
  ) {
    super(`${agent} asks for input: ${question.slice(0, 300)}`);
    this.name = 'AgentInputRequired';
  }
}

/**
 * The tool's external MCP server asked for input (`input_required`, or its task waits for input): the
 * step is not over, the task waits for a person's answer (an approval), then calls again with it.
 */
export class ToolInputRequired extends Error {
  constructor(
    readonly tool: string,
    readonly question: Tools.ToolInputRequired,
  ) {
    super(`${tool} asks for input: ${question.question.slice(0, 300)}`);
    this.name = 'ToolInputRequired';
  }
}

/**
 * A step whose output the guardrail blocked: it fails with `error`, and the placeholder stands where
 * the output would have been stored.
 */
export class BlockedStepOutput extends Error {
  readonly output = BLOCKED_PLACEHOLDER;

  constructor(readonly error: DomainError) {
    super(error.message);
    this.name = 'BlockedStepOutput';
  }
}

/**
 * Rejects as soon as `signal` aborts, with the task's abort error. The remote call itself is told
 * separately: agent steps send the delegation's cancel; tool calls hear the task's cancel broadcast,
 * which the task handler publishes for a user's cancellation and RunTaskUseCase for a timeout.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  // When the signal has already fired, `p` is dropped: its own rejection must not go unhandled
  // (it would end the process).
  p.catch(() => undefined);
  return abortableBy(p, signal, abortError);
}

export function abortError(signal: AbortSignal): DomainError {
  const reason: unknown = signal.reason;
  if (isDomainError(reason)) return reason;
  return new DomainError('CANCELLED', reason instanceof Error ? reason.message : 'cancelled');
}

export function toBody(e: unknown): ErrorBody {
  if (e instanceof BlockedStepOutput) return e.error.toBody();
  if (e instanceof AgentInputRequired || e instanceof ToolInputRequired)
    return { code: 'UPSTREAM_ERROR', message: e.message, retryable: false };
  return errorBodyOf(e, 'step failed unexpectedly');
}

/**
 * A step's error as it may be streamed and stored: errors can quote what a tool or agent returned
 * (an HTTP body, an MCP error text), so they pass the output guardrail too.
 */
export function screenedError(ctx: DispatchContext, stepId: string, e: unknown): unknown {
  if (e instanceof BlockedStepOutput || !isDomainError(e)) return e;
  return ctx.screen(stepId, { message: e.message, details: e.details }) ?? e;
}
