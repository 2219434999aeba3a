import { Gateway, Schedules } from '@switchboard/contracts';
import { ScheduleListQuery } from '../schedules/schedule-http.schemas.js';
import { created, listOf, ok, requiredBody, serviceErrors } from './openapi.operation-builders.js';
import type { UntaggedOperation } from './openapi.operation.js';

const scheduleId = {
  id: { schema: Schedules.ScheduleId, description: 'The schedule id (UUID).' },
};
const SEE = 'See docs/schedules.md.';
const NOT_YOURS =
  "Its owner's, or an admin's of its tenant; anyone else: 404 (another tenant's: audited).";

/** Schedules: tasks on a cron schedule or once at a time (docs/schedules.md). */
export const SCHEDULE_OPERATIONS: UntaggedOperation[] = [
  {
    method: 'post',
    path: '/schedules',
    summary: 'Run a task on a schedule',
    description: `The task as POST /orchestrate takes it (text, \`tool_constraints\`, \`max_steps\`, \`approval\`, \`thread_id\`, \`webhook\`) and when it runs: \`cron\` (five fields) with \`timezone\` (IANA, default UTC), or \`at\` (one future time). \`catch_up\` says what happens to a time missed while no orchestrator ran: \`skip\` (default) or \`latest\` (the most recent missed time runs once). Each firing submits one task owned by the caller, linked to the schedule (\`scheduleId\` on GET /tasks/{id}). 400 names the field (a bad cron or time zone, a past \`at\`, both \`cron\` and \`at\`). ${SEE}`,
    ...requiredBody(Schedules.ScheduleCreateRequest),
    responses: created('Scheduled.', Schedules.ScheduleView),
    errors: serviceErrors(400, 415),
  },
  {
    method: 'get',
    path: '/schedules',
    summary: 'Schedules',
    description:
      "The caller's schedules; an admin's: every one of their tenant; the platform operator's: every tenant's. Newest first.",
    query: ScheduleListQuery,
    responses: ok('Newest first.', listOf('schedules', Schedules.ScheduleView)),
    errors: serviceErrors(400),
  },
  {
    method: 'get',
    path: '/schedules/{id}',
    summary: 'One schedule',
    description: NOT_YOURS,
    pathParams: scheduleId,
    responses: ok('The schedule.', Schedules.ScheduleView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/schedules/{id}/pause',
    summary: 'Pause a schedule',
    description: `It fires nothing until resumed (a paused one: answered as it is; a done one: 409). ${NOT_YOURS} Audited.`,
    pathParams: scheduleId,
    responses: ok('Paused.', Schedules.ScheduleView),
    errors: serviceErrors(400, 404, 409),
  },
  {
    method: 'post',
    path: '/schedules/{id}/resume',
    summary: 'Resume a schedule',
    description: `From now: its next due time is the first after now; what it missed while paused does not run (a one-shot whose time passed: 409). ${NOT_YOURS} Audited.`,
    pathParams: scheduleId,
    responses: ok('Active again.', Schedules.ScheduleView),
    errors: serviceErrors(400, 404, 409),
  },
  {
    method: 'delete',
    path: '/schedules/{id}',
    summary: 'Delete a schedule',
    description: `It and its firings are deleted; the tasks it submitted stay. ${NOT_YOURS} Audited.`,
    pathParams: scheduleId,
    responses: ok('Deleted.', Gateway.ScheduleDeleted),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'get',
    path: '/schedules/{id}/firings',
    summary: "A schedule's recent firings",
    description: `Its most recent ${Schedules.SCHEDULE_FIRINGS_KEPT} firings, newest first: each due time, when it fired, and the task it submitted (or \`skipped\`: a missed time catch-up skipped). ${NOT_YOURS}`,
    pathParams: scheduleId,
    responses: ok('Newest first.', listOf('firings', Schedules.ScheduleFiringView)),
    errors: serviceErrors(400, 404),
  },
];
