import { Module } from '@nestjs/common';
import { RetentionModule } from './retention/retention.module.js';
import { SchedulesModule } from './schedules/schedules.module.js';
import { TaskCoreModule } from './tasks/index.js';
import { TaskPortsModule } from './task-ports.module.js';

/**
 * The orchestrator: the task core (global), the features plugged into its ports (TaskPortsModule
 * imports them), and the features that only use the core — schedules submit tasks, retention
 * deletes ended ones (docs/task-core.md).
 */
@Module({ imports: [TaskCoreModule, TaskPortsModule, SchedulesModule, RetentionModule] })
export class AppModule {}
