import { SERVICE_NAMES, Tasks, UserId } from '@switchboard/contracts';
import { z } from 'zod';

/** GET /live (admins): which traffic to show. */
export const LiveQuery = z
  .object({
    task_id: Tasks.TaskId.optional().describe(
      'Only messages about this task (its events, commands and audit records).',
    ),
    user_id: UserId.optional().describe('Only messages acting for this user.'),
    service: z
      .enum(SERVICE_NAMES)
      .optional()
      .describe('Only messages this service sent, or commands addressed to it.'),
    commands: z
      .enum(['true', 'false'])
      .optional()
      .describe(
        'Also show commands and health requests (request/reply). While anyone watches them, a request to a service with no replica waits for its timeout instead of failing at once: see docs/console.md.',
      ),
  })
  .strict();
export type LiveQuery = z.infer<typeof LiveQuery>;

/** One frame of GET /live (`event: message`). */
export const LiveMessageSchema = z.object({
  at: z.string().datetime(),
  subject: z.string(),
  kind: z.enum([
    'command',
    'task-submission',
    'task-event',
    'event',
    'control',
    'audit',
    'health',
    'dead-letter',
    'other',
  ]),
  source: z.string().optional(),
  target: z.enum(SERVICE_NAMES).optional(),
  userId: z.string().optional(),
  taskId: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  data: z.unknown(),
  truncated: z.boolean().optional(),
  /** Messages left out before this one because the viewer read too slowly. */
  dropped: z.number().int().positive().optional(),
});
