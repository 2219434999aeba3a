import type { Tasks, Webhooks } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';

/**
 * What an A2A push notification says about a task event, written as A2A wire JSON by hand: the
 * orchestrator does not import the A2A SDK (docs/a2a.md), and these are a handful of fixed shapes.
 * Only the events a push config hears call for one: an approval requested (the task waits for input)
 * and the task's end.
 */

/** A2A 1.0 TaskState and its 0.3 spelling, for the states a notification can announce. */
const STATES = {
  'orchestrator.approval.requested': ['TASK_STATE_INPUT_REQUIRED', 'input-required'],
  'orchestrator.task.completed': ['TASK_STATE_COMPLETED', 'completed'],
  'orchestrator.task.failed': ['TASK_STATE_FAILED', 'failed'],
  'orchestrator.task.cancelled': ['TASK_STATE_CANCELED', 'canceled'],
} as const satisfies Record<string, readonly [string, string]>;

type NotifiedName = keyof typeof STATES;

/** Whether push configs hear this event. */
export function notifies(name: string): name is NotifiedName {
  return Object.hasOwn(STATES, name);
}

/** The A2A state an event moves the task to, in a wire version (undefined: it notifies nothing). */
export function stateOf(name: string, wire: Webhooks.A2aPushWireVersion): string | undefined {
  if (!notifies(name)) return undefined;
  return STATES[name][wire === '1.0' ? 0 : 1];
}

/** The text and data of the status message: what waits and how to answer, or how the task ended. */
function statusContent(event: Tasks.TaskEvent): { text: string; data?: unknown } {
  switch (event.name) {
    case 'orchestrator.approval.requested': {
      const { approvalId, kind, target, input, reason, expiresAt } = event.data;
      return {
        text: `${target} waits for a decision (approval ${approvalId}, until ${expiresAt}): ${reason}. Answer with a message on this task: approve, or reject <reason>.`,
        data: { approvals: [{ approvalId, kind, target, input, reason, expiresAt }] },
      };
    }
    case 'orchestrator.task.completed':
      return {
        text: event.data.result,
        ...(event.data.output !== undefined ? { data: event.data.output } : {}),
      };
    case 'orchestrator.task.failed':
      return { text: `${event.data.error.code}: ${event.data.error.message}` };
    case 'orchestrator.task.cancelled':
      return { text: `cancelled: ${event.data.reason}` };
    default:
      return { text: event.message ?? event.name };
  }
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * Where the contextId goes in a body, for the store to replace (`replace(body, marker, …)`): the
 * task's thread is read with its row, in the statement that stores the deliveries. A NUL, which no
 * stored text holds, around a random id: no text of an event can spell it.
 */
export const CONTEXT_MARKER = json(`\u0000context-${randomUUID()}\u0000`);
const CONTEXT = JSON.parse(CONTEXT_MARKER) as string;

/**
 * The notification of `event` of task `taskId`, with CONTEXT_MARKER where the contextId goes: in
 * A2A 1.0 a StreamResponse `{statusUpdate}` (what the spec posts per event), in 0.3 the Task object
 * `{kind: "task", …}` the 0.3 spec posts.
 */
export function pushBodyOf(
  taskId: string,
  event: Tasks.TaskEvent,
  wire: Webhooks.A2aPushWireVersion,
): string | undefined {
  const state = stateOf(event.name, wire);
  if (!state) return undefined;
  const { text, data } = statusContent(event);
  const messageId = `${taskId}-${event.seq}`;
  const metadata = { seq: event.seq, event: event.name };
  if (wire === '0.3')
    return json({
      kind: 'task',
      id: taskId,
      contextId: CONTEXT,
      status: {
        state,
        timestamp: event.at,
        message: {
          kind: 'message',
          messageId,
          role: 'agent',
          taskId,
          contextId: CONTEXT,
          parts: [{ kind: 'text', text }, ...(data !== undefined ? [{ kind: 'data', data }] : [])],
        },
      },
      metadata,
    });
  return json({
    statusUpdate: {
      taskId,
      contextId: CONTEXT,
      status: {
        state,
        timestamp: event.at,
        message: {
          messageId,
          role: 'ROLE_AGENT',
          taskId,
          contextId: CONTEXT,
          parts: [
            { text, mediaType: 'text/plain' },
            ...(data !== undefined ? [{ data, mediaType: 'application/json' }] : []),
          ],
        },
      },
      metadata,
    },
  });
}

/** A body with its contextId put in, as the store does (`replace`). */
export function withContext(body: string, contextId: string): string {
  return body.split(CONTEXT_MARKER).join(json(contextId));
}
