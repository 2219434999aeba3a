import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
} from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import { TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import { isDomainError, Tasks } from '@switchboard/contracts';
import type { Logger } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import type { TaskAccess } from '../tasks/task-access.js';
import { assertRunnable } from './a2a-approvals.translator.js';
import { actorOf, fromTaskView, queuedTask, toA2aError } from './a2a.translator.js';
import type { PlatformAgentExecutor } from './platform-agent.executor.js';
import { PlatformTaskStore } from './platform-task.store.js';

/**
 * The SDK's request handler with the platform's rules: a message must carry the task as text (an
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
    buses = new DefaultExecutionEventBusManager(),
    private readonly store = new PlatformTaskStore(),
  ) {
    // A task waiting for a decision holds no bus: the message that answers it runs the executor anew.
    super(card, store, executor, buses, undefined, undefined, undefined, undefined, {
      keepBusAliveStates: [],
    });
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

  override async listTasks(
    _params: ListTasksRequest,
    _context: ServerCallContext,
  ): Promise<ListTasksResponse> {
    throw new UnsupportedOperationError(
      'ListTasks is not offered; read one task with GetTask (or GET /tasks/{id})',
    );
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toA2aError(e, () => {
        const errorId = randomUUID();
        if (!isDomainError(e))
          this.logger.error({ err: e, errorId }, 'A2A request failed unexpectedly');
        return errorId;
      });
    }
  }
}

/** Platform task ids are UUIDs; anything else cannot name one of them. */
function taskIdOf(id: string): string {
  if (!Tasks.TaskId.safeParse(id).success) throw new TaskNotFoundError(`Task not found: ${id}`);
  return id;
}
