import { z } from 'zod';
import { limitRequest, pageLimit } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { type DomainContracts } from '../define.js';
import {
  ScheduleCreateRequest,
  ScheduleDue,
  ScheduleFiringView,
  ScheduleId,
  ScheduleView,
} from './schedule.schemas.js';

/** How many firings a schedule keeps (older ones are deleted as new ones are recorded). */
export const SCHEDULE_FIRINGS_KEPT = 50;

const byId = z.object({ scheduleId: ScheduleId }).strict();
/** What get, pause and resume take and answer: one schedule, by its id, as it is then. */
const oneSchedule = { request: byId, response: ScheduleView };

/**
 * The schedule commands, sb.cmd.orchestrator.schedule.<action>: the gateway's HTTP API sends them.
 */
const schedule = commandGroup('sb.cmd.orchestrator.schedule', { callers: ['gateway'] });

export const ScheduleCreate = schedule.command('create', {
  request: ScheduleCreateRequest,
  response: ScheduleView,
  timeoutMs: 15_000,
  description:
    'Creates a schedule owned by the acting user, in their tenant: the task it submits and when (cron + IANA time zone, or one future time `at`). A `webhook` is checked against the URL policy (VALIDATION naming `webhook.url`). Audited.',
});

export const ScheduleList = schedule.query('list', {
  request: limitRequest(500, 100),
  response: z.object({ schedules: z.array(ScheduleView) }),
  description:
    "Schedules the acting user sees, newest first: their own; an admin's: every one of their tenant; the platform operator's: every tenant's.",
});

export const ScheduleGet = schedule.query('get', {
  ...oneSchedule,
  description:
    "One schedule, for its owner or an admin of its tenant; another's is NOT_FOUND (another tenant's audited as denied).",
});

export const SchedulePause = schedule.command('pause', {
  ...oneSchedule,
  idempotency: 'idempotent',
  description:
    'Pauses an active schedule: it fires nothing until resumed. A paused one answers as it is; a done one is CONFLICT. NOT_FOUND as ScheduleGet. Audited.',
});

export const ScheduleResume = schedule.command('resume', {
  ...oneSchedule,
  idempotency: 'idempotent',
  description:
    'Resumes a paused schedule from now: the times it missed while paused are not run; its next due time is the next one after now (a one-shot whose time passed meanwhile is CONFLICT). NOT_FOUND as ScheduleGet. Audited.',
});

export const ScheduleDelete = schedule.command('delete', {
  request: byId,
  response: z.object({ scheduleId: ScheduleId }),
  description:
    'Deletes a schedule and its firings (the tasks it submitted stay). NOT_FOUND as ScheduleGet. Audited.',
});

export const ScheduleFiringList = schedule.query('firing.list', {
  request: byId,
  response: z.object({ firings: z.array(ScheduleFiringView) }),
  description: `A schedule's most recent firings (at most ${SCHEDULE_FIRINGS_KEPT}), newest first. NOT_FOUND as ScheduleGet.`,
});

export const ScheduleDueList = schedule.query('due.list', {
  callers: ['gateway', 'admin'],
  request: z
    .object({
      /** Due within this many milliseconds from now (overdue ones always). */
      withinMs: z
        .number()
        .int()
        .min(0)
        .max(366 * 86_400_000)
        .default(3_600_000),
      limit: pageLimit(1000, 100),
    })
    .strict(),
  response: z.object({ now: z.string().datetime(), due: z.array(ScheduleDue) }),
  description:
    "Active schedules' next due times, soonest first: overdue ones and those due within `withinMs`. For the acting user's own schedules; an admin's tenant; the platform operator's (the CLI's `schedules due`): every tenant's.",
});

export const SCHEDULE_CONTRACTS: DomainContracts = {
  commands: [
    ScheduleCreate,
    ScheduleList,
    ScheduleGet,
    SchedulePause,
    ScheduleResume,
    ScheduleDelete,
    ScheduleFiringList,
    ScheduleDueList,
  ],
  events: [],
};
