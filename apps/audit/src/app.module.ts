import { Module } from '@nestjs/common';
import { PrismaService } from './prisma/prisma.service.js';
import { TaskLogsModule } from './task-logs/task-logs.module.js';
import { AuditAppendHandler } from './trail/audit-append.handler.js';
import { AuditAppendQueue } from './trail/audit-append.queue.js';
import { AuditConsumer } from './trail/audit.consumer.js';
import { AuditHandler } from './trail/audit.handler.js';
import { AuditRepository } from './trail/audit.repository.js';

@Module({
  imports: [TaskLogsModule],
  controllers: [AuditHandler, AuditAppendHandler],
  providers: [AuditConsumer, AuditAppendQueue, AuditRepository, PrismaService],
})
export class AppModule {}
