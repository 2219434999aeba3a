import { Schedules } from '@switchboard/contracts';
import { CommandRelay, relay } from '@switchboard/messaging';
import { CreateScheduleUseCase } from './create-schedule/create-schedule.use-case.js';
import { ListDueSchedulesUseCase } from './list-due-schedules/list-due-schedules.use-case.js';

/** The schedules' commands that are their use case's whole work, for the acting user. */
export class ScheduleRelay extends CommandRelay(
  relay(Schedules.ScheduleCreate, CreateScheduleUseCase),
  relay(Schedules.ScheduleDueList, ListDueSchedulesUseCase),
) {}
