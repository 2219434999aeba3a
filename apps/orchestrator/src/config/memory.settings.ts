import { envBoolean, envInt } from '@switchboard/config';
import { z } from 'zod';

// Long-term memory's settings on the planner's side (docs/memory.md); the store is mcp-tools'.
export const memorySettings = {
  MEMORY_RECALL: z
    .string()
    .default('true')
    .pipe(envBoolean)
    .describe(
      'Recall from long-term memory before a task\'s first planning round (docs/memory.md): asked when the task was offered memory.recall and speaks of the user\'s own things ("my …"). false: the planner is offered no recall (the memory tools stay).',
    ),
  MEMORY_RECALL_LIMIT: envInt(1, 50, 5).describe(
    'Most memory items recalled for a task (best full-text matches first).',
  ),
  MEMORY_RECALL_TIMEOUT_MS: envInt(100, 5_000, 1_000).describe(
    'How long a recall may take before the task is planned without it (recall never fails a task).',
  ),
};
