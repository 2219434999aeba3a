import { Module } from '@nestjs/common';
import { SchedulesController } from './schedules.controller.js';

/** Schedules over HTTP (docs/schedules.md): the orchestrator keeps and fires them. */
@Module({ controllers: [SchedulesController] })
export class SchedulesModule {}
