import { Module } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { TaskLogsModule } from '../task-logs/task-logs.module.js';
import { AuditAppendHandler } from './audit-append.handler.js';
import { AuditAppendQueue } from './audit-append.queue.js';
import { AuditConsumer } from './audit.consumer.js';
import { AuditHandler } from './audit.handler.js';
import { AuditRepository } from './audit.repository.js';

/**
 * The audit trail: records consumed from the event stream and appended on request, chained per
 * tenant in PostgreSQL, queried and verified; each chained task end is told to the task logs.
 */
@Module({
  imports: [TaskLogsModule],
  controllers: [AuditHandler, AuditAppendHandler],
  providers: [AuditConsumer, AuditAppendQueue, AuditRepository, PrismaService],
})
export class TrailModule {}
