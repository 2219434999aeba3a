import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter } from 'prom-client';

/** What operators watch of the per-task logs: how often a task's folder is written, and from where. */
@Injectable()
export class TaskLogMetrics {
  /** Once per task, at its end (again only for an end record sent again before its log was done). */
  readonly writes: Counter;
  /** Tasks whose live events this replica did not all hear: their log was read from the journal. */
  readonly journalReads: Counter;

  constructor(metrics: Metrics) {
    this.writes = new Counter({
      name: 'sb_task_log_writes_total',
      help: 'Task log folder writes: one per task, at its end (its metadata.json replaced, its files appended)',
      registers: [metrics.registry],
    });
    this.journalReads = new Counter({
      name: 'sb_task_log_journal_reads_total',
      help: "Task logs read from the orchestrator's journal (TaskEvents) at the task's end: the live events heard had a gap, or none were heard",
      registers: [metrics.registry],
    });
  }
}
