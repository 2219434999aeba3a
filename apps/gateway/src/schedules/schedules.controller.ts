import { Body, HttpCode, Inject, Post } from '@nestjs/common';
import { type Actor, parseOrThrow, Schedules } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import { CurrentActor } from '../auth/current-actor.decorator.js';
import { del, get, HttpRelay, type PathParams, post } from '../http/http-relay.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { AgentChoiceCheck } from '../tasks/submit-task/agent-choice.check.js';
import { ScheduleListQuery } from './schedule-http.schemas.js';

const scheduleIdOf = ({ params }: { params: PathParams }) => ({
  scheduleId: parseOrThrow(Schedules.ScheduleId, params['id'], 'schedule id'),
});

/**
 * Schedules (docs/schedules.md): tasks run on a cron schedule or once at a time. The orchestrator owns
 * them and decides who may see and change each; this carries the call.
 */
export class SchedulesController extends HttpRelay(
  'schedules',
  get('', Schedules.ScheduleList, { query: ScheduleListQuery }),
  get(':id', Schedules.ScheduleGet, { request: scheduleIdOf }),
  post(':id/pause', Schedules.SchedulePause, { status: 200, request: scheduleIdOf }),
  post(':id/resume', Schedules.ScheduleResume, { status: 200, request: scheduleIdOf }),
  del(':id', Schedules.ScheduleDelete, { status: 200, request: scheduleIdOf }),
  get(':id/firings', Schedules.ScheduleFiringList, { request: scheduleIdOf }),
) {
  constructor(
    bus: NatsBus,
    @Inject(AgentChoiceCheck) private readonly agents: AgentChoiceCheck,
  ) {
    super(bus);
  }

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
}
