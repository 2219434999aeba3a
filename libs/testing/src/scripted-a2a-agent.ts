import type { Message, Part } from '@a2a-js/sdk';
import type { ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import type { RequestHandler } from 'express';
import type { Server } from 'node:http';

/** What the agent does with a message that starts a task. */
export type ScriptedBehaviour =
  /** Works on it and completes, answering `done: <message>`. */
  | 'answer'
  /** Stops the task in TASK_STATE_INPUT_REQUIRED asking `question`; a reply on it completes it. */
  | { ask: string };

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
  close(): Promise<void>;
}

// Loaded on use: most tests that import @switchboard/testing never start an agent.
type Sdk = typeof import('@a2a-js/sdk');
type SdkServer = typeof import('@a2a-js/sdk/server');

/**
 * A real A2A 1.0 agent over HTTP (the @a2a-js/sdk server, as the sample agents use) whose behaviour a
 * test scripts: it answers, or asks a question and completes once a reply arrives on the same task.
 * Its card says `streaming: false`, so the platform sends SendMessage and polls GetTask.
 */
export async function startScriptedA2aAgent(opts: {
  name: string;
  behaviour: ScriptedBehaviour;
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
  const handler = new server.DefaultRequestHandler(
    scriptedCard(sdk, opts.name, url),
    new server.InMemoryTaskStore(),
    executor,
  );
  app.use('/.well-known/agent-card.json', http.agentCardHandler({ agentCardProvider: handler }));
  app.use('/a2a', express.json(), recordMessages(received));
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
    close: () =>
      new Promise<void>((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  };
}

function scriptedCard(sdk: Sdk, name: string, url: string) {
  return sdk.AgentCard.fromJSON({
    name,
    description: `scripted test agent ${name}`,
    version: '1.0.0',
    supportedInterfaces: [
      { url: `${url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    capabilities: { streaming: false, pushNotifications: false },
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

  constructor(
    private readonly sdk: Sdk,
    private readonly server: SdkServer,
    private readonly behaviour: ScriptedBehaviour,
  ) {}

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { TaskState } = this.sdk;
    const continuing = ctx.task !== undefined;
    if (!continuing) this.started(ctx, bus);
    if (!continuing && this.behaviour !== 'answer') {
      this.status(ctx, bus, TaskState.TASK_STATE_INPUT_REQUIRED, this.behaviour.ask);
      bus.finished();
      return;
    }
    this.status(ctx, bus, TaskState.TASK_STATE_WORKING, continuing ? 'reply received' : 'working');
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

  cancelTask = async (): Promise<void> => undefined;

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
