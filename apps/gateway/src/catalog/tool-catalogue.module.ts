import { Module } from '@nestjs/common';
import { ApprovalPoliciesController } from './approval-policies.controller.js';
import { ToolCatalogueService } from './tool-catalogue.service.js';

/**
 * The gateway's copy of mcp-tools' tool catalogue, for every surface that accepts constraints, and the
 * admins' routes over tools' approval policies.
 */
@Module({
  controllers: [ApprovalPoliciesController],
  exports: [ToolCatalogueService],
  providers: [ToolCatalogueService],
})
export class ToolCatalogueModule {}
