import { Module } from '@nestjs/common';
import { ToolCatalogueService } from './tool-catalogue.service.js';

/** The gateway's copy of mcp-tools' tool catalogue, for every surface that accepts constraints. */
@Module({ providers: [ToolCatalogueService], exports: [ToolCatalogueService] })
export class ToolCatalogueModule {}
