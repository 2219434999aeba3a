import { Module } from '@nestjs/common';
import { TaskLogConsumer } from './task-log.consumer.js';
import { TaskLogMetrics } from './task-log.metrics.js';
import { TaskLogRetention } from './task-log.retention.js';
import { TaskLogWriter } from './task-log.writer.js';

/** The per-task hierarchical log archive, written from the task event stream, pruned by retention. */
@Module({ providers: [TaskLogConsumer, TaskLogMetrics, TaskLogRetention, TaskLogWriter] })
export class TaskLogsModule {}
