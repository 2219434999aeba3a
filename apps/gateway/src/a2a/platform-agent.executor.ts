import { type Task, TaskState } from '@a2a-js/sdk';
import { A2AError } from '@a2a-js/sdk/errors';
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, isDomainError } from '@switchboard/contracts';
import { LOGGER, type Logger, requestContext } from '@switchboard/observability';
import { randomUUID } from 'node:crypto';
import type { GatewayEnv } from '../config/gateway.env.js';
import { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';
import { CancelTaskUseCase } from '../tasks/cancel-task/cancel-task.use-case.js';
import { TaskEventFollower, type TaskEventFeed } from '../tasks/feed/task-event.feed.js';
import { actorOf, agentMessage, outcomeOf, progressText, taskTextOf } from './a2a.translator.js';

/**
 * Runs an A2A message as a platform task, the same way POST /orchestrate does: the A2A task id is
 * the platform task id, the A2A contextId is the conversation thread; the task goes on the durable
 * submission stream and its events (followed before submitting, so none is missed) become A2A status
 * updates, the answer an artifact. Cancel is sent to the orchestrator, whose cancelled event ends it.
 */
@Injectable()
export class PlatformAgentExecutor implements AgentExecutor {
  private readonly running = new Map<string, Actor>();

  constructor(
    private readonly submit: SubmitTaskUseCase,
    private readonly follower: TaskEventFollower,
    private readonly cancelling: CancelTaskUseCase,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  // eslint-disable-next-line max-lines-per-function -- one sequence read top to bottom; to be split (docs/architecture.md, Long functions)
  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = ctx;
    const now = () => new Date().toISOString();
    const status = (state: TaskState, message: string) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state,
            timestamp: now(),
            message: agentMessage(taskId, contextId, message, randomUUID()),
          },
          metadata: undefined,
        }),
      );
    const initial: Task = {
      id: taskId,
      contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, timestamp: now(), message: undefined },
      artifacts: [],
      history: [ctx.userMessage],
      metadata: undefined,
    };

    let announced = false;
    let feed: TaskEventFeed | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const actor = actorOf(ctx.context.user);
      const text = taskTextOf(ctx.userMessage);
      feed = await this.follower.follow(taskId, { afterSeq: 0, replay: false, actor });
      const following = feed;
      timer = setTimeout(() => following.close(), this.config.RESULT_TIMEOUT_MS);
      this.running.set(taskId, actor);
      await this.submit.execute(
        taskId,
        actor,
        { task: text, thread_id: contextId },
        requestContext.get()?.correlationId ?? taskId,
      );
      bus.publish(AgentEvent.task(initial));
      announced = true;
      for await (const event of feed) {
        const outcome = outcomeOf(event);
        if (outcome) {
          if (outcome.state === TaskState.TASK_STATE_COMPLETED)
            bus.publish(
              AgentEvent.artifactUpdate({
                taskId,
                contextId,
                artifact: outcome.artifact,
                append: false,
                lastChunk: true,
                metadata: undefined,
              }),
            );
          status(outcome.state, outcome.text);
          return;
        }
        const progress = progressText(event);
        if (progress) status(TaskState.TASK_STATE_WORKING, progress);
      }
      status(
        TaskState.TASK_STATE_FAILED,
        `no outcome within ${this.config.RESULT_TIMEOUT_MS} ms; the platform task may still finish (GET /tasks/${taskId})`,
      );
    } catch (e) {
      // The SDK would put the raw error message in the FAILED status; say only what is safe.
      const expected = isDomainError(e) || e instanceof A2AError;
      const message = isDomainError(e)
        ? `${e.code}: ${e.message}`
        : e instanceof A2AError
          ? e.message
          : 'the task could not be run';
      if (!expected) this.logger.error({ err: e, taskId }, 'A2A task failed unexpectedly');
      if (!announced) bus.publish(AgentEvent.task(initial));
      status(TaskState.TASK_STATE_FAILED, message);
    } finally {
      clearTimeout(timer);
      feed?.close();
      this.running.delete(taskId);
      bus.finished();
    }
  };

  cancelTask = async (taskId: string): Promise<void> => {
    const actor = this.running.get(taskId);
    if (!actor) return;
    await this.cancelling.execute(taskId, actor, 'cancelled through A2A (CancelTask)');
  };
}
