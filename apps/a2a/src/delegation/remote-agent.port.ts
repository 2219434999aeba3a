import type { A2a } from '@switchboard/contracts';

/** What the platform keeps of an agent card (the SDK's objects stay behind the translator). */
export interface RemoteCard {
  name: string;
  description: string;
  version: string;
  /** Version of the interface the client will use (`1.0`, or `0.3` for legacy agents). */
  protocolVersion: string;
  /** URL of that interface (where JSON-RPC goes; its host decides the transport). */
  interfaceUrl: string;
  streaming: boolean;
  /** The card offers push notifications (`capabilities.pushNotifications`). */
  pushNotifications: boolean;
  skills: { id: string; name: string; description: string }[];
  /** The card as v1.0 wire JSON, for GET /agents. */
  json: Record<string, unknown>;
}

/** An SDK client bound to one card; opaque outside the protocol folder. */
export interface RemoteConnection {
  readonly protocolVersion: string;
}

export type CardFetch =
  | { kind: 'not-modified'; maxAgeMs: number | undefined }
  | {
      kind: 'card';
      card: RemoteCard;
      connection: RemoteConnection;
      etag: string | undefined;
      maxAgeMs: number | undefined;
    };

/** A snapshot of a remote task (from SendMessage, GetTask, CancelTask or the first stream event). */
export interface RemoteTaskSnapshot {
  taskId: string;
  contextId: string;
  state: string;
  /** Text of the status message, if any. */
  statusText: string | undefined;
  artifacts: A2a.DelegatedArtifact[];
}

/** One event of a streaming delegation, in platform terms. */
export type RemoteEvent =
  | { kind: 'task'; task: RemoteTaskSnapshot }
  | { kind: 'status'; taskId: string; contextId: string; state: string; text: string | undefined }
  | { kind: 'artifact'; taskId: string; artifact: A2a.DelegatedArtifact; append: boolean }
  | { kind: 'message'; contextId: string; text: string };

export interface OutgoingMessage {
  /** Stays the same across retries, so an agent may de-duplicate a repeated send. */
  messageId: string;
  text: string;
  context: string | undefined;
  /** The agent's task (and context) this message answers, when it asked for input; else a new task. */
  onTask?: { taskId: string; contextId: string };
}

/** Where and with what token the agent notifies about its task (a push notification config). */
export interface PushTarget {
  url: string;
  token: string;
}

/** The A2A protocol as the delegation logic needs it. Implemented with @a2a-js/sdk in src/a2a/. */
export interface RemoteAgentPort {
  /** Fetches (or revalidates, with `etag`) the card at `<baseUrl>/.well-known/agent-card.json`. */
  fetchCard(
    baseUrl: string,
    opts: { etag?: string; timeoutMs: number; agent: string },
  ): Promise<CardFetch>;
  /** SendStreamingMessage: the remote task's events until it is final. */
  stream(
    connection: RemoteConnection,
    message: OutgoingMessage,
    signal: AbortSignal,
  ): AsyncIterable<RemoteEvent>;
  /**
   * SendMessage; with `returnImmediately` the task comes back as soon as the agent created it; with
   * `push` the agent is asked to notify `push.url` about the task (inline push notification config).
   */
  send(
    connection: RemoteConnection,
    message: OutgoingMessage,
    opts: { returnImmediately: boolean; signal: AbortSignal; push?: PushTarget },
  ): Promise<RemoteEvent & { kind: 'task' | 'message' }>;
  getTask(
    connection: RemoteConnection,
    taskId: string,
    signal: AbortSignal,
  ): Promise<RemoteTaskSnapshot>;
  cancelTask(
    connection: RemoteConnection,
    taskId: string,
    signal: AbortSignal,
  ): Promise<RemoteTaskSnapshot>;
}

export const REMOTE_AGENT_PORT = Symbol.for('switchboard.a2a.remote-agent-port');
