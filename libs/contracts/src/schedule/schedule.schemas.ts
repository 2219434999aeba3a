import { z } from 'zod';
import { TenantId } from '../identity.schemas.js';
import { TaskId, TaskRequest } from '../task/task.schemas.js';
import { cronProblem, isTimeZone, nextCronTime } from './cron.js';

export const ScheduleId = z.string().uuid();

/**
 * What a schedule does with due times it missed while no orchestrator ran (longer ago than
 * SCHEDULE_MISFIRE_GRACE_MS): `skip` — none of them runs, the next one is the next future time;
 * `latest` — the most recent missed one runs once, then the next future time. `skip` is the default:
 * a scheduled task's text usually speaks of its moment ("summarise the night's tickets"), so a late run
 * is rarely what the owner meant, and nothing floods the planner after an outage (docs/schedules.md).
 */
export const ScheduleCatchUp = z.enum(['skip', 'latest']);
export type ScheduleCatchUp = z.infer<typeof ScheduleCatchUp>;

/**
 * `active` — fires at its due times; `paused` — fires nothing until resumed; `done` — a one-shot (`at`)
 * schedule that fired (or whose only time was missed and skipped); it never fires again.
 */
export const ScheduleStatus = z.enum(['active', 'paused', 'done']);
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

export const CRON_MAX = 120;

/**
 * The task a schedule submits: the fields of a task request (`POST /orchestrate`'s body, each with the
 * same schema), named in camelCase as every JSON body of the API is outside the compatibility surface.
 */
export const ScheduledTask = z
  .object({
    task: TaskRequest.shape.task,
    toolConstraints: TaskRequest.shape.tool_constraints,
    threadId: TaskRequest.shape.thread_id,
    threadPolicy: TaskRequest.shape.thread_policy,
    maxSteps: TaskRequest.shape.max_steps,
    approval: TaskRequest.shape.approval,
    webhook: TaskRequest.shape.webhook,
    /** The agent version each firing runs (resolved at each firing: a label's version then). */
    agent: TaskRequest.shape.agent,
  })
  .strict();
export type ScheduledTask = z.infer<typeof ScheduledTask>;

/**
 * A scheduled task's fields beside `task` and their names in a task request, in the order both write
 * them: the one table both directions read.
 */
const TASK_REQUEST_NAMES = {
  toolConstraints: 'tool_constraints',
  threadId: 'thread_id',
  threadPolicy: 'thread_policy',
  maxSteps: 'max_steps',
  approval: 'approval',
  webhook: 'webhook',
  agent: 'agent',
} as const satisfies Record<Exclude<keyof ScheduledTask, 'task'>, keyof TaskRequest>;

/**
 * `from`'s `task` and its other fields that are given, under their names on the other side
 * (`toRequest`: a task request's; otherwise a scheduled task's). A step budget is given when defined
 * (0 included), any other field when truthy.
 */
function renamed(from: Readonly<Record<string, unknown>>, toRequest: boolean) {
  const to: Record<string, unknown> = { task: from.task };
  for (const [field, requestField] of Object.entries(TASK_REQUEST_NAMES)) {
    const value = from[toRequest ? field : requestField];
    const given = field === 'maxSteps' ? value !== undefined : Boolean(value);
    if (given) to[toRequest ? requestField : field] = value;
  }
  return to;
}

/** The task request a firing submits. */
export function taskRequestOf(t: ScheduledTask): TaskRequest {
  return renamed(t, true) as TaskRequest;
}

/** A stored task request as a schedule shows it. */
export function scheduledTaskOf(r: TaskRequest): ScheduledTask {
  return renamed(r, false) as ScheduledTask;
}

/**
 * The body of `POST /schedules`: the task (as `POST /orchestrate` takes it — text, tool constraints,
 * budgets, thread and its policy, approvals, webhook) and when it runs: either `cron` with its `timezone` (IANA,
 * default UTC), or `at`, a single future time. Unknown fields are rejected.
 */
export const ScheduleCreateRequest = ScheduledTask.extend({
  cron: z
    .string()
    .max(CRON_MAX)
    .superRefine((s, ctx) => {
      const problem = cronProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  timezone: z
    .string()
    .max(64)
    .refine(isTimeZone, 'must be an IANA time zone (e.g. Europe/Berlin)')
    .optional(),
  at: z
    .string()
    .datetime({ offset: true })
    .refine((s) => Date.parse(s) > Date.now(), 'must be in the future')
    .optional(),
  catchUp: ScheduleCatchUp.default('skip'),
})
  .strict()
  .superRefine((r, ctx) => {
    if (r.threadPolicy !== undefined && r.threadId === undefined)
      ctx.addIssue({ code: 'custom', path: ['threadPolicy'], message: 'needs threadId' });
    if (r.cron !== undefined && r.at !== undefined)
      ctx.addIssue({ code: 'custom', path: ['at'], message: 'give either cron or at, not both' });
    if (r.cron === undefined && r.at === undefined)
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give cron (with timezone) or at' });
    if (r.cron !== undefined && r.timezone !== undefined && cronProblem(r.cron) === undefined) {
      // Both valid alone: the zone must also be one the cron reader knows (it finds the next time).
      try {
        nextCronTime(r.cron, r.timezone, new Date());
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['timezone'],
          message: 'is not a time zone cron can use',
        });
      }
    }
    if (r.at !== undefined && r.timezone !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: 'belongs to cron; at carries its own offset',
      });
  });
export type ScheduleCreateRequest = z.infer<typeof ScheduleCreateRequest>;
export type ScheduleCreateInput = z.input<typeof ScheduleCreateRequest>;

/** One schedule as the API shows it. */
export const ScheduleView = z.object({
  scheduleId: ScheduleId,
  tenantId: TenantId,
  /** Its owner: whose tasks its firings are. */
  userId: z.string(),
  status: ScheduleStatus,
  /** The task each firing submits. */
  ...ScheduledTask.shape,
  cron: z.string().optional(),
  timezone: z.string().optional(),
  at: z.string().datetime().optional(),
  catchUp: ScheduleCatchUp,
  /** The next due time (absent when paused or done). */
  nextDueAt: z.string().datetime().optional(),
  lastFiredAt: z.string().datetime().optional(),
  /** How many times it fired (its firings list keeps only the most recent). */
  firedCount: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
});
export type ScheduleView = z.infer<typeof ScheduleView>;

/** `submitted` — a task was submitted for the due time; `skipped` — a missed time catch-up skipped. */
export const ScheduleFiringStatus = z.enum(['submitted', 'skipped']);
export type ScheduleFiringStatus = z.infer<typeof ScheduleFiringStatus>;

/** One due time of a schedule and what became of it. */
export const ScheduleFiringView = z.object({
  scheduleId: ScheduleId,
  dueAt: z.string().datetime(),
  firedAt: z.string().datetime(),
  status: ScheduleFiringStatus,
  /** The task it submitted (absent: skipped). */
  taskId: TaskId.optional(),
  /** When the task reached the submission stream (absent: not yet — a replica republishes it). */
  publishedAt: z.string().datetime().optional(),
});
export type ScheduleFiringView = z.infer<typeof ScheduleFiringView>;

/** A schedule's next due time, as the operator CLI lists it (`schedules due`). */
export const ScheduleDue = z.object({
  scheduleId: ScheduleId,
  tenantId: TenantId,
  userId: z.string(),
  nextDueAt: z.string().datetime(),
  /** Due now or overdue (a ticker takes it on its next tick). */
  overdue: z.boolean(),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  task: z.string(),
});
export type ScheduleDue = z.infer<typeof ScheduleDue>;
