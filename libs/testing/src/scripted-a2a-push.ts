import type { StreamResponse, Task } from '@a2a-js/sdk';
import type {
  PushNotificationSender,
  PushNotificationStore,
  ServerCallContext,
} from '@a2a-js/sdk/server';
import type { RequestHandler } from 'express';

type Sdk = typeof import('@a2a-js/sdk');

/** A push notification config a client registered with the agent (inline with SendMessage). */
export interface RegisteredPushConfig {
  url: string;
  token: string;
}

/** One notification the agent sent, and what it saw when sending it. */
export interface SentNotification {
  url: string;
  /** The task's state the notification announces (A2A 1.0 name, e.g. `TASK_STATE_WORKING`). */
  state: string;
  /** HTTP status the callback answered (0: unreachable). */
  status: number;
  /** Streams (SendStreamingMessage, SubscribeToTask) the agent held open at that moment. */
  openStreams: number;
}

/** What the agent recorded of its JSON-RPC traffic: methods, open streams, push configs. */
export class AgentTraffic {
  readonly methods: string[] = [];
  readonly pushConfigs: RegisteredPushConfig[] = [];
  readonly notifications: SentNotification[] = [];
  private open = 0;

  get openStreams(): number {
    return this.open;
  }

  /** Express middleware (after express.json()) noting each call before the SDK handles it. */
  recorder(): RequestHandler {
    return (req, res, next) => {
      const body = req.body as {
        method?: string;
        params?: { configuration?: { taskPushNotificationConfig?: RegisteredPushConfig } };
      };
      const method = body.method ?? '';
      this.methods.push(method);
      const push = body.params?.configuration?.taskPushNotificationConfig;
      if (push?.url) this.pushConfigs.push({ url: push.url, token: push.token ?? '' });
      if (method === 'SendStreamingMessage' || method === 'SubscribeToTask') {
        this.open++;
        res.once('close', () => this.open--);
      }
      next();
    };
  }
}

/**
 * Sends each event of a task to the task's registered configs as A2A 1.0 does (a StreamResponse as
 * `application/a2a+json`, the config's token in `X-A2A-Notification-Token`), one after another, and
 * records each with the callback's answer and the streams open at the time.
 */
export class RecordingPushSender implements PushNotificationSender {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sdk: Sdk,
    private readonly store: PushNotificationStore,
    private readonly traffic: AgentTraffic,
  ) {}

  send(event: StreamResponse, context: ServerCallContext, task?: Task): Promise<void> {
    const taskId = task?.id;
    if (!taskId) return Promise.resolve();
    this.chain = this.chain.then(() => this.deliver(event, context, task));
    return this.chain;
  }

  private async deliver(event: StreamResponse, context: ServerCallContext, task: Task) {
    const configs = await this.store.load(task.id, context);
    const state = this.sdk.taskStateToJSON(task.status?.state ?? 0);
    for (const config of configs) {
      const openStreams = this.traffic.openStreams;
      const status = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/a2a+json',
          'x-a2a-notification-token': config.token,
        },
        body: JSON.stringify(this.sdk.StreamResponse.toJSON(event)),
      }).then(
        (r) => r.status,
        () => 0,
      );
      this.traffic.notifications.push({ url: config.url, state, status, openStreams });
    }
  }
}
