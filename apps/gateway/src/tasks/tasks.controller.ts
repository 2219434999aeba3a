import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { type Actor, type Gateway, isAdmin, parseOrThrow, Tasks } from '@switchboard/contracts';
import { AuditTrail, NatsBus } from '@switchboard/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { refuseAudited } from '../auth/audited-refusal.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { CancelBody, LastEventId } from '../http/api.schemas.js';
import { requestIdOf } from '../http/request-id.js';
import { taskIdOf } from '../http/task-id.param.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { CancelTaskUseCase } from './cancel-task/cancel-task.use-case.js';
import { RerunTaskUseCase } from './rerun-task/rerun-task.use-case.js';
import { ResumeTaskStreamUseCase } from './resume-task-stream/resume-task-stream.use-case.js';
import { TaskAccess } from './task-access.js';
import { TaskListQuery, taskListRequestOf } from './task-list.query.js';

/** Tasks: the caller's list; one by id, its events (replay, then live; resumable), cancellation. */
@Controller('tasks')
@UseGuards(AuthGuard)
export class TasksController {
  constructor(
    private readonly access: TaskAccess,
    private readonly resume: ResumeTaskStreamUseCase,
    private readonly cancelTask: CancelTaskUseCase,
    private readonly bus: NatsBus,
    private readonly audit: AuditTrail,
    private readonly rerun: RerunTaskUseCase,
  ) {}

  /**
   * The caller's stored tasks, newest first (admins: everyone's in their tenant, or one user's; the
   * platform operator: every tenant's, or one tenant's), paged. `tenant_id` is a filter the
   * orchestrator applies within the actor's own reach: another tenant's id gives an empty list.
   */
  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(TaskListQuery)) q: TaskListQuery,
  ): Promise<Tasks.TaskListResponse> {
    if (q.user_id !== undefined && q.user_id !== actor.userId && !isAdmin(actor))
      refuseAudited(
        this.audit,
        { action: 'task.list.denied', resource: 'tasks' },
        "only admins may list another user's tasks",
      );
    return this.bus.request(Tasks.TaskList, taskListRequestOf(q), { actor });
  }

  /** The stored task with its steps (owner or admin); a task not yet picked up shows as queued. */
  @Get(':id')
  async get(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<Tasks.TaskView | Gateway.QueuedTaskView> {
    const taskId = taskIdOf(id);
    return (await this.access.view(taskId, actor)) ?? { taskId, status: 'queued' };
  }

  /**
   * The task's events as named SSE from its first one (or after `Last-Event-ID`), then live until it
   * ends. 204 when the task has ended and the client already has its last event.
   */
  @Get(':id/events')
  async events(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: string | undefined,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const taskId = taskIdOf(id);
    const afterSeq =
      lastEventId !== undefined
        ? Number(parseOrThrow(LastEventId, lastEventId, 'Last-Event-ID header'))
        : after !== undefined
          ? Number(parseOrThrow(LastEventId, after, 'query parameter after'))
          : 0;
    await this.resume.execute(reply, actor, taskId, afterSeq, requestIdOf(request));
  }

  /** Asks the orchestrator to stop the task; its events end with orchestrator.task.cancelled. */
  @Post(':id/cancel')
  @HttpCode(202)
  async cancel(
    @Param('id') id: string,
    @Body() rawBody: unknown,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Gateway.CancelAccepted> {
    const taskId = taskIdOf(id);
    const body =
      rawBody === undefined || rawBody === null || rawBody === ''
        ? {}
        : parseOrThrow(CancelBody, rawBody, 'request body');
    const outcome = await this.cancelTask.execute(
      taskId,
      actor,
      body.reason ?? `cancelled by ${actor.userId}`,
    );
    if (!outcome.cancelRequested) void reply.status(200); // it had ended already
    return outcome;
  }

  /**
   * Runs the ended task again from its record (docs/replay.md): nothing is called, and it ends with a
   * verdict. 202 with the new task's links; follow it on its events.
   */
  @Post(':id/replay')
  @HttpCode(202)
  replay(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
  ): Promise<Gateway.RunAccepted> {
    const taskId = taskIdOf(id);
    return this.rerun.replay(taskId, actor, requestIdOf(request));
  }

  /** A new task taking the ended task's record up to a point as done, and live from there. */
  @Post(':id/fork')
  @HttpCode(202)
  fork(
    @Param('id') id: string,
    @Body() rawBody: unknown,
    @CurrentActor() actor: Actor,
    @Req() request: FastifyRequest,
  ): Promise<Gateway.RunAccepted> {
    const taskId = taskIdOf(id);
    const body = parseOrThrow(Tasks.ForkRequestBody, rawBody ?? {}, 'request body');
    return this.rerun.fork(taskId, body, actor, requestIdOf(request));
  }

  /** Where two runs of a task differ: decisions, steps, answers, tokens, cost, time. */
  @Get(':a/diff/:b')
  diff(
    @Param('a') a: string,
    @Param('b') b: string,
    @CurrentActor() actor: Actor,
  ): Promise<Tasks.TaskDiffView> {
    return this.bus.request(
      Tasks.TaskDiff,
      {
        a: taskIdOf(a, 'task id a'),
        b: taskIdOf(b, 'task id b'),
      },
      { actor },
    );
  }
}
