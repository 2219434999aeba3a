import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, DomainError, Tasks } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { STATUS_OF } from '../http/error-status.js';
import { requestIdOf } from '../http/request-id.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { NamedEventFormat } from '../streaming/event-format.js';
import { StreamNewTaskUseCase } from '../streaming/stream-new-task.use-case.js';
import { TaskEventFollower } from '../tasks/task-event.feed.js';
import { SubmitTaskUseCase } from './submit-task.use-case.js';

/** Seed 2's surface: submit a task, and stream its events (named SSE) or wait for its answer. */
@Controller('orchestrate')
@UseGuards(AuthGuard)
export class OrchestrateController {
  constructor(
    private readonly submit: SubmitTaskUseCase,
    private readonly follower: TaskEventFollower,
    private readonly streamNew: StreamNewTaskUseCase,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
  ) {}

  /** Streams every event of the new task as `event: <name>` / `id: <seq>` until it ends. */
  @Post('stream')
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Tasks.TaskRequest)) body: Tasks.TaskRequest,
  ): Promise<void> {
    await this.streamNew.execute(
      reply,
      actor,
      body,
      requestIdOf(request),
      () => new NamedEventFormat(),
    );
  }

  /**
   * Waits for the answer and returns it as JSON, or with `?async=true` (or `Prefer: respond-async`)
   * answers 202 at once with the task's links.
   */
  @Post()
  @HttpCode(200)
  async run(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Tasks.TaskRequest)) body: Tasks.TaskRequest,
    @Query('async') asyncFlag?: string,
  ): Promise<Record<string, unknown>> {
    const requestId = requestIdOf(request);
    const taskId = this.submit.newTaskId();
    const links = { self: `/tasks/${taskId}`, events: `/tasks/${taskId}/events` };
    const wantsAsync =
      asyncFlag === 'true' ||
      asyncFlag === '1' ||
      /respond-async/i.test(String(request.headers['prefer'] ?? ''));
    if (wantsAsync) {
      await this.submit.execute(taskId, actor, body, requestId);
      void reply.status(202).header('location', links.self);
      return { task_id: taskId, status: 'queued', links };
    }
    const feed = await this.follower.follow(taskId, { afterSeq: 0, replay: false });
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.submit.execute(taskId, actor, body, requestId);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          feed.close();
          reject(
            new DomainError(
              'TIMEOUT',
              `no answer within ${this.config.RESULT_TIMEOUT_MS} ms; the task keeps running`,
              { details: { task_id: taskId, links } },
            ),
          );
        }, this.config.RESULT_TIMEOUT_MS);
      });
      const terminal = await Promise.race([lastEvent(feed), timeout]);
      return this.answer(taskId, terminal, links, reply);
    } finally {
      clearTimeout(timer);
      feed.close();
    }
  }

  private answer(
    taskId: string,
    event: Tasks.TaskEvent,
    links: Record<string, string>,
    reply: FastifyReply,
  ): Record<string, unknown> {
    switch (event.name) {
      case 'orchestrator.task.completed':
        return {
          task_id: taskId,
          status: 'completed',
          result: event.data.result,
          output: event.data.output,
          planner: event.data.planner,
          steps: event.data.steps,
          duration_ms: Math.round(event.data.durationMs),
          links,
        };
      case 'orchestrator.task.failed': {
        // A task that ran but failed is reported with its error's code and status, and its id.
        const { error } = event.data;
        void reply.status(
          error.code === 'VALIDATION' || error.code === 'NOT_FOUND' ? 422 : STATUS_OF[error.code],
        );
        return {
          code: error.code,
          message: error.message,
          details: { task_id: taskId, ...(error.details ?? {}), links },
          status: 'failed',
        };
      }
      case 'orchestrator.task.cancelled':
        void reply.status(409);
        return {
          code: 'CANCELLED',
          message: `task cancelled: ${event.data.reason}`,
          details: { task_id: taskId, links },
          status: 'cancelled',
        };
      default:
        throw new DomainError('INTERNAL', `task ${taskId} ended without a terminal event`);
    }
  }
}

async function lastEvent(feed: AsyncIterable<Tasks.TaskEvent>): Promise<Tasks.TaskEvent> {
  let last: Tasks.TaskEvent | undefined;
  for await (const e of feed) last = e;
  if (!last || !Tasks.isTerminalTaskEvent(last))
    throw new DomainError('UPSTREAM_UNAVAILABLE', 'the task event stream ended early');
  return last;
}
