import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TENANTS, TenantDirectory } from '@switchboard/config';
import { redisProviders } from '@switchboard/runtime';
import { ManifestCache } from '../cache/manifest-cache.js';
import { MCP_TOOLS_REDIS } from '../cache/redis.settings.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ToolRegistry } from '../registry/tool-registry.service.js';
import { ToolsChangedPublisher } from '../registry/tools-changed.publisher.js';
import { TenantTools } from '../tenancy/tenant-tools.js';
import { CREDENTIALS, type CredentialStore } from '../tools/credential-store.js';
import { SchemaValidator } from '../tools/schema-validator.js';

/** What a feature module of mcp-tools may inject: the store, the registry and its change feed, the caches. */
const shared: Provider[] = [
  ManifestCache,
  PrismaService,
  SchemaValidator,
  TenantTools,
  ToolRegistry,
  ToolsChangedPublisher,
];

/**
 * mcp-tools' core (global, as the orchestrator's task core is): the tool registry every feature
 * registers into or reads, the database, Redis, the tool credentials and the tenants. Features sit
 * beside it in their folders, each with its module (docs/architecture.md).
 */
@Global()
@Module({})
export class McpToolsCoreModule {
  static register(options: {
    credentials: CredentialStore;
    tenants?: TenantDirectory;
  }): DynamicModule {
    const settings: Provider[] = [
      { provide: CREDENTIALS, useValue: options.credentials },
      { provide: TENANTS, useValue: options.tenants ?? new TenantDirectory() },
      ...redisProviders(MCP_TOOLS_REDIS),
    ];
    return {
      module: McpToolsCoreModule,
      providers: [...settings, ...shared],
      exports: [...settings, ...shared],
    };
  }
}
