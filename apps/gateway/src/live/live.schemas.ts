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
