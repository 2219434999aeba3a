import {
  A2A_PROTOCOL_VERSION,
  A2A_VERSION_HEADER,
  type AgentCard,
  AgentCard as AgentCardCodec,
  type Artifact,
  type Message,
  type Part,
  Role,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import {
  A2A_LEGACY_PROTOCOL_VERSION,
  isLegacyJsonRpcMethod,
  isV1JsonRpcMethod,
  legacyJsonRpcToV1Method,
  v1MethodToLegacyJsonRpc,
} from '@a2a-js/sdk/compat/v0_3';
import { LegacyRestTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import {
  type A2ARequestHandler,
  getSupportedVersions,
  ServerCallContext,
  type User,
} from '@a2a-js/sdk/server';
import {
  A2A_ERROR_CODE,
  A2AError,
  JsonRpcUnsupportedOperationError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
  VersionNotSupportedError,
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
 * task events as A2A status/artifact events, a stored task as an A2A Task, platform errors as A2A
 * errors, and which A2A version (1.0 or 0.3) a request speaks. Nothing outside this folder sees an SDK
 * type. The 0.3 wire itself (method names, kind-tagged parts, lowercase states) is the SDK's compat
 * layer's to translate.
 */

/** The authenticated caller, as the SDK's request context carries it (tasks are scoped by userName). */
export class ActorUser implements User {
  constructor(readonly actor: Actor) {}

  get isAuthenticated(): boolean {
    return true;
  }

  /**
   * Who owns a task in the SDK's store: the user within their tenant, so the same user id in another
   * tenant finds none of this user's tasks (with tenancy off, the bare user id as before).
   */
  get userName(): string {
    const { tenantId, userId } = this.actor;
    return tenantId ? `${tenantId}/${userId}` : userId;
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

/** The A2A state of a platform task's status (a stored task, a listed one). */
export const STATE_OF_STATUS: Record<Tasks.TaskStatus, TaskState> = {
  queued: TaskState.TASK_STATE_SUBMITTED,
  running: TaskState.TASK_STATE_WORKING,
  // A call waits for a person's decision (docs/approvals.md).
  waiting_approval: TaskState.TASK_STATE_INPUT_REQUIRED,
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

/**
 * The card as v0.3 wire JSON (`url`, `preferredTransport`, `protocolVersion` 0.3, v0.3 security
 * schemes) for callers that ask for no version, keeping the 1.0 `supportedInterfaces` so a reader of
 * either version finds both: what the SDK's own agent-card handler serves with legacyCompat. The SDK's
 * card translator is public only behind LegacyRestTransportHandler, which asks its request handler for
 * nothing but the card here.
 */
export async function legacyCardJson(card: AgentCard): Promise<Record<string, unknown>> {
  const cardOnly: Pick<A2ARequestHandler, 'getAuthenticatedExtendedAgentCard'> = {
    getAuthenticatedExtendedAgentCard: () => Promise.resolve(card),
  };
  const legacy = await new LegacyRestTransportHandler(
    cardOnly as A2ARequestHandler,
  ).getAuthenticatedExtendedAgentCard(new ServerCallContext());
  return { ...legacy, supportedInterfaces: cardJson(card)['supportedInterfaces'] };
}

/**
 * The A2A version a request speaks: its `A2A-Version` header, or 0.3 without one (the spec reads a
 * missing header as 0.3, and 0.3 clients never send it).
 */
export function requestedVersionOf(header: string | string[] | undefined): string {
  const value = (Array.isArray(header) ? header.join(', ') : (header ?? '')).trim();
  return value || A2A_LEGACY_PROTOCOL_VERSION;
}

/** Whether a request in this version is answered on the 0.3 wire. */
export const isLegacyVersion = (version: string): boolean =>
  version === A2A_LEGACY_PROTOCOL_VERSION;

/**
 * Refuses, saying what to send instead, a request in a version the card does not list, and a method of
 * the other version: a 1.0 client that left out the header, or a 0.3 one that sent `A2A-Version: 1.0`
 * (the SDK would answer only "method not found").
 */
export function assertAnswerable(card: AgentCard, version: string, method: unknown): void {
  const served = [...getSupportedVersions(card, 'JSONRPC')];
  const asOne = `send the header '${A2A_VERSION_HEADER}: ${A2A_PROTOCOL_VERSION}'`;
  const asLegacy = `send no ${A2A_VERSION_HEADER} header, or '${A2A_VERSION_HEADER}: ${A2A_LEGACY_PROTOCOL_VERSION}'`;
  if (!served.includes(version))
    throw new VersionNotSupportedError(
      `A2A version '${version}' (the ${A2A_VERSION_HEADER} header) is not supported; supported versions: ${served.join(', ')}. For A2A ${A2A_PROTOCOL_VERSION} ${asOne}; for A2A ${A2A_LEGACY_PROTOCOL_VERSION} ${asLegacy}`,
    );
  if (isLegacyVersion(version) && isV1JsonRpcMethod(method)) {
    const name = method as string;
    const legacyName = legacyNameOf(name);
    throw methodNotFound(
      `'${name}' is an A2A ${A2A_PROTOCOL_VERSION} method, but this request speaks A2A ${A2A_LEGACY_PROTOCOL_VERSION} (no ${A2A_VERSION_HEADER} header means ${A2A_LEGACY_PROTOCOL_VERSION})${legacyName ? `, where it is '${legacyName}'` : ''}: ${asOne}`,
    );
  }
  if (!isLegacyVersion(version) && isLegacyJsonRpcMethod(method)) {
    const name = method as string;
    throw methodNotFound(
      `'${name}' is an A2A ${A2A_LEGACY_PROTOCOL_VERSION} method; in A2A ${version} it is '${legacyJsonRpcToV1Method(name)}'. To speak A2A ${A2A_LEGACY_PROTOCOL_VERSION}, ${asLegacy}`,
    );
  }
}

function legacyNameOf(method: string): string | undefined {
  try {
    return v1MethodToLegacyJsonRpc(method);
  } catch {
    return undefined; // a 1.0 method 0.3 has no counterpart for (ListTasks)
  }
}

const methodNotFound = (message: string): A2AError =>
  new JsonRpcUnsupportedOperationError({ message, envelopeCode: A2A_ERROR_CODE.METHOD_NOT_FOUND });
