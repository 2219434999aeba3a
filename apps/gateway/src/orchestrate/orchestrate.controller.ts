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
import { type Actor, DomainError, type Gateway, Tasks } from '@switchboard/contracts';
import { ToolCatalogueService } from '../catalog/tool-catalogue.service.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { RateCharge, RateChargedAtAdmission } from '../auth/rate-charge.decorator.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { TaskOutcomeError } from '../http/task-outcome.errors.js';
import { requestIdOf } from '../http/request-id.js';
import type { DeferredRateCharge } from '../limits/rate-limiter.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { NamedEventFormat } from '../tasks/event-format.js';
import { StreamNewTaskUseCase } from '../tasks/stream-new-task/stream-new-task.use-case.js';
import type { EndedBadlyEvent, SessionOutcome } from '../tasks/session/task-session.js';
import { TaskSessions } from '../tasks/session/task-sessions.js';
import { SubmitTaskUseCase } from '../tasks/submit-task/submit-task.use-case.js';

/** `/orchestrate`: submit a task, and stream its events (named SSE) or wait for its answer. */
@Controller('orchestrate')
@UseGuards(AuthGuard)
export class OrchestrateController {
  constructor(
    private readonly catalogue: ToolCatalogueService,
    private readonly submit: SubmitTaskUseCase,
    private readonly sessions: TaskSessions,
    private readonly streamNew: StreamNewTaskUseCase,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
  ) {}

  /**
   * Streams every event of the new task as `event: <name>` / `id: <seq>` until it ends. Its rate
   * charge is made by the task's admission (one round trip with the quotas and the stream slot).
   */
  @Post('stream')
  @RateChargedAtAdmission()
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Tasks.TaskRequest)) body: Tasks.TaskRequest,
    @RateCharge() rate: DeferredRateCharge | undefined,
  ): Promise<void> {
    await this.checkConstraints(body);
    await this.streamNew.execute(
      reply,
      actor,
      body,
      requestIdOf(request),
      () => new NamedEventFormat(),
      rate,
    );
  }

  /**
   * Waits for the answer and returns it as JSON, or with `?async=true` (or `Prefer: respond-async`)
   * answers 202 at once with the task's links.
   */
  @Post()
  @HttpCode(200)
  @RateChargedAtAdmission()
  async run(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Tasks.TaskRequest)) body: Tasks.TaskRequest,
    @RateCharge() rate: DeferredRateCharge | undefined,
    @Query('async') asyncFlag?: string,
  ): Promise<OrchestrateAnswer> {
    await this.checkConstraints(body);
    const requestId = requestIdOf(request);
    const taskId = this.submit.newTaskId();
    const links = { self: `/tasks/${taskId}`, events: `/tasks/${taskId}/events` };
    const wantsAsync =
      asyncFlag === 'true' ||
      asyncFlag === '1' ||
      /respond-async/i.test(String(request.headers['prefer'] ?? ''));
    if (wantsAsync) {
      await this.submit.execute(taskId, actor, body, requestId, { holds: { rate } });
      void reply.status(202).header('location', links.self);
      return { task_id: taskId, status: 'queued', links };
    }
    // A wait holds a connection and a subscription like a stream does: it takes one of the user's
    // stream slots, and gives everything back the moment the client goes away.
    const session = this.sessions.create(actor, taskId);
    const onClose = () => {
      if (!reply.raw.writableEnded) session.leave();
    };
    reply.raw.on('close', onClose);
    try {
      await session.start({ slot: 'wait', rate });
      // Gone before the task was accepted: it is not submitted (nobody could learn its id).
      if (!(await session.submit(body, requestId))) return {};
      // A task that stops for a decision answers now: it may wait for hours (docs/approvals.md).
      const outcome = await session.outcome({
        timeoutMs: this.config.RESULT_TIMEOUT_MS,
        pause: 'requested',
      });
      return answerOf(outcome, taskId, links, reply, this.config.RESULT_TIMEOUT_MS);
    } finally {
      // The answer goes out once the slot is free: the client may ask again the moment it has it.
      await session.finish();
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

/** What `POST /orchestrate` answers; nothing (`{}`) to a client that has gone. */
type OrchestrateAnswer =
  Gateway.TaskAnswer | Gateway.TaskWaitingAnswer | Gateway.TaskAccepted | Record<string, never>;

/**
 * The wait's answer: the completed task; 202 with where to decide a task that waits for approval; a
 * TaskOutcomeError carrying the failed or cancelled task's code; TIMEOUT after RESULT_TIMEOUT_MS.
 */
function answerOf(
  outcome: SessionOutcome,
  taskId: string,
  links: { self: string; events: string },
  reply: FastifyReply,
  timeoutMs: number,
): OrchestrateAnswer {
  switch (outcome.kind) {
    case 'answered': {
      const { data } = outcome.event;
      return {
        task_id: taskId,
        status: 'completed',
        result: data.result,
        output: data.output,
        planner: data.planner,
        steps: data.steps,
        duration_ms: Tasks.roundDurationMs(data.durationMs),
        links,
      };
    }
    case 'waiting':
      void reply.status(202).header('location', links.self);
      return waiting(taskId, outcome.event.data, links);
    case 'failed':
      return failed(taskId, outcome.event, links);
    case 'timed-out':
      throw new DomainError('TIMEOUT', `no answer within ${timeoutMs} ms; the task keeps running`, {
        details: { task_id: taskId, links },
      });
    case 'gone':
      return {}; // nobody to answer; the task keeps running
    case 'cut':
      throw new DomainError('UPSTREAM_UNAVAILABLE', 'the task event stream ended early', {
        details: { task_id: taskId, links },
      });
  }
}

/** The answer for a task that waits for a person's decision: where to see and decide it. */
function waiting(
  taskId: string,
  approval: Tasks.TaskEventPayload<'orchestrator.approval.requested'>,
  links: { self: string; events: string },
): Gateway.TaskWaitingAnswer {
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

/** The TaskOutcomeError of a failed or cancelled task, with its code. */
function failed(
  taskId: string,
  event: EndedBadlyEvent,
  links: { self: string; events: string },
): never {
  if (event.name === 'orchestrator.task.failed') {
    const { error } = event.data;
    throw new TaskOutcomeError(error.code, error.message, {
      details: { ...(error.details ?? {}), task_id: taskId, status: 'failed', links },
    });
  }
  throw new TaskOutcomeError('CANCELLED', `task cancelled: ${event.data.reason}`, {
    details: { task_id: taskId, status: 'cancelled', links },
  });
}
