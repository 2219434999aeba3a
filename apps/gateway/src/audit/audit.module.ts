import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';

/** The audit trail over HTTP: query and verify (the audit service answers). */
@Module({ controllers: [AuditController] })
export class AuditModule {}
