import { Module } from '@nestjs/common';
import { PrismaService } from './prisma/prisma.service.js';
import { TaskLogsModule } from './task-logs/task-logs.module.js';
import { AuditConsumer } from './trail/audit.consumer.js';
import { AuditHandler } from './trail/audit.handler.js';
import { AuditRepository } from './trail/audit.repository.js';

@Module({
  imports: [TaskLogsModule],
  controllers: [AuditHandler],
  providers: [AuditConsumer, AuditRepository, PrismaService],
})
export class AppModule {}
