import type { Message, Part } from '@a2a-js/sdk';
import type { ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import type { RequestHandler } from 'express';
import type { Server } from 'node:http';
import { AgentTraffic, RecordingPushSender } from './scripted-a2a-push.js';

/** What the agent does with a message that starts a task. */
export type ScriptedBehaviour =
  /** Works on it and completes, answering `done: <message>`. */
  | 'answer'
  /** Stops the task in TASK_STATE_INPUT_REQUIRED asking `question`; a reply on it completes it. */
  | { ask: string }
  /** Works on it (TASK_STATE_WORKING) until the test calls `release()`, then completes like `answer`. */
  | 'hold';

/** One message the agent received (SendMessage / SendStreamingMessage), in order. */
export interface ReceivedMessage {
  method: string;
  text: string;
  /** The task the message continues (a reply on a task that asked for input), else undefined. */
  taskId: string | undefined;
}

export interface ScriptedA2aAgent {
  /** Base URL: the card is at `<url>/.well-known/agent-card.json`, JSON-RPC at `<url>/a2a`. */
  url: string;
  /** The messages it was sent, in order (GetTask polls are not messages). */
  received: ReceivedMessage[];
  /** Tasks it created (a reply on an existing task creates none). */
  tasksCreated(): number;
  /** Its JSON-RPC methods, the push configs it was given and the notifications it sent. */
  traffic: AgentTraffic;
  /** `hold`: lets the tasks held so far (and any to come) complete. */
  release(): void;
  /** Tasks the platform cancelled (CancelTask), in order. */
  cancelled: string[];
  close(): Promise<void>;
}

// Loaded on use: most tests that import @switchboard/testing never start an agent.
type Sdk = typeof import('@a2a-js/sdk');
type SdkServer = typeof import('@a2a-js/sdk/server');

/**
 * A real A2A 1.0 agent over HTTP (the @a2a-js/sdk server, as the sample agents use) whose behaviour a
 * test scripts: it answers, asks a question and completes once a reply arrives on the same task, or
 * works until released. Its card says `streaming: false` unless `streaming`, so the platform sends
 * SendMessage and polls GetTask; with `push` it offers push notifications (the SDK's store of configs,
 * each event sent to them by RecordingPushSender).
 */
export async function startScriptedA2aAgent(opts: {
  name: string;
  behaviour: ScriptedBehaviour;
  streaming?: boolean;
  push?: boolean;
}): Promise<ScriptedA2aAgent> {
  const sdk = await import('@a2a-js/sdk');
  const server = await import('@a2a-js/sdk/server');
  const http = await import('@a2a-js/sdk/server/express');
  const { default: express } = await import('express');
  const received: ReceivedMessage[] = [];
  const app = express();
  const listening = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(listening.address() as { port: number }).port}`;
  const executor = new ScriptedExecutor(sdk, server, opts.behaviour);
  const traffic = new AgentTraffic();
  const pushStore = new server.InMemoryPushNotificationStore();
  const handler = new server.DefaultRequestHandler(
    scriptedCard(sdk, opts.name, url, {
      streaming: opts.streaming === true,
      pushNotifications: opts.push === true,
    }),
    new server.InMemoryTaskStore(),
    executor,
    undefined,
    pushStore,
    new RecordingPushSender(sdk, pushStore, traffic),
  );
  app.use('/.well-known/agent-card.json', http.agentCardHandler({ agentCardProvider: handler }));
  app.use('/a2a', express.json(), recordMessages(received), traffic.recorder());
  app.use(
    '/a2a',
    http.jsonRpcHandler({
      requestHandler: handler,
      userBuilder: http.UserBuilder.noAuthentication,
    }),
  );
  return {
    url,
    received,
    tasksCreated: () => executor.created,
    traffic,
    release: () => executor.release(),
    cancelled: executor.cancelled,
    close: () =>
      new Promise<void>((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  };
}

function scriptedCard(
  sdk: Sdk,
  name: string,
  url: string,
  capabilities: { streaming: boolean; pushNotifications: boolean },
) {
  return sdk.AgentCard.fromJSON({
    name,
    description: `scripted test agent ${name}`,
    version: '1.0.0',
    supportedInterfaces: [
      { url: `${url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    capabilities,
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      { id: 'scripted', name: 'Scripted', description: 'does what the test says', tags: [] },
    ],
  });
}

/** Notes each message sent to the agent (A2A 1.0 wire JSON) before the SDK handles it. */
function recordMessages(received: ReceivedMessage[]): RequestHandler {
  return (req, _res, next) => {
    const body = req.body as {
      method?: string;
      params?: { message?: { taskId?: string; parts?: { text?: string }[] } };
    };
    if (body.method === 'SendMessage' || body.method === 'SendStreamingMessage') {
      const message = body.params?.message;
      received.push({
        method: body.method,
        text: (message?.parts ?? []).map((p) => p.text ?? '').join(''),
        taskId: message?.taskId || undefined,
      });
    }
    next();
  };
}

/** Runs each message as the test scripted: a task that completes, or one that asks first. */
class ScriptedExecutor {
  created = 0;
  readonly cancelled: string[] = [];
  private released = false;
  /** Held tasks: each resumes (true) when released, or stops (false) when cancelled. */
  private readonly held = new Map<string, { resume: (go: boolean) => void; contextId: string }>();

  constructor(
    private readonly sdk: Sdk,
    private readonly server: SdkServer,
    private readonly behaviour: ScriptedBehaviour,
  ) {}

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { TaskState } = this.sdk;
    const continuing = ctx.task !== undefined;
    if (!continuing) this.started(ctx, bus);
    if (!continuing && typeof this.behaviour === 'object') {
      this.status(ctx, bus, TaskState.TASK_STATE_INPUT_REQUIRED, this.behaviour.ask);
      bus.finished();
      return;
    }
    this.status(ctx, bus, TaskState.TASK_STATE_WORKING, continuing ? 'reply received' : 'working');
    if (this.behaviour === 'hold' && !(await this.hold(ctx.taskId, ctx.contextId))) return;
    const request = ctx.userMessage.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join('');
    bus.publish(
      this.server.AgentEvent.artifactUpdate({
        taskId: ctx.taskId,
        contextId: ctx.contextId,
        artifact: {
          artifactId: `answer-${ctx.taskId}`,
          name: 'answer',
          description: '',
          parts: [text(continuing ? `done after the reply: ${request}` : `done: ${request}`)],
          metadata: undefined,
          extensions: [],
        },
        append: false,
        lastChunk: true,
        metadata: undefined,
      }),
    );
    this.status(ctx, bus, TaskState.TASK_STATE_COMPLETED, 'completed');
    bus.finished();
  };

  /** A cancelled held task ends CANCELED (the SDK waits for that event); others are left alone. */
  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    this.cancelled.push(taskId);
    const held = this.held.get(taskId);
    if (!held) return;
    this.held.delete(taskId);
    held.resume(false);
    bus.publish(
      this.server.AgentEvent.statusUpdate({
        taskId,
        contextId: held.contextId,
        status: {
          state: this.sdk.TaskState.TASK_STATE_CANCELED,
          timestamp: new Date().toISOString(),
          message: undefined,
        },
        metadata: undefined,
      }),
    );
    bus.finished();
  };

  release(): void {
    this.released = true;
    for (const { resume } of this.held.values()) resume(true);
    this.held.clear();
  }

  /** Waits for the release (true) or a cancel (false). */
  private hold(taskId: string, contextId: string): Promise<boolean> {
    if (this.released) return Promise.resolve(true);
    return new Promise((resolve) => this.held.set(taskId, { resume: resolve, contextId }));
  }

  private started(ctx: RequestContext, bus: ExecutionEventBus): void {
    this.created++;
    bus.publish(
      this.server.AgentEvent.task({
        id: ctx.taskId,
        contextId: ctx.contextId,
        status: {
          state: this.sdk.TaskState.TASK_STATE_SUBMITTED,
          timestamp: new Date().toISOString(),
          message: undefined,
        },
        artifacts: [],
        history: [ctx.userMessage],
        metadata: undefined,
      }),
    );
  }

  private status(ctx: RequestContext, bus: ExecutionEventBus, state: number, say: string): void {
    const { taskId, contextId } = ctx;
    const message: Message = {
      messageId: `${taskId}-${state}-${Date.now()}`,
      role: this.sdk.Role.ROLE_AGENT,
      taskId,
      contextId,
      parts: [text(say)],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
    bus.publish(
      this.server.AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: { state, timestamp: new Date().toISOString(), message },
        metadata: undefined,
      }),
    );
  }
}

function text(value: string): Part {
  return {
    content: { $case: 'text', value },
    mediaType: 'text/plain',
    filename: '',
    metadata: undefined,
  };
}
