import {
  type AgentCard,
  type Artifact,
  type Message,
  type Part,
  Role,
  type StreamResponse,
  type Task,
  TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import { DefaultAgentCardResolver } from '@a2a-js/sdk/client';
import { A2AError } from '@a2a-js/sdk/errors';
import {
  type A2a,
  DomainError,
  type ErrorCode,
  isDomainError,
  validationError,
} from '@switchboard/contracts';
import { z } from 'zod';
import type {
  OutgoingMessage,
  RemoteCard,
  RemoteEvent,
  RemoteTaskSnapshot,
} from '../delegation/remote-agent.port.js';

/**
 * The one place where @a2a-js/sdk's ts-proto objects meet the platform: cards, messages, tasks and
 * stream events become plain contract/domain values (A2A v1.0 wire names), and SDK errors become
 * DomainErrors. Everything the agent sends is validated here, with the field named on failure.
 */

const resolver = new DefaultAgentCardResolver({ legacyCompat: { enabled: true } });

const HttpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL');

/** What an agent card must hold for the platform to use it (after v0.3 cards are normalised). */
const UsableCard = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().max(4_000),
  version: z.string().max(100),
  supportedInterfaces: z
    .array(
      z.object({
        url: HttpUrl,
        protocolBinding: z.string().min(1, 'must not be empty'),
        protocolVersion: z.string().regex(/^\d+\.\d+/, 'must be Major.Minor, e.g. 1.0'),
      }),
    )
    .min(1, 'must list at least one interface')
    .refine(
      (ifs) => ifs.some((i) => SUPPORTED_BINDINGS.has(i.protocolBinding)),
      'must offer a JSONRPC or HTTP+JSON interface',
    ),
  skills: z
    .array(
      z.object({ id: z.string(), name: z.string().max(200), description: z.string().max(4_000) }),
    )
    .max(200),
});

const SUPPORTED_BINDINGS = new Set(['JSONRPC', 'HTTP+JSON']);

/**
 * Parses a fetched card (v1.0, v0.3 or proto-JSON shaped) into the SDK's card and the platform's view.
 * Every interface the client could pick must be on the origin of the agent's configured `baseUrl`:
 * the interface URL decides where (and whether over XMPP) JSON-RPC goes, so a card naming another
 * host would move the agent's traffic there — off the bridge, or to any host the service can reach.
 */
export function readAgentCard(
  json: unknown,
  agent: string,
  baseUrl: string,
): { sdkCard: AgentCard; card: RemoteCard } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new DomainError('UPSTREAM_ERROR', `the agent card of ${agent} is not a JSON object`);
  }
  let sdkCard: AgentCard;
  try {
    sdkCard = resolver.normalizeAgentCard(json);
  } catch (e) {
    throw new DomainError(
      'UPSTREAM_ERROR',
      `the agent card of ${agent} cannot be read: ${(e as Error).message}`,
    );
  }
  const checked = UsableCard.safeParse(sdkCard);
  if (!checked.success) {
    const err = validationError(`agent card of ${agent}`, checked.error);
    throw new DomainError('UPSTREAM_ERROR', err.message, {
      ...(err.details ? { details: err.details } : {}),
    });
  }
  const origin = new URL(baseUrl).origin;
  const foreign = checked.data.supportedInterfaces.find(
    (i) => SUPPORTED_BINDINGS.has(i.protocolBinding) && new URL(i.url).origin !== origin,
  );
  if (foreign) {
    throw new DomainError(
      'UPSTREAM_ERROR',
      `the agent card of ${agent} names the interface ${new URL(foreign.url).origin}, not its own origin ${origin}: refused (a card may not send the agent's traffic to another host)`,
      { details: { agent, interfaceUrl: foreign.url, baseUrl } },
    );
  }
  const preferred = chosenInterface(checked.data.supportedInterfaces);
  return {
    sdkCard,
    card: {
      name: checked.data.name,
      description: checked.data.description,
      version: checked.data.version,
      protocolVersion: /^\d+\.\d+/.exec(preferred?.protocolVersion ?? '')?.[0] ?? '1.0',
      interfaceUrl: preferred?.url ?? '',
      streaming: sdkCard.capabilities?.streaming === true,
      pushNotifications: sdkCard.capabilities?.pushNotifications === true,
      skills: checked.data.skills.map((s) => ({
        id: s.id,
        name: s.name,
        description: s.description,
      })),
      json: json as Record<string, unknown>,
    },
  };
}

/**
 * The interface the SDK's ClientFactory will pick: the first supported binding in the card's order,
 * and for that binding the 1.0 interface when there is one. Its host decides HTTP or XMPP.
 */
function chosenInterface<I extends { protocolBinding: string; protocolVersion: string }>(
  interfaces: I[],
): I | undefined {
  const binding = interfaces.find((i) =>
    SUPPORTED_BINDINGS.has(i.protocolBinding),
  )?.protocolBinding;
  const candidates = interfaces.filter((i) => i.protocolBinding === binding);
  return candidates.find((i) => i.protocolVersion === '1.0') ?? candidates[0];
}

const textPart = (value: string): Part => ({
  content: { $case: 'text', value },
  mediaType: 'text/plain',
  filename: '',
  metadata: undefined,
});

/**
 * The user message of a delegation: its text, and the previous step's result as a data part. A reply
 * to the agent's question names its task and context (A2A continues an interrupted task that way).
 */
export function toMessage(m: OutgoingMessage): Message {
  const parts: Part[] = [textPart(m.text)];
  if (m.context !== undefined) {
    parts.push({
      content: { $case: 'data', value: { context: m.context } },
      mediaType: 'application/json',
      filename: '',
      metadata: undefined,
    });
  }
  return {
    messageId: m.messageId,
    role: Role.ROLE_USER,
    contextId: m.onTask?.contextId ?? '',
    taskId: m.onTask?.taskId ?? '',
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

export function stateName(state: TaskState | undefined): string {
  return taskStateToJSON(state ?? TaskState.TASK_STATE_UNSPECIFIED);
}

function partsText(parts: readonly Part[] | undefined): string {
  return (parts ?? [])
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .filter(Boolean)
    .join('\n');
}

function messageText(m: Message | undefined): string | undefined {
  const text = partsText(m?.parts);
  return text ? text : undefined;
}

function toPart(p: Part): A2a.DelegatedArtifact['parts'][number] {
  const extra = {
    ...(p.mediaType ? { mediaType: p.mediaType } : {}),
    ...(p.filename ? { filename: p.filename } : {}),
  };
  switch (p.content?.$case) {
    case 'text':
      return { text: p.content.value, ...extra };
    case 'data':
      return { data: p.content.value as unknown, ...extra };
    case 'url':
      return { url: p.content.value, ...extra };
    case 'raw':
      return { raw: Buffer.from(p.content.value).toString('base64'), ...extra };
    default:
      return { ...extra };
  }
}

export function toArtifact(a: Artifact): A2a.DelegatedArtifact {
  return {
    artifactId: a.artifactId,
    ...(a.name ? { name: a.name } : {}),
    ...(a.description ? { description: a.description } : {}),
    parts: a.parts.map(toPart),
  };
}

export function toSnapshot(task: Task): RemoteTaskSnapshot {
  if (!task.id) throw new DomainError('UPSTREAM_ERROR', 'the agent returned a task without an id');
  return {
    taskId: task.id,
    contextId: task.contextId,
    state: stateName(task.status?.state),
    statusText: messageText(task.status?.message),
    artifacts: task.artifacts.map(toArtifact),
  };
}

/** SendMessage's result: a Task or a Message (the SDK tells them apart by `messageId`). */
export function fromSendResult(result: Task | Message): RemoteEvent & { kind: 'task' | 'message' } {
  if ('messageId' in result)
    return { kind: 'message', contextId: result.contextId, text: messageText(result) ?? '' };
  return { kind: 'task', task: toSnapshot(result) };
}

export function fromStreamResponse(ev: StreamResponse): RemoteEvent {
  const p = ev.payload;
  switch (p?.$case) {
    case 'task':
      return { kind: 'task', task: toSnapshot(p.value) };
    case 'message':
      return { kind: 'message', contextId: p.value.contextId, text: messageText(p.value) ?? '' };
    case 'statusUpdate':
      return {
        kind: 'status',
        taskId: p.value.taskId,
        contextId: p.value.contextId,
        state: stateName(p.value.status?.state),
        text: messageText(p.value.status?.message),
      };
    case 'artifactUpdate':
      if (!p.value.artifact)
        throw new DomainError(
          'UPSTREAM_ERROR',
          'the agent sent an artifact update without an artifact',
        );
      return {
        kind: 'artifact',
        taskId: p.value.taskId,
        artifact: toArtifact(p.value.artifact),
        append: p.value.append,
      };
    default:
      throw new DomainError('UPSTREAM_ERROR', 'the agent sent an empty stream event');
  }
}

const CODE_OF_REASON: Record<string, ErrorCode> = {
  TASK_NOT_FOUND: 'NOT_FOUND',
  TASK_NOT_CANCELABLE: 'CONFLICT',
  UNSUPPORTED_OPERATION: 'UNSUPPORTED',
  VERSION_NOT_SUPPORTED: 'UNSUPPORTED',
  CONTENT_TYPE_NOT_SUPPORTED: 'UNSUPPORTED',
  EXTENSION_SUPPORT_REQUIRED: 'UNSUPPORTED',
  PUSH_NOTIFICATION_NOT_SUPPORTED: 'UNSUPPORTED',
};

/**
 * An error of an SDK call in platform terms. Transport errors raised by our own fetch are already
 * DomainErrors and pass through; A2A errors keep their reason; the rest (malformed responses, HTTP
 * errors the SDK reports as plain Errors) are UPSTREAM_ERROR and never retried.
 */
export function toDomainError(e: unknown, agent: string, operation: string): DomainError {
  if (isDomainError(e)) return e;
  const cause = (e as { cause?: unknown } | undefined)?.cause;
  if (isDomainError(cause)) return cause;
  if (e instanceof A2AError) {
    return new DomainError(
      CODE_OF_REASON[e.reason] ?? 'UPSTREAM_ERROR',
      `${agent} refused ${operation}: ${e.message}`,
      {
        details: { agent, reason: e.reason },
      },
    );
  }
  if ((e as Error | undefined)?.name === 'AbortError')
    return new DomainError('CANCELLED', `${operation} to ${agent} was aborted`);
  return new DomainError(
    'UPSTREAM_ERROR',
    `${operation} to ${agent} failed: ${truncate((e as Error | undefined)?.message ?? String(e))}`,
    {
      details: { agent },
    },
  );
}

function truncate(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
