import { Module } from '@nestjs/common';
import { ToolCatalogueModule } from '../catalog/tool-catalogue.module.js';
import { TaskPipelineModule } from '../tasks/task-pipeline.module.js';
import { McpApprovals } from './mcp-approvals.js';
import { McpController } from './mcp.controller.js';
import { McpSessions } from './mcp-sessions.js';
import { PlatformTools } from './platform-tools.js';

/**
 * The platform as an MCP server: the caller's permitted tools over Streamable HTTP at /mcp; a call
 * that needs approval runs as a one-call task of the task pipeline.
 */
@Module({
  imports: [ToolCatalogueModule, TaskPipelineModule],
  controllers: [McpController],
  providers: [McpSessions, PlatformTools, McpApprovals],
})
export class McpServerModule {}
