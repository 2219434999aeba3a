import { counter, metricSet } from '@switchboard/observability';

/**
 * What operators watch of the per-task logs: how often a task's folder is written (once per task, at
 * its end; again only for an end record sent again before its log was done), and from where (tasks
 * whose live events this replica did not all hear: their log was read from the journal).
 */
export class TaskLogMetrics extends metricSet({
  writes: counter(
    'sb_task_log_writes_total',
    'Task log folder writes: one per task, at its end (its metadata.json replaced, its files appended)',
  ),
  journalReads: counter(
    'sb_task_log_journal_reads_total',
    "Task logs read from the orchestrator's journal (TaskEvents) at the task's end: the live events heard had a gap, or none were heard",
  ),
}) {}
