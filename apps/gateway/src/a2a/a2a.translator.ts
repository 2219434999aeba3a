import {
  type AgentCard,
  AgentCard as AgentCardCodec,
  type Artifact,
  type Message,
  type Part,
  Role,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import type { User } from '@a2a-js/sdk/server';
import {
  A2AError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import {
  type Actor,
  CONTROL_CHARS_MESSAGE,
  hasControlChars,
  isDomainError,
  Tasks,
} from '@switchboard/contracts';

/**
 * The platform's own A2A face, translated in one place: the caller as an SDK `User`, the platform's
 * task events as A2A status/artifact events, a stored task as an A2A Task, and platform errors as A2A
 * errors. Nothing outside this folder sees an SDK type.
 */

/** The authenticated caller, as the SDK's request context carries it (tasks are scoped by userName). */
export class ActorUser implements User {
  constructor(readonly actor: Actor) {}

  get isAuthenticated(): boolean {
    return true;
  }

  get userName(): string {
    return this.actor.userId;
  }
}

export function actorOf(user: User | undefined): Actor {
  if (user instanceof ActorUser) return user.actor;
  throw new A2AError('the caller is not authenticated');
}

export const textPart = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});

export function agentMessage(
  taskId: string,
  contextId: string,
  text: string,
  messageId: string,
): Message {
  return {
    messageId,
    role: Role.ROLE_AGENT,
    taskId,
    contextId,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** Refuses a message the platform cannot run (checked before the SDK creates a task for it). */
export function assertRunnable(message: Message | undefined): void {
  if (!message) throw new RequestMalformedError('params.message is required');
  if (message.taskId) {
    throw new UnsupportedOperationError(
      'each message starts a new platform task; continuing a task is not supported (reuse contextId to continue the conversation)',
    );
  }
  taskTextOf(message);
}

/** The text a user message asks the platform to do (its text parts, joined). */
export function taskTextOf(message: Message): string {
  const dirty = message.parts.findIndex(
    (p) => p.content?.$case === 'text' && hasControlChars(p.content.value),
  );
  if (dirty >= 0)
    throw new RequestMalformedError(`params.message.parts[${dirty}].text ${CONTROL_CHARS_MESSAGE}`);
  const text = message.parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .join('\n')
    .trim();
  if (!text)
    throw new RequestMalformedError('params.message.parts must contain text (the task to run)');
  if (text.length > Tasks.TASK_TEXT_MAX)
    throw new RequestMalformedError(
      `params.message text must be at most ${Tasks.TASK_TEXT_MAX} characters`,
    );
  return text;
}

/** The progress worth showing an A2A client as a WORKING status (planning chatter is left out). */
export function progressText(event: Tasks.TaskEvent): string | undefined {
  switch (event.name) {
    case 'orchestrator.task.started':
      return 'task started';
    case 'orchestrator.step.dispatching':
    case 'orchestrator.step.completed':
    case 'orchestrator.step.failed':
    case 'a2a.delegation.started':
    case 'a2a.delegation.result':
      return event.message ?? event.name;
    default:
      return undefined;
  }
}

export type TaskOutcome =
  | { state: TaskState.TASK_STATE_COMPLETED; text: string; artifact: Artifact }
  | { state: TaskState.TASK_STATE_FAILED | TaskState.TASK_STATE_CANCELED; text: string };

/** The A2A ending of a terminal platform event, or undefined for any other event. */
export function outcomeOf(event: Tasks.TaskEvent): TaskOutcome | undefined {
  switch (event.name) {
    case 'orchestrator.task.completed':
      return {
        state: TaskState.TASK_STATE_COMPLETED,
        text: event.data.result,
        artifact: resultArtifact(event.data.result, event.data.output),
      };
    case 'orchestrator.task.failed':
      return {
        state: TaskState.TASK_STATE_FAILED,
        text: `${event.data.error.code}: ${event.data.error.message}`,
      };
    case 'orchestrator.task.cancelled':
      return { state: TaskState.TASK_STATE_CANCELED, text: `cancelled: ${event.data.reason}` };
    default:
      return undefined;
  }
}

function resultArtifact(result: string, output: unknown): Artifact {
  const parts: Part[] = [textPart(result)];
  if (output !== undefined)
    parts.push({
      content: { $case: 'data', value: output },
      mediaType: 'application/json',
      filename: '',
      metadata: undefined,
    });
  return {
    artifactId: 'result',
    name: 'result',
    description: 'The answer of the platform task',
    parts,
    metadata: undefined,
    extensions: [],
  };
}

const STATE_OF_STATUS: Record<Tasks.TaskStatus, TaskState> = {
  queued: TaskState.TASK_STATE_SUBMITTED,
  running: TaskState.TASK_STATE_WORKING,
  completed: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELED,
};

/** A task as the orchestrator stores it, for GetTask/CancelTask of tasks this gateway replica did not run. */
export function fromTaskView(view: Tasks.TaskView): Task {
  const text =
    view.result ?? (view.error ? `${view.error.code}: ${view.error.message}` : undefined);
  return {
    id: view.taskId,
    contextId: '',
    status: {
      state: STATE_OF_STATUS[view.status],
      timestamp: view.updatedAt,
      message:
        text === undefined
          ? undefined
          : agentMessage(view.taskId, '', text, `${view.taskId}-status`),
    },
    artifacts:
      view.status === 'completed' && view.result !== undefined
        ? [resultArtifact(view.result, undefined)]
        : [],
    history: [],
    metadata: undefined,
  };
}

/** A queued task this gateway accepted but no orchestrator has claimed yet. */
export function queuedTask(taskId: string): Task {
  return {
    id: taskId,
    contextId: '',
    status: {
      state: TaskState.TASK_STATE_SUBMITTED,
      timestamp: new Date().toISOString(),
      message: undefined,
    },
    artifacts: [],
    history: [],
    metadata: undefined,
  };
}

/**
 * Platform errors as A2A errors. Anything unexpected becomes a generic A2A error carrying only an
 * error id, so no internal message reaches the client.
 */
export function toA2aError(e: unknown, errorId: () => string): A2AError {
  if (e instanceof A2AError) return e;
  if (isDomainError(e)) {
    switch (e.code) {
      case 'NOT_FOUND':
        return new TaskNotFoundError(e.message);
      case 'CONFLICT':
        return new TaskNotCancelableError(e.message);
      case 'VALIDATION':
        return new RequestMalformedError(e.message);
      case 'UNSUPPORTED':
        return new UnsupportedOperationError(e.message);
      default:
        return new A2AError(`${e.code}: ${e.message}`);
    }
  }
  return new A2AError(`internal error (errorId ${errorId()})`);
}

/** The card as v1.0 wire JSON. */
export function cardJson(card: AgentCard): Record<string, unknown> {
  return AgentCardCodec.toJSON(card) as Record<string, unknown>;
}
