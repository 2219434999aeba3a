import type { Provider } from '@nestjs/common';
import { CreateScheduleUseCase } from './create-schedule/create-schedule.use-case.js';
import { DeleteScheduleUseCase } from './delete-schedule/delete-schedule.use-case.js';
import { FireSchedulesUseCase } from './fire-schedules/fire-schedules.use-case.js';
import { ScheduleSubmitter } from './fire-schedules/schedule-submitter.js';
import { ListDueSchedulesUseCase } from './list-due-schedules/list-due-schedules.use-case.js';
import { PauseScheduleUseCase } from './pause-schedule/pause-schedule.use-case.js';
import { ResumeScheduleUseCase } from './resume-schedule/resume-schedule.use-case.js';
import { scheduleClockProvider } from './schedule-clock.js';
import { ScheduleLookup } from './schedule-lookup.js';
import { ScheduleMetrics } from './schedule.metrics.js';
import { ScheduleRepository } from './schedule.repository.js';

/** Everything of schedules (docs/schedules.md) the orchestrator's module provides. */
export const scheduleProviders: Provider[] = [
  scheduleClockProvider,
  CreateScheduleUseCase,
  DeleteScheduleUseCase,
  FireSchedulesUseCase,
  ListDueSchedulesUseCase,
  PauseScheduleUseCase,
  ResumeScheduleUseCase,
  ScheduleLookup,
  ScheduleMetrics,
  ScheduleRepository,
  ScheduleSubmitter,
];
