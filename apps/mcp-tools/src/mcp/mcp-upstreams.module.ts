import { Module } from '@nestjs/common';
import { MCP_STATUS } from './mcp-server.status.js';
import { McpUpstreams } from './mcp-upstreams.service.js';

/** The external MCP servers mcp-tools connects to, their tools registered as they connect. */
@Module({
  providers: [McpUpstreams, { provide: MCP_STATUS, useExisting: McpUpstreams }],
  exports: [McpUpstreams, MCP_STATUS],
})
export class McpUpstreamsModule {}
