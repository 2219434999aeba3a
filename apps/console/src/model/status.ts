import type { Tasks } from '@switchboard/contracts';

/**
 * Every task status in the order of a task's life, as the page says it. A Record over the contracts'
 * TaskStatus: a status added there and missing here fails the typecheck.
 */
const TASK_STATUS_WORDS: Record<Tasks.TaskStatus, string> = {
  queued: 'queued',
  running: 'running',
  waiting_approval: 'waiting for approval',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Every status a task can have (the Tasks view's filter offers them all). */
export const TASK_STATUSES = Object.keys(TASK_STATUS_WORDS) as Tasks.TaskStatus[];

/** A status as the page says it: the API's word, or words where the API's is an identifier. */
export function statusWords(status: string): string {
  return Object.hasOwn(TASK_STATUS_WORDS, status)
    ? TASK_STATUS_WORDS[status as Tasks.TaskStatus]
    : status.replace(/_/g, ' ');
}

/** The CSS class suffix of a status's badge (`waiting_approval` → `waiting-approval`). */
export function statusSlug(status: string): string {
  return status
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/[^a-z-]/g, '');
}
