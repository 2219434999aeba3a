import { Body, Controller, Get, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { RunAgentInput } from '@ag-ui/core';
import type { Actor } from '@switchboard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthGuard } from '../auth/auth.guard.js';
import { ToolCatalogueService } from '../catalog/tool-catalogue.service.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { AgUiEventsQuery } from '../http/api.schemas.js';
import { requestIdOf } from '../http/request-id.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { StreamNewTaskUseCase } from '../tasks/stream-new-task/stream-new-task.use-case.js';
import { AgUiRunFormat, AgUiRunTranslator } from './agui-run.format.js';
import { LegacyAgUiFormat } from './legacy-agui.format.js';
import { AgUiRunInput, taskRequestOf } from './run-input.js';

/** The AG-UI surfaces: the standard 1.0 protocol, and the legacy events format (`GET /ag-ui/events`). */
@Controller('ag-ui')
@UseGuards(AuthGuard)
export class AgUiController {
  constructor(
    private readonly catalogue: ToolCatalogueService,
    private readonly streamNew: StreamNewTaskUseCase,
  ) {}

  /** AG-UI 1.0: a RunAgentInput in, a run of AG-UI events out (what `@ag-ui/client`'s HttpAgent speaks). */
  @Post()
  async run(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(AgUiRunInput)) input: RunAgentInput,
  ): Promise<void> {
    const task = taskRequestOf(input);
    await this.catalogue.check(task.tool_constraints, {
      prefix: 'forwardedProps.tool_constraints',
      what: 'request body',
    });
    await this.streamNew.execute(
      reply,
      actor,
      task,
      requestIdOf(request),
      (taskId) => new AgUiRunFormat(new AgUiRunTranslator(input.threadId, input.runId, taskId)),
    );
  }

  /**
   * The legacy AG-UI events format: `GET /ag-ui/events?user_message=…` streams
   * `data: {event_type, data, message}` events.
   */
  @Get('events')
  async events(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(AgUiEventsQuery)) query: AgUiEventsQuery,
  ): Promise<void> {
    const task = {
      task: query.user_message,
      ...(query.thread_id ? { thread_id: query.thread_id } : {}),
    };
    await this.streamNew.execute(
      reply,
      actor,
      task,
      requestIdOf(request),
      () => new LegacyAgUiFormat(),
    );
  }
}
