import type {
  AgentCard,
  CancelTaskRequest,
  DeleteTaskPushNotificationConfigRequest,
  GetExtendedAgentCardRequest,
  GetTaskPushNotificationConfigRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  type PushNotificationSender,
  type PushNotificationStore,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import {
  RequestMalformedError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import { isDomainError, Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { assertRunnable } from './a2a-approvals.translator.js';
import {
  fromPushConfigView,
  namePushField,
  pushConfigIdOf,
  pushConfigSetOf,
  pushFieldPrefix,
  pushTaskIdOf,
} from './a2a-push.translator.js';
import {
  emptyTaskList,
  LIST_PAGE_SIZE_DEFAULT,
  listTasksResponseOf,
  taskListRequestOf,
} from './a2a-task-list.translator.js';
import { actorOf, fromTaskView, queuedTask, toA2aError } from './a2a.translator.js';
import { extendedAgentCard } from './platform-agent.extended-card.js';
import type { PlatformAgentExecutor } from './platform-agent.executor.js';
import type { PlatformAgentQueries } from './platform-agent.queries.js';
import { PlatformTaskStore } from './platform-task.store.js';

/**
 * The SDK's request handler with the platform's rules (ListTasks, push configs and the extended card
 * are the platform's: the orchestrator's task list and webhooks, mcp-tools' and a2a's catalogues): a message must carry the task as text (an
 * invalid one is refused with -32602 before anything runs), or — sent on an existing task (its
 * `taskId`) — answer the approval that task waits for (INPUT_REQUIRED; any other state is refused with
 * -32004); GetTask and CancelTask fall back to the orchestrator for tasks this replica is not running
 * (another replica's, a waiting one, or from before a restart), with the same owner-or-admin check as
 * GET /tasks/{id}; errors never carry internal messages.
 */
export class PlatformRequestHandler extends DefaultRequestHandler {
  private readonly buses: DefaultExecutionEventBusManager;

  constructor(
    card: AgentCard,
    private readonly executor: PlatformAgentExecutor,
    private readonly access: TaskAccess,
    private readonly cancelling: CancelTaskUseCase,
    private readonly logger: Logger,
    private readonly queries: PlatformAgentQueries,
    buses = new DefaultExecutionEventBusManager(),
    private readonly store = new PlatformTaskStore(),
  ) {
    // A task waiting for a decision holds no bus: the message that answers it runs the executor anew.
    // Push configs are the orchestrator's (stored and delivered by its webhooks): the SDK's store
    // only hands it a config sent inline with a message, and the SDK sends no notification itself.
    super(
      card,
      store,
      executor,
      buses,
      new InlinePushConfigs(queries, (e, version) => platformError(e, logger, version)),
      NO_SENDER,
      undefined,
      undefined,
      { keepBusAliveStates: [] },
    );
    this.buses = buses;
  }

  override async sendMessage(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): Promise<Message | Task> {
    assertRunnable(params.message);
    await this.ensureWaiting(params.message, context);
    return super.sendMessage(params, context);
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    assertRunnable(params.message);
    await this.ensureWaiting(params.message, context);
    yield* super.sendMessageStream(params, context);
  }

  /**
   * A message on an existing task is taken only while the task waits for input. A task this replica
   * does not know (another replica ran it, or this one restarted) is read from the orchestrator.
   */
  private async ensureWaiting(
    message: Message | undefined,
    context: ServerCallContext,
  ): Promise<void> {
    const taskId = message?.taskId;
    if (!message || !taskId) return;
    let task = await this.store.load(taskId, context);
    if (!task) {
      const view = await this.guard(() =>
        this.access.view(taskIdOf(taskId), actorOf(context.user)),
      );
      if (!view) throw new TaskNotFoundError(`Task not found: ${taskId}`);
      task = { ...fromTaskView(view), contextId: view.threadId ?? message.contextId };
      await this.store.save(task, context);
    }
    if (
      task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED ||
      this.executor.isRunning(taskId)
    )
      throw new UnsupportedOperationError(
        `task ${taskId} does not wait for input (it is ${TaskState[task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED]}): a message continues a task only to answer its approval (TASK_STATE_INPUT_REQUIRED); start a new task without taskId, in the same contextId to continue the conversation`,
      );
  }

  override async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    try {
      return await super.getTask(params, context);
    } catch (e) {
      if (!(e instanceof TaskNotFoundError)) throw e;
    }
    return this.guard(async () => {
      const view = await this.access.view(taskIdOf(params.id), actorOf(context.user));
      return view ? fromTaskView(view) : queuedTask(params.id);
    });
  }

  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    if (this.buses.getByTaskId(params.id, context) && this.executor.isRunning(params.id))
      return this.guard(() => super.cancelTask(params, context));
    return this.guard(async () => {
      const actor = actorOf(context.user);
      const taskId = taskIdOf(params.id);
      await this.cancelling.execute(taskId, actor, 'cancelled through A2A (CancelTask)');
      const view = await this.access.view(taskId, actor);
      return view ? fromTaskView(view) : queuedTask(taskId);
    });
  }

  /** The caller's tasks from the orchestrator's task list (owner or tenant admin, one tenant). */
  override async listTasks(
    params: ListTasksRequest,
    context: ServerCallContext,
  ): Promise<ListTasksResponse> {
    const actor = actorOf(context.user);
    const pageSize = params.pageSize ?? LIST_PAGE_SIZE_DEFAULT;
    const req = taskListRequestOf(params, actor);
    if (req === 'empty') return emptyTaskList(pageSize);
    const page = await this.guard(() => this.queries.listTasks(req, actor));
    return listTasksResponseOf(page, pageSize);
  }

  override async getAuthenticatedExtendedAgentCard(
    _params: GetExtendedAgentCardRequest,
    context: ServerCallContext,
  ): Promise<AgentCard> {
    const actor = actorOf(context.user);
    const card = await this.getAgentCard();
    const [tools, agents] = await Promise.all([
      this.guard(() => this.queries.tools(actor)),
      // Without a2a the card still lists the tools.
      this.queries.agents(actor).catch((err: unknown) => {
        this.logger.warn({ err }, 'extended card: the agents could not be listed');
        return [];
      }),
    ]);
    return extendedAgentCard(card, tools.tools, agents);
  }

  override async createTaskPushNotificationConfig(
    params: TaskPushNotificationConfig,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    const version = context.requestedVersion ?? '';
    const req = pushConfigSetOf(params, pushTaskIdOf(params.taskId), version);
    const view = await this.guard(
      () => this.queries.setPushConfig(req, actorOf(context.user)),
      version,
    );
    return fromPushConfigView(view);
  }

  override async getTaskPushNotificationConfig(
    params: GetTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<TaskPushNotificationConfig> {
    const taskId = pushTaskIdOf(params.taskId);
    const actor = actorOf(context.user);
    // 0.3's tasks/pushNotificationConfig/get may name no config: the task's first one.
    if (!params.id) {
      const { configs } = await this.guard(() =>
        this.queries.listPushConfigs({ taskId, limit: 1 }, actor),
      );
      if (!configs[0])
        throw new TaskNotFoundError(`task ${taskId} has no push notification config`);
      return fromPushConfigView(configs[0]);
    }
    const id = pushConfigIdOf(params.id, configIdField(context));
    const view = await this.guard(() => this.queries.getPushConfig(taskId, id, actor));
    return fromPushConfigView(view);
  }

  override async listTaskPushNotificationConfigs(
    params: ListTaskPushNotificationConfigsRequest,
    context: ServerCallContext,
  ): Promise<ListTaskPushNotificationConfigsResponse> {
    const taskId = pushTaskIdOf(params.taskId);
    const limit = params.pageSize || 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new RequestMalformedError('params.pageSize must be an integer from 1 to 100');
    const after = params.pageToken
      ? pushConfigIdOf(params.pageToken, 'params.pageToken')
      : undefined;
    const page = await this.guard(() =>
      this.queries.listPushConfigs(
        { taskId, limit, ...(after ? { after } : {}) },
        actorOf(context.user),
      ),
    );
    return { configs: page.configs.map(fromPushConfigView), nextPageToken: page.nextAfter ?? '' };
  }

  override async deleteTaskPushNotificationConfig(
    params: DeleteTaskPushNotificationConfigRequest,
    context: ServerCallContext,
  ): Promise<void> {
    const taskId = pushTaskIdOf(params.taskId);
    const id = pushConfigIdOf(params.id, configIdField(context));
    await this.guard(() => this.queries.deletePushConfig(taskId, id, actorOf(context.user)));
  }

  private async guard<T>(fn: () => Promise<T>, version?: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw platformError(e, this.logger, version);
    }
  }
}

/**
 * A platform error as an A2A error, an unexpected one logged with an error id. With `version`, a
 * VALIDATION of a push config's field is named as the caller wrote it (`params.url: …`).
 */
function platformError(e: unknown, logger: Logger, version?: string): Error {
  const named =
    version !== undefined && isDomainError(e) && e.code === 'VALIDATION'
      ? new RequestMalformedError(namePushField(e.message, version))
      : e;
  return toA2aError(named, () => {
    const errorId = randomUUID();
    if (!isDomainError(e)) logger.error({ err: e, errorId }, 'A2A request failed unexpectedly');
    return errorId;
  });
}

/** Where the config id is in a get/delete request, by version (0.3: pushNotificationConfigId). */
function configIdField(context: ServerCallContext): string {
  return pushFieldPrefix(context.requestedVersion ?? '') === 'params.'
    ? 'params.id'
    : 'params.pushNotificationConfigId';
}

/** The SDK sends no push notification: the orchestrator's webhooks deliver them. */
const NO_SENDER: PushNotificationSender = { send: () => Promise.resolve() };

/**
 * The SDK's push config store, which it uses only for a config sent inline with a message
 * (`configuration.taskPushNotificationConfig`): set on the orchestrator before the task is submitted
 * (`submitting`: it has no row yet), so the config hears the task from its first event. Reads and
 * deletes go through the request handler's own methods, never here.
 */
class InlinePushConfigs implements PushNotificationStore {
  constructor(
    private readonly queries: PlatformAgentQueries,
    private readonly failure: (e: unknown, version?: string) => Error,
  ) {}

  async save(
    taskId: string,
    context: ServerCallContext,
    config: TaskPushNotificationConfig,
  ): Promise<void> {
    const version = context.requestedVersion ?? '';
    let req;
    try {
      req = pushConfigSetOf(config, pushTaskIdOf(taskId), version, true);
    } catch (e) {
      throw inline(e);
    }
    try {
      const view = await this.queries.setPushConfig(req, actorOf(context.user));
      config.id = view.configId; // the store's contract: a config saved without id gets one
    } catch (e) {
      throw inline(this.failure(e, version));
    }
  }

  load(): Promise<TaskPushNotificationConfig[]> {
    return Promise.resolve([]);
  }

  delete(): Promise<void> {
    return Promise.resolve();
  }
}

/** A refusal of an inline config, named where it is: under params.configuration. */
function inline(e: unknown): unknown {
  if (!(e instanceof RequestMalformedError)) return e;
  return new RequestMalformedError(
    e.message.replace(
      /^params\.(pushNotificationConfig\.)?/,
      'params.configuration.taskPushNotificationConfig.',
    ),
  );
}

/** Platform task ids are UUIDs; anything else cannot name one of them. */
function taskIdOf(id: string): string {
  if (!Tasks.TaskId.safeParse(id).success) throw new TaskNotFoundError(`Task not found: ${id}`);
  return id;
}
