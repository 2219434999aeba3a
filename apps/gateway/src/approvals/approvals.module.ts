import { Module } from '@nestjs/common';
import { ApprovalsController } from './approvals.controller.js';

/** Approvals over HTTP (docs/approvals.md): list, and decide, the calls that wait for a person. */
@Module({ controllers: [ApprovalsController] })
export class ApprovalsModule {}
