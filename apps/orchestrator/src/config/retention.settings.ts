import { envInt } from '@switchboard/config';

/**
 * How long the orchestrator keeps an ended task's record (docs/operations.md, "Retention"). Its own
 * file: orchestrator.env.ts holds every other setting and is long enough.
 */
export const retentionSettings = {
  TASK_RETENTION_DAYS: envInt(0, 3_650, 30).describe(
    'Ended tasks (completed, failed, cancelled) are deleted this many days after they ended, with their steps, planning rounds and approvals: after that they can no longer be read, replayed or forked. 0 keeps them forever. A task that a replay or fork still running was made from is kept until that one ends.',
  ),
  TASK_RETENTION_SWEEP_MS: envInt(1_000, 86_400_000, 3_600_000).describe(
    'How often each replica deletes the ended tasks past TASK_RETENTION_DAYS (at most TASK_RETENTION_BATCH per statement, as many statements as there are).',
  ),
  TASK_RETENTION_BATCH: envInt(1, 100_000, 500).describe(
    'Ended tasks one delete statement of the retention sweep removes: a bounded statement keeps its locks and its transaction short while tasks run.',
  ),
};
