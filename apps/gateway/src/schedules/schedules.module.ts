import { Module } from '@nestjs/common';
import { TaskPipelineModule } from '../tasks/task-pipeline.module.js';
import { SchedulesController } from './schedules.controller.js';

/**
 * Schedules over HTTP (docs/schedules.md): the orchestrator keeps and fires them; a schedule's agent
 * is checked as a task's is (the pipeline's AgentChoiceCheck) when it is created.
 */
@Module({ imports: [TaskPipelineModule], controllers: [SchedulesController] })
export class SchedulesModule {}
