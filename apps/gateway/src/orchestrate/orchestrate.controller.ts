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
import { ToolCatalogueService } from '../catalog/tool-catalogue.service.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { TaskOutcomeError } from '../http/error-envelope.js';
import { requestIdOf } from '../http/request-id.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { NamedEventFormat } from '../tasks/event-format.js';
import { StreamNewTaskUseCase } from '../tasks/stream-new-task/stream-new-task.use-case.js';
import { StreamSlots } from '../limits/stream-slots.js';
import { type TaskEventFeed, TaskEventFollower } from '../tasks/feed/task-event.feed.js';
import { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';

/** `/orchestrate`: submit a task, and stream its events (named SSE) or wait for its answer. */
@Controller('orchestrate')
@UseGuards(AuthGuard)
export class OrchestrateController {
  constructor(
    private readonly catalogue: ToolCatalogueService,
    private readonly submit: SubmitTaskUseCase,
    private readonly follower: TaskEventFollower,
    private readonly streamNew: StreamNewTaskUseCase,
    private readonly slots: StreamSlots,
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
    await this.checkConstraints(body);
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
    await this.checkConstraints(body);
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
    // A wait holds a connection and a subscription like a stream does: it takes one of the user's
    // stream slots, and gives everything back the moment the client goes away.
    const slot = await this.slots.acquire(actor, 'wait');
    let feed: TaskEventFeed | undefined;
    let timer: NodeJS.Timeout | undefined;
    let clientGone = false;
    const onClose = () => {
      if (reply.raw.writableEnded) return;
      clientGone = true;
      feed?.close();
    };
    reply.raw.on('close', onClose);
    try {
      feed = await this.follower.follow(taskId, { afterSeq: 0, replay: false, actor });
      // Gone before the task was accepted: it is not submitted (nobody could learn its id).
      if (clientGone) return {};
      await this.submit.execute(taskId, actor, body, requestId);
      const following = feed;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          following.close();
          reject(
            new DomainError(
              'TIMEOUT',
              `no answer within ${this.config.RESULT_TIMEOUT_MS} ms; the task keeps running`,
              { details: { task_id: taskId, links } },
            ),
          );
        }, this.config.RESULT_TIMEOUT_MS);
      });
      const terminal = await Promise.race([lastEvent(following), timeout]);
      if (!terminal) {
        if (clientGone) return {}; // nobody to answer; the task keeps running
        throw new DomainError('UPSTREAM_UNAVAILABLE', 'the task event stream ended early', {
          details: { task_id: taskId, links },
        });
      }
      if (terminal.name === 'orchestrator.approval.requested') {
        void reply.status(202).header('location', links.self);
        return waiting(taskId, terminal.data, links);
      }
      return answer(taskId, terminal, links);
    } finally {
      clearTimeout(timer);
      feed?.close();
      slot.release();
      reply.raw.off('close', onClose);
    }
  }

  /** Constraints that name nothing real (or an unconfigured tool) are refused before any task exists. */
  private checkConstraints(body: Tasks.TaskRequest): Promise<void> {
    return this.catalogue.check(body.tool_constraints, {
      prefix: 'tool_constraints',
      what: 'request body',
    });
  }
}

/** The completed task, or a TaskOutcomeError carrying the failed or cancelled task's code. */
/** The answer for a task that waits for a person's decision: where to see and decide it. */
function waiting(
  taskId: string,
  approval: Tasks.TaskEventPayload<'orchestrator.approval.requested'>,
  links: Record<string, string>,
): Record<string, unknown> {
  return {
    task_id: taskId,
    status: 'waiting_approval',
    approval,
    links: {
      ...links,
      approvals: `/tasks/${taskId}/approvals`,
      decide: `/tasks/${taskId}/approvals/${approval.approvalId}`,
    },
  };
}

function answer(
  taskId: string,
  event: Tasks.TaskEvent,
  links: Record<string, string>,
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
        duration_ms: Tasks.roundDurationMs(event.data.durationMs),
        links,
      };
    case 'orchestrator.task.failed': {
      const { error } = event.data;
      throw new TaskOutcomeError(error.code, error.message, {
        details: { ...(error.details ?? {}), task_id: taskId, status: 'failed', links },
      });
    }
    case 'orchestrator.task.cancelled':
      throw new TaskOutcomeError('CANCELLED', `task cancelled: ${event.data.reason}`, {
        details: { task_id: taskId, status: 'cancelled', links },
      });
    default:
      throw new DomainError('INTERNAL', `task ${taskId} ended without a terminal event`);
  }
}

/** The task's terminal event, or undefined when the feed was closed before it came. */
async function lastEvent(
  feed: AsyncIterable<Tasks.TaskEvent>,
): Promise<Tasks.TaskEvent | undefined> {
  // A task that stops for a decision answers now: it may wait for hours (docs/approvals.md).
  for await (const e of feed)
    if (Tasks.isTerminalTaskEvent(e) || e.name === 'orchestrator.approval.requested') return e;
  return undefined;
}
