import { Tasks, TenantId, UserId } from '@switchboard/contracts';
import { z } from 'zod';
import { csvOf, definedAs } from '../http/query-params.js';

/**
 * GET /tasks: the caller's tasks (admins: everyone's in their tenant, or `user_id`'s; the platform
 * operator: every tenant's, or `tenant_id`'s), newest first, paged.
 */
export const TaskListQuery = z
  .object({
    status: csvOf(Tasks.TaskStatus, { chars: 100, min: 1, max: 6 })
      .optional()
      .describe(
        'Comma-separated statuses: `queued`, `running`, `waiting_approval`, `completed`, `failed`, `cancelled`.',
      ),
    user_id: UserId.optional().describe("Another user's tasks (admins only)."),
    tenant_id: TenantId.optional().describe(
      "Only this tenant's tasks (the platform operator; anyone else sees their own tenant's tasks, and another tenant's id gives an empty list).",
    ),
    q: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Only tasks whose text holds this (case-insensitive).'),
    from: z.string().datetime().optional().describe('Created at or after (ISO 8601).'),
    to: z.string().datetime().optional().describe('Created before (ISO 8601).'),
    before: Tasks.TaskListCursor.optional().describe(
      'Paging: the `nextBefore` of the previous page.',
    ),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(200)
      .optional()
      .describe('Tasks per page (default 50).'),
  })
  .strict();
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export function taskListRequestOf(q: TaskListQuery): Tasks.TaskListRequest {
  return {
    ...definedAs(q, {
      user_id: 'userId',
      tenant_id: 'tenantId',
      status: 'status',
      q: 'text',
      from: 'from',
      to: 'to',
      before: 'before',
    }),
    limit: q.limit ?? 50,
  };
}
