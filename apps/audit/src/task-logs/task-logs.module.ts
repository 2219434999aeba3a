import { Module } from '@nestjs/common';
import { CHAIN_WATCHER } from '../trail/chain-watcher.js';
import { TaskLogBuffer } from './task-log.buffer.js';
import { TaskLogEnds } from './task-log.ends.js';
import { TaskLogListener } from './task-log.listener.js';
import { TaskLogMetrics } from './task-log.metrics.js';
import { TaskLogRetention } from './task-log.retention.js';
import { TaskLogWriter } from './task-log.writer.js';

/**
 * The per-task hierarchical log archive: the live task events held per task, each task's log written
 * when its end record is chained (from the journal where the live events had gaps), pruned by
 * retention.
 */
@Module({
  providers: [
    { provide: TaskLogBuffer, useFactory: () => new TaskLogBuffer() },
    TaskLogEnds,
    { provide: CHAIN_WATCHER, useExisting: TaskLogEnds },
    TaskLogListener,
    TaskLogMetrics,
    TaskLogRetention,
    TaskLogWriter,
  ],
  exports: [CHAIN_WATCHER],
})
export class TaskLogsModule {}
