import { Module } from '@nestjs/common';
import { TrailModule } from './trail/trail.module.js';

/** The audit service: the trail and, fed by it, the per-task log archive (TaskLogsModule). */
@Module({ imports: [TrailModule] })
export class AppModule {}
