import { Module } from '@nestjs/common';
import { ToolCatalogueModule } from '../catalog/tool-catalogue.module.js';
import { McpController } from './mcp.controller.js';
import { McpSessions } from './mcp-sessions.js';
import { PlatformTools } from './platform-tools.js';

/** The platform as an MCP server: the caller's permitted tools over Streamable HTTP at /mcp. */
@Module({
  imports: [ToolCatalogueModule],
  controllers: [McpController],
  providers: [McpSessions, PlatformTools],
})
export class McpServerModule {}
