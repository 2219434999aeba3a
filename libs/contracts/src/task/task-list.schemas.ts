import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { TenantId, UserId } from '../identity.schemas.js';
import { TASK_HEAD, TaskStatus, TokenUsage } from './task.schemas.js';

/** Longest task text a list row carries; the whole text is in `TaskGet`. */
export const TASK_SUMMARY_TEXT_MAX = 300;

/**
 * Where a page of the task list ends: the creation time and id of its last (oldest) row. Opaque to
 * clients, who pass a page's `nextBefore` back as `before`.
 */
export const TaskListCursor = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    "must be a previous page's nextBefore",
  );

export const TaskListRequest = z
  .object({
    /**
     * Whose tasks. Omitted: the actor's own, or everyone's of their tenant for an admin (every tenant's
     * for the platform operator). Someone else's: admins only.
     */
    userId: UserId.optional(),
    /**
     * Only tasks of this tenant. Honoured for the platform operator (who otherwise sees every tenant's);
     * anyone else sees only their own tenant's tasks, and another tenant's id gives no tasks.
     */
    tenantId: TenantId.optional(),
    status: z.array(TaskStatus).min(1).max(6).optional(),
    /** Case-insensitive part of the task text. */
    text: z.string().min(1).max(200).optional(),
    /** Created at or after (inclusive) / before (exclusive). */
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
    before: TaskListCursor.optional(),
    limit: pageLimit(200, 50),
    /** Only the tasks of this conversation thread (A2A's contextId). */
    threadId: z.string().min(1).max(128).optional(),
    /** Only tasks whose state changed at or after this time (A2A's statusTimestampAfter). */
    updatedAfter: z.string().datetime().optional(),
    /** Also count every task that matches (`total`): one more query, so only when asked (A2A). */
    withTotal: z.boolean().optional(),
  })
  .strict();
export type TaskListRequest = z.infer<typeof TaskListRequest>;

/** One row of the task list: what a table of tasks shows, without the steps themselves. */
export const TaskSummary = z.object({
  ...TASK_HEAD,
  threadId: z.string().optional(),
  steps: z.number().int().nonnegative(),
  usage: TokenUsage.optional(),
  lastEventSeq: z.number().int().nonnegative(),
  createdAt: z.string().datetime(),
  /** When its row last changed (its status's time, for A2A). */
  updatedAt: z.string().datetime().optional(),
  finishedAt: z.string().datetime().optional(),
  /** From the first claim to the end (or until now while it runs). */
  durationMs: z.number().nonnegative().optional(),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const TaskListResponse = z.object({
  tasks: z.array(TaskSummary),
  /** Present when older tasks match: pass it as `before` for the next page. */
  nextBefore: TaskListCursor.optional(),
  /** How many tasks match in all pages, when the request asked `withTotal`. */
  total: z.number().int().nonnegative().optional(),
});
export type TaskListResponse = z.infer<typeof TaskListResponse>;
