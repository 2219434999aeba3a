import { Module } from '@nestjs/common';
import { ApprovalPoliciesController } from './approval-policies.controller.js';
import { AuthorizationsController } from './authorizations.controller.js';
import { CatalogController } from './catalog.controller.js';
import { MemoryController } from './memory.controller.js';
import { ToolCatalogueService } from './tool-catalogue.service.js';

/**
 * The gateway's copy of mcp-tools' tool catalogue, for every surface that accepts constraints, and
 * mcp-tools' resources over HTTP: the catalogue, provider authorizations, memory, and the admins'
 * routes over tools' approval policies.
 */
@Module({
  controllers: [
    CatalogController,
    AuthorizationsController,
    MemoryController,
    ApprovalPoliciesController,
  ],
  exports: [ToolCatalogueService],
  providers: [ToolCatalogueService],
})
export class ToolCatalogueModule {}
