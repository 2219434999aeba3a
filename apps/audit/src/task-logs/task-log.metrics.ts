import { Injectable } from '@nestjs/common';
import { Metrics } from '@switchboard/observability';
import { Counter } from 'prom-client';

/** What operators watch of the per-task logs: how often a task's folder is written. */
@Injectable()
export class TaskLogMetrics {
  /** Per task and batch of its events: divided by the tasks, how many times each task is written. */
  readonly writes: Counter;

  constructor(metrics: Metrics) {
    this.writes = new Counter({
      name: 'sb_task_log_writes_total',
      help: 'Task log folder writes: one per task per batch of its events (its metadata.json replaced, its files appended)',
      registers: [metrics.registry],
    });
  }
}
