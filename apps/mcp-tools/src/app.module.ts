import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, type TenantDirectory } from '@switchboard/config';
import { quotaProviders } from '@switchboard/runtime';
import { ApprovalPoliciesModule } from './approvals/approval-policies.module.js';
import { AuthorizationsModule } from './authorizations/authorizations.module.js';
import { BuiltinsModule } from './builtins/builtins.module.js';
import { McpToolsCoreModule } from './core/mcp-tools-core.module.js';
import { McpUpstreamsModule } from './mcp/mcp-upstreams.module.js';
import { MemoryModule } from './memory/memory.module.js';
import { mcpToolsQuotaSettings, ToolCallQuota } from './quotas/tool-call.quota.js';
import { SearchToolsTool } from './builtins/search-tools.tool.js';
import type { McpToolsEnv } from './config/mcp-tools.env.js';
import { loadToolSources, TOOL_SOURCES, ToolSourcesLoader } from './registry/tool-sources.js';
import { BUILTIN_TOOLS, type ToolImplementation } from './registry/tool-implementation.js';
import { BuildCatalogueUseCase } from './tools/build-catalogue/build-catalogue.use-case.js';
import { BuildManifestUseCase } from './tools/build-manifest/build-manifest.use-case.js';
import { CallToolUseCase } from './tools/call-tool/call-tool.use-case.js';
import type { CredentialStore } from './tools/credential-store.js';
import { IdempotencyService } from './tools/idempotency.service.js';
import { TaskCancellations } from './tools/task-cancellations.js';
import { ToolAccessChecker } from './tools/tool-access.checker.js';
import { ToolCallRepository } from './tools/tool-call.repository.js';
import { ToolRunner } from './tools/tool-runner.js';
import { ToolMetrics } from './tools/tool.metrics.js';
import { ToolsHandler } from './tools/tools.handler.js';
import { SearchToolsUseCase } from './tools/search-tools/search-tools.use-case.js';
import { ToolMeaningRanker } from './tools/search-tools/tool-meaning.ranker.js';

/** Calling a tool: the catalogue and manifests, the access and approval checks, the run, once. */
const toolCalls = [
  BuildCatalogueUseCase,
  BuildManifestUseCase,
  CallToolUseCase,
  IdempotencyService,
  TaskCancellations,
  ToolAccessChecker,
  ToolCallRepository,
  ToolMetrics,
  ToolRunner,
  ...quotaProviders(mcpToolsQuotaSettings),
  ToolCallQuota,
  SearchToolsUseCase,
  ToolMeaningRanker,
];

/**
 * mcp-tools: the core (registry, store, credentials; global), the feature modules, each in its folder
 * (memory, builtins, external MCP servers, provider authorizations, approval policies), and what
 * ties them together here: the tool sources loaded into the registry and the calls of tools.
 */
@Module({})
export class AppModule {
  static register(options: {
    credentials: CredentialStore;
    tenants?: TenantDirectory;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        McpToolsCoreModule.register(options),
        MemoryModule,
        BuiltinsModule,
        McpUpstreamsModule,
        AuthorizationsModule,
        ApprovalPoliciesModule,
      ],
      controllers: [ToolsHandler],
      providers: [
        ...toolCalls,
        SearchToolsTool,
        // The search tool searches the manifests these calls build: a builtin joined here, beside them.
        {
          provide: TOOL_SOURCES,
          useFactory: (
            config: McpToolsEnv,
            builtins: ToolImplementation[],
            search: SearchToolsTool,
          ) => loadToolSources(config, [...builtins, search]),
          inject: [APP_CONFIG, BUILTIN_TOOLS, SearchToolsTool],
        },
        ToolSourcesLoader,
      ],
    };
  }
}
