import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { type Actor, type Gateway, parseOrThrow, Schedules } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { AuthGuard } from '../auth/auth.guard.js';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ZodQueryPipe } from '../http/zod-query.pipe.js';
import { AgentChoiceCheck } from '../tasks/submit-task/agent-choice.check.js';
import { ScheduleListQuery } from './schedule-http.schemas.js';

const scheduleIdOf = (id: string) => ({
  scheduleId: parseOrThrow(Schedules.ScheduleId, id, 'schedule id'),
});

/**
 * Schedules (docs/schedules.md): tasks run on a cron schedule or once at a time. The orchestrator owns
 * them and decides who may see and change each; this carries the call.
 */
@Controller('schedules')
@UseGuards(AuthGuard)
export class SchedulesController {
  constructor(
    private readonly bus: NatsBus,
    private readonly agents: AgentChoiceCheck,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(Schedules.ScheduleCreateRequest)) body: Schedules.ScheduleCreateRequest,
  ): Promise<Schedules.ScheduleView> {
    // An agent, version or label the tenant lacks is the request's error now, not each firing's.
    if (body.agent) await this.agents.check(Schedules.taskRequestOf(body), actor);
    return this.bus.request(Schedules.ScheduleCreate, body, { actor });
  }

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodQueryPipe(ScheduleListQuery)) q: ScheduleListQuery,
  ): Promise<{ schedules: Schedules.ScheduleView[] }> {
    return this.bus.request(Schedules.ScheduleList, q, { actor });
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Schedules.ScheduleView> {
    return this.bus.request(Schedules.ScheduleGet, scheduleIdOf(id), { actor });
  }

  @Post(':id/pause')
  @HttpCode(200)
  pause(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Schedules.ScheduleView> {
    return this.bus.request(Schedules.SchedulePause, scheduleIdOf(id), { actor });
  }

  @Post(':id/resume')
  @HttpCode(200)
  resume(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Schedules.ScheduleView> {
    return this.bus.request(Schedules.ScheduleResume, scheduleIdOf(id), { actor });
  }

  @Delete(':id')
  @HttpCode(200)
  remove(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<Gateway.ScheduleDeleted> {
    return this.bus.request(Schedules.ScheduleDelete, scheduleIdOf(id), { actor });
  }

  @Get(':id/firings')
  firings(
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<{ firings: Schedules.ScheduleFiringView[] }> {
    return this.bus.request(Schedules.ScheduleFiringList, scheduleIdOf(id), { actor });
  }
}
