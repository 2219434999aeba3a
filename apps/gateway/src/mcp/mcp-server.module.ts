import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { LOGGER, type Logger } from '@switchboard/observability';
import { AUTHENTICATOR } from '../auth/authenticator.js';
import { ToolCatalogueModule } from '../catalog/tool-catalogue.module.js';
import type { GatewayEnv } from '../config/gateway.env.js';
import { TaskPipelineModule } from '../tasks/task-pipeline.module.js';
import { MCP_AUTHENTICATOR, McpAuthGuard, mcpAuthenticator } from './mcp-auth.guard.js';
import { McpApprovals } from './mcp-approvals.js';
import { McpController } from './mcp.controller.js';
import { checkMcpOAuth, MCP_OAUTH, type McpOAuth, mcpOAuthOf } from './mcp-oauth.js';
import { McpOAuthController } from './mcp-oauth.controller.js';
import { McpModern } from './mcp-modern.js';
import { McpSessions } from './mcp-sessions.js';
import { McpTasks } from './mcp-tasks.js';
import { MemoryResources } from './memory-resources.js';
import { PlatformTools } from './platform-tools.js';

/**
 * The platform as an MCP server: the caller's permitted tools over Streamable HTTP at /mcp, in
 * revisions 2026-07-28 (stateless; tasks extension) and 2025-11-25 (sessions); a call
 * that needs approval runs as a one-call task of the task pipeline. In jwt mode the endpoint is an
 * OAuth protected resource: its metadata at /.well-known/oauth-protected-resource[/mcp], its 401s
 * pointing there, its tokens checked for its audience.
 */
@Module({
  imports: [ToolCatalogueModule, TaskPipelineModule],
  controllers: [McpController, McpOAuthController],
  providers: [
    {
      provide: MCP_OAUTH,
      inject: [APP_CONFIG, LOGGER],
      useFactory: (config: GatewayEnv, logger: Logger): McpOAuth => {
        const oauth = mcpOAuthOf(config);
        checkMcpOAuth(config, oauth, logger);
        return oauth;
      },
    },
    {
      provide: MCP_AUTHENTICATOR,
      inject: [APP_CONFIG, MCP_OAUTH, AUTHENTICATOR, LOGGER],
      useFactory: mcpAuthenticator,
    },
    McpApprovals,
    McpAuthGuard,
    McpModern,
    McpSessions,
    McpTasks,
    MemoryResources,
    PlatformTools,
  ],
})
export class McpServerModule {}
