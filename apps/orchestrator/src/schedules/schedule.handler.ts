import { Controller } from '@nestjs/common';
import { Schedules } from '@switchboard/contracts';
import { HandleCommand, type MessageMeta, requireActor } from '@switchboard/messaging';
import { DeleteScheduleUseCase } from './delete-schedule/delete-schedule.use-case.js';
import { PauseScheduleUseCase } from './pause-schedule/pause-schedule.use-case.js';
import { ResumeScheduleUseCase } from './resume-schedule/resume-schedule.use-case.js';
import { audienceOf } from './schedule-access.js';
import { ScheduleLookup } from './schedule-lookup.js';
import { ScheduleRepository } from './schedule.repository.js';

/**
 * The schedules' NATS commands (docs/schedules.md; create and due.list: ScheduleRelay). Each reads
 * in the actor's tenant only (the platform operator's: every tenant); another user's or tenant's
 * schedule answers as one that does not exist, and an attempt on another tenant's is audited.
 */
@Controller()
export class ScheduleHandler {
  constructor(
    private readonly deleting: DeleteScheduleUseCase,
    private readonly lookup: ScheduleLookup,
    private readonly pausing: PauseScheduleUseCase,
    private readonly repository: ScheduleRepository,
    private readonly resuming: ResumeScheduleUseCase,
  ) {}

  @HandleCommand(Schedules.ScheduleList)
  async list(
    req: { limit: number },
    meta: MessageMeta,
  ): Promise<{ schedules: Schedules.ScheduleView[] }> {
    const who = audienceOf(requireActor(meta.actor));
    return { schedules: await this.repository.list(who.scope, who.userId, req.limit) };
  }

  @HandleCommand(Schedules.ScheduleGet)
  get(req: { scheduleId: string }, meta: MessageMeta): Promise<Schedules.ScheduleView> {
    return this.lookup.find(req.scheduleId, requireActor(meta.actor), 'schedule.get');
  }

  @HandleCommand(Schedules.SchedulePause)
  pause(req: { scheduleId: string }, meta: MessageMeta): Promise<Schedules.ScheduleView> {
    return this.pausing.execute(req.scheduleId, requireActor(meta.actor));
  }

  @HandleCommand(Schedules.ScheduleResume)
  resume(req: { scheduleId: string }, meta: MessageMeta): Promise<Schedules.ScheduleView> {
    return this.resuming.execute(req.scheduleId, requireActor(meta.actor));
  }

  @HandleCommand(Schedules.ScheduleDelete)
  delete(req: { scheduleId: string }, meta: MessageMeta): Promise<{ scheduleId: string }> {
    return this.deleting.execute(req.scheduleId, requireActor(meta.actor));
  }

  @HandleCommand(Schedules.ScheduleFiringList)
  async firings(
    req: { scheduleId: string },
    meta: MessageMeta,
  ): Promise<{ firings: Schedules.ScheduleFiringView[] }> {
    await this.lookup.find(req.scheduleId, requireActor(meta.actor), 'schedule.firings');
    return { firings: await this.repository.firings(req.scheduleId) };
  }
}
