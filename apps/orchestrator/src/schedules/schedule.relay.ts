import { Schedules } from '@switchboard/contracts';
import { CommandRelay, relay, relayCall } from '@switchboard/messaging';
import { CreateScheduleUseCase } from './create-schedule/create-schedule.use-case.js';
import { DeleteScheduleUseCase } from './delete-schedule/delete-schedule.use-case.js';
import { ListDueSchedulesUseCase } from './list-due-schedules/list-due-schedules.use-case.js';
import { PauseScheduleUseCase } from './pause-schedule/pause-schedule.use-case.js';
import { ResumeScheduleUseCase } from './resume-schedule/resume-schedule.use-case.js';
import { ScheduleLookup } from './schedule-lookup.js';

/**
 * The schedules' NATS commands (docs/schedules.md): each is one call of its use case or of the lookup, for the acting user. Each reads in the actor's tenant only (the platform operator's:
 * every tenant); another user's or tenant's schedule answers as one that does not exist, and an
 * attempt on another tenant's is audited (ScheduleLookup).
 */
export class ScheduleRelay extends CommandRelay(
  relay(Schedules.ScheduleCreate, CreateScheduleUseCase),
  relay(Schedules.ScheduleDueList, ListDueSchedulesUseCase),
  relayCall(Schedules.ScheduleList, ScheduleLookup, async (lookup, req, actor) => ({
    schedules: await lookup.list(actor, req.limit),
  })),
  relayCall(Schedules.ScheduleGet, ScheduleLookup, (lookup, req, actor) =>
    lookup.find(req.scheduleId, actor, 'schedule.get'),
  ),
  relayCall(Schedules.ScheduleFiringList, ScheduleLookup, async (lookup, req, actor) => ({
    firings: await lookup.firings(req.scheduleId, actor),
  })),
  relayCall(Schedules.SchedulePause, PauseScheduleUseCase, (pausing, req, actor) =>
    pausing.execute(req.scheduleId, actor),
  ),
  relayCall(Schedules.ScheduleResume, ResumeScheduleUseCase, (resuming, req, actor) =>
    resuming.execute(req.scheduleId, actor),
  ),
  relayCall(Schedules.ScheduleDelete, DeleteScheduleUseCase, (deleting, req, actor) =>
    deleting.execute(req.scheduleId, actor),
  ),
) {}
