import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, TENANTS, TenantDirectory } from '@switchboard/config';
import { quotaProviders, redisProviders } from '@switchboard/runtime';
import { ApprovalPoliciesHandler } from './approvals/approval-policies.handler.js';
import { ApprovalOverridesCache } from './approvals/approval-overrides.cache.js';
import { ApprovalPoliciesService } from './approvals/approval-policies.service.js';
import { ApprovalPolicyRepository } from './approvals/approval-policy.repository.js';
import { CallApprovalChecker } from './approvals/call-approval.checker.js';
import { AuthorizationsHandler } from './authorizations/authorizations.handler.js';
import { ProviderAuthorizationRepository } from './authorizations/provider-authorization.repository.js';
import { ProviderAuthorizationsService } from './authorizations/provider-authorizations.service.js';
import { AdminDebugTool } from './builtins/admin-debug.tool.js';
import { CalculatorTool } from './builtins/calculator.tool.js';
import { ClockTool } from './builtins/clock.tool.js';
import { NotesRepository } from './builtins/notes.repository.js';
import { NotesAddTool, NotesGetTool, NotesListTool } from './builtins/notes.tool.js';
import { createWeatherTool } from './builtins/weather.tool.js';
import { ManifestCache } from './cache/manifest-cache.js';
import { MCP_TOOLS_REDIS } from './cache/redis.settings.js';
import type { McpToolsEnv } from './config/mcp-tools.env.js';
import { MCP_STATUS } from './mcp/mcp-server.status.js';
import { McpUpstreams } from './mcp/mcp-upstreams.service.js';
import { PrismaService } from './prisma/prisma.service.js';
import { MemoryCandidates } from './memory/embeddings/memory-candidates.repository.js';
import { MemoryEmbedder } from './memory/embeddings/memory-embedder.js';
import { MemoryMeaningSearch } from './memory/embeddings/memory-meaning-search.js';
import { MemoryHandler } from './memory/memory.handler.js';
import { MemoryRepository } from './memory/memory.repository.js';
import { MemoryReembedSweep } from './memory/embeddings/memory-reembed.sweep.js';
import { MemoryRetentionSweep } from './memory/retention/memory-retention.sweep.js';
import { MemoryStore } from './memory/memory-store.service.js';
import { UpdateMemoryUseCase } from './memory/update-memory/update-memory.use-case.js';
import {
  MemoryForgetTool,
  MemoryRecallTool,
  MemoryRememberTool,
  MemoryShareTool,
} from './memory/memory.tools.js';
import { mcpToolsQuotaSettings, ToolCallQuota } from './quotas/tool-call.quota.js';
import { SearchToolsTool } from './builtins/search-tools.tool.js';
import { SearchToolsUseCase } from './tools/search-tools/search-tools.use-case.js';
import { BUILTIN_TOOLS, type ToolImplementation } from './registry/tool-implementation.js';
import { ToolRegistry } from './registry/tool-registry.service.js';
import { loadToolSources, TOOL_SOURCES, ToolSourcesLoader } from './registry/tool-sources.js';
import { ToolsChangedPublisher } from './registry/tools-changed.publisher.js';
import { TenantTools } from './tenancy/tenant-tools.js';
import { BuildCatalogueUseCase } from './tools/build-catalogue/build-catalogue.use-case.js';
import { BuildManifestUseCase } from './tools/build-manifest/build-manifest.use-case.js';
import { CallToolUseCase } from './tools/call-tool/call-tool.use-case.js';
import { CREDENTIALS, type CredentialStore } from './tools/credential-store.js';
import { IdempotencyService } from './tools/idempotency.service.js';
import { SchemaValidator } from './tools/schema-validator.js';
import { TaskCancellations } from './tools/task-cancellations.js';
import { ToolAccessChecker } from './tools/tool-access.checker.js';
import { ToolCallRepository } from './tools/tool-call.repository.js';
import { ToolRunner } from './tools/tool-runner.js';
import { ToolMetrics } from './tools/tool.metrics.js';
import { ToolsHandler } from './tools/tools.handler.js';

const BUILTINS = [
  CalculatorTool,
  ClockTool,
  NotesAddTool,
  NotesGetTool,
  NotesListTool,
  MemoryRememberTool,
  MemoryShareTool,
  MemoryRecallTool,
  MemoryForgetTool,
  AdminDebugTool,
  SearchToolsTool,
];

@Module({})
export class AppModule {
  static register(options: {
    credentials: CredentialStore;
    tenants?: TenantDirectory;
  }): DynamicModule {
    return {
      module: AppModule,
      controllers: [ApprovalPoliciesHandler, AuthorizationsHandler, MemoryHandler, ToolsHandler],
      providers: [
        ...BUILTINS,
        {
          provide: BUILTIN_TOOLS,
          useFactory: (config: McpToolsEnv, ...tools: ToolImplementation[]) => [
            ...tools,
            createWeatherTool(config),
          ],
          inject: [APP_CONFIG, ...BUILTINS],
        },
        { provide: TOOL_SOURCES, useFactory: loadToolSources, inject: [APP_CONFIG, BUILTIN_TOOLS] },
        { provide: CREDENTIALS, useValue: options.credentials },
        { provide: TENANTS, useValue: options.tenants ?? new TenantDirectory() },
        { provide: MCP_STATUS, useExisting: McpUpstreams },
        ApprovalOverridesCache,
        ApprovalPoliciesService,
        ApprovalPolicyRepository,
        BuildCatalogueUseCase,
        BuildManifestUseCase,
        SearchToolsUseCase,
        CallApprovalChecker,
        CallToolUseCase,
        IdempotencyService,
        ManifestCache,
        ...quotaProviders(mcpToolsQuotaSettings),
        McpUpstreams,
        NotesRepository,
        MemoryRepository,
        MemoryCandidates,
        MemoryEmbedder,
        MemoryMeaningSearch,
        MemoryStore,
        MemoryRetentionSweep,
        UpdateMemoryUseCase,
        MemoryReembedSweep,
        PrismaService,
        ProviderAuthorizationRepository,
        ProviderAuthorizationsService,
        ...redisProviders(MCP_TOOLS_REDIS),
        ToolCallQuota,
        SchemaValidator,
        TaskCancellations,
        TenantTools,
        ToolAccessChecker,
        ToolCallRepository,
        ToolMetrics,
        ToolRegistry,
        ToolRunner,
        ToolsChangedPublisher,
        ToolSourcesLoader,
      ],
    };
  }
}
